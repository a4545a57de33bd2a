// 缓缴 and student loans end to end over HTTP: a deferral stops online payment of
// its amount only (through the real /pay wizard, and against crafted posts); the college staff's
// request waits for finance's approval and cannot reach another college; a disbursement file with
// errors imports nothing and names each bad row, the same file twice applies once; a loan larger
// than what is owed ends in one refund and a ledger that checks; the expiry job; the bank file.
import { describe, expect, it } from 'vitest';
import { platformJobs } from '../../src/jobs';
import { createLogger } from '../../src/logger';
import { encryptCard } from '../../src/domain/card-crypto';
import { businessDate } from '../../src/domain/business-date';
import { checkLedger } from '../../src/modules/reconcile/ledger-check';
import { ledgerCheckRepo } from '../../src/modules/reconcile/ledger-check-repo';
import { Client, download, text } from '../helpers/client';
import { followImport } from '../helpers/import-jobs';
import { testDatabase } from '../helpers/test-db';
import { PASSWORD, countRows, makeOrder, payEnv, signedIn } from '../helpers/world';
import * as f from '../factories';

const db = await testDatabase();
const k = db.knex;
const env = await payEnv(db, { SANDBOX: '1' });

const collegeA = await f.college(k);
const collegeB = await f.college(k);
const fin = await f.person(k, { role: 'finance_admin', password: PASSWORD });
const dept = await f.person(k, { role: 'dept_staff', password: PASSWORD, collegeId: collegeA.id });
const tuition = await f.feeItem(k, { category: '财政', name: '学费' });
const dorm = await f.feeItem(k, { category: '代收', name: '住宿费' });
const period = await f.period(k);

const DAY = 24 * 3600_000;
const today = () => businessDate();
const inDays = (n: number) => businessDate(new Date(Date.now() + n * DAY));

/** A student of `collegeId` owing 学费 5,000.00 (财政) and 住宿费 1,200.00 (代收). */
async function student(collegeId = collegeA.id) {
  const p = await f.person(k, { password: PASSWORD, collegeId });
  const t = await f.bill(k, { personId: p.personId, periodId: period.id, feeItemId: tuition.id, due: '5000.00' });
  const d = await f.bill(k, { personId: p.personId, periodId: period.id, feeItemId: dorm.id, due: '1200.00' });
  return { ...p, tuitionBill: t as number, dormBill: d as number };
}
type Student = Awaited<ReturnType<typeof student>>;

/** Signed in and past a console page, so the CSRF token is the signed-in session's. */
async function consoleClient(number: string) {
  const c = await signedIn(env, number);
  await c.get('/console');
  return c;
}
const finance = () => consoleClient(fin.number);
const deptStaff = () => consoleClient(dept.number);
const defer = (c: Client, s: Student, amounts: Record<number, string>, o: Record<string, string> = {}) =>
  c.post(`/console/people/${s.personId}/deferrals`, {
    kind: 'national', expected: inDays(30), reason: '国家助学贷款办理中', ...Object.fromEntries(Object.entries(amounts).map(([id, a]) => [`defer_${id}`, a])), ...o,
  });
const deferrals = (s: Student) => k('deferrals').where({ person_id: s.personId }).orderBy('id').select('status', 'amount', 'covered', 'kind');
const box = (html: string, billId: number) => new RegExp(`name="amount_${billId}" id="amount_${billId}" value="([^"]*)"`).exec(html)?.[1];
const itemsPage = (c: Client, category = '财政') => c.get(`/pay/items?category=${encodeURIComponent(category)}&period=${period.id}`);
const choose = (c: Client, billId: number, amount: string) =>
  c.post('/pay/items', { category: '财政', period: String(period.id), bill: [String(billId)], [`amount_${billId}`]: amount });
const ledgerDifferences = () => checkLedger(ledgerCheckRepo(k));

describe('a deferral stops online payment of its amount only', () => {
  it('shows 缓缴 on 当前费用 and offers only the rest in the wizard; a crafted amount is refused', async () => {
    const s = await student();
    const fc = await finance();
    const granted = await defer(fc, s, { [s.tuitionBill]: '3000.00' }, { kind: 'green', reason: '绿色通道入学' });
    expect(granted.status, granted.text.slice(0, 300)).toBe(303);
    expect(await deferrals(s)).toEqual([{ status: 'approved', amount: '3000.00', covered: '0.00', kind: 'green' }]);

    const c = await signedIn(env, s.number);
    const fees = text((await c.get('/fees')).text);
    expect(fees).toContain(`缓缴 ¥ 3,000.00（绿色通道，预计 ${inDays(30)} 到账）`);
    expect(box((await itemsPage(c)).text, s.tuitionBill)).toBe('2000.00');
    // A crafted 缴费金额 above the payable part is refused and nothing is kept for the next step.
    const crafted = await choose(c, s.tuitionBill, '2000.01');
    expect(crafted.status).toBe(400);
    expect(text(crafted.text)).toContain('2,000.00');
    // The rest is paid as usual.
    const orderNo = await makeOrder(c, '财政', period.id, { [s.tuitionBill]: '2000.00' });
    expect((await k('orders').where({ order_no: orderNo }).first('amount')).amount).toBe('2000.00');
  });

  it('re-checks at order creation and at 确定缴费: what was chosen before the deferral cannot be paid after it', async () => {
    const s = await student();
    const c = await signedIn(env, s.number);
    await itemsPage(c);
    expect((await choose(c, s.tuitionBill, '5000.00')).status).toBe(303);
    const fc = await finance();
    expect((await defer(fc, s, { [s.tuitionBill]: '1000.00' })).status).toBe(303);
    const before = await countRows(k, 'orders');
    const create = await c.post('/pay/orders', {});
    expect(create.status).toBe(409);
    expect(await countRows(k, 'orders')).toBe(before);

    // An order made before a deferral on the other bill's twin: 确定缴费 is refused once the deferral is in force.
    const t = await student();
    const tc = await signedIn(env, t.number);
    const orderNo = await makeOrder(tc, '财政', period.id, { [t.tuitionBill]: '5000.00' });
    expect((await defer(fc, t, { [t.tuitionBill]: '500.00' })).status).toBe(303);
    await tc.get(`/pay/orders/${orderNo}`);
    const submit = await tc.post(`/pay/orders/${orderNo}/submit`, { channel: 'nontax' });
    expect(submit.status).toBe(409);
    expect(await countRows(k, 'payment_attempts', { order_id: (await k('orders').where({ order_no: orderNo }).first('id')).id })).toBe(0);
  });

  it('refuses bad input with the page again, the input kept, nothing written', async () => {
    const s = await student();
    const fc = await finance();
    const cases: [Record<number, string>, Record<string, string>, string][] = [
      [{ [s.tuitionBill]: '5000.01' }, {}, '缓缴金额不能超过欠费金额 5000.00 元'],
      [{ [s.tuitionBill]: 'abc' }, {}, '金额须为大于0且最多两位小数的数字'],
      [{ [s.tuitionBill]: '100' }, { expected: '2026-13-01' }, '预计到账日期格式应为'],
      [{ [s.tuitionBill]: '100' }, { expected: inDays(-2) }, '预计到账日期不能早于今天'],
      [{ [s.tuitionBill]: '100' }, { kind: 'loan' }, '请选择缓缴类型'],
      [{}, {}, '请至少在一个账单上填写缓缴金额'],
    ];
    for (const [amounts, extra, message] of cases) {
      const res = await defer(fc, s, amounts, { reason: '保留的原因', ...extra });
      expect(res.status, message).toBe(400);
      expect(text(res.text)).toContain(message);
      expect(res.text).toContain('value="保留的原因"');
    }
    expect(await deferrals(s)).toEqual([]);
    // A second deferral on a bill that has one is refused.
    expect((await defer(fc, s, { [s.tuitionBill]: '100' })).status).toBe(303);
    expect((await defer(fc, s, { [s.tuitionBill]: '100' })).status).toBe(409);
    expect((await deferrals(s)).length).toBe(1);
  });
});

describe('a college staff request waits for finance', () => {
  it('is 申请 until finance approves it; another college is refused; each step is audited', async () => {
    const s = await student();
    const other = await student(collegeB.id);
    const dc = await deptStaff();
    expect((await defer(dc, s, { [s.tuitionBill]: '4000.00' })).status).toBe(303);
    expect(await deferrals(s)).toEqual([{ status: 'requested', amount: '4000.00', covered: '0.00', kind: 'national' }]);
    const c = await signedIn(env, s.number);
    expect(box((await itemsPage(c)).text, s.tuitionBill)).toBe('5000.00'); // not in force yet

    // Another college's student: no page, no deferral.
    expect((await dc.get(`/console/people/${other.personId}`)).status).toBe(404);
    expect((await defer(dc, other, { [other.tuitionBill]: '100' })).status).toBe(404);
    expect(await deferrals(other)).toEqual([]);
    // A bill of another college's student named on this student's page is refused too.
    expect((await defer(dc, s, { [other.tuitionBill]: '100' })).status).toBe(400);

    const id = (await k('deferrals').where({ person_id: s.personId }).first('id')).id;
    expect((await dc.post(`/console/deferrals/${id}/decision`, { decision: 'approve' })).status).toBe(403);
    expect(text((await dc.get('/console/deferrals')).text)).toContain(s.number);
    expect(text((await dc.get('/console/deferrals')).text)).not.toContain(other.number);

    const fc = await finance();
    expect(text((await fc.get('/console/deferrals?status=requested')).text)).toContain(s.number);
    expect((await fc.post(`/console/deferrals/${id}/decision`, { decision: 'maybe' })).status).toBe(400);
    expect((await fc.post(`/console/deferrals/${id}/decision`, { decision: 'approve' })).status).toBe(303);
    expect((await deferrals(s))[0]!.status).toBe('approved');
    expect(box((await itemsPage(c)).text, s.tuitionBill)).toBe('1000.00');
    // Decided once: a second answer changes nothing.
    const again = await fc.post(`/console/deferrals/${id}/decision`, { decision: 'reject' });
    expect(again.status).toBe(409);
    expect(text(again.text)).toContain('该缓缴申请已处理');

    expect((await defer(dc, s, { [s.dormBill]: '1200.00' }, { kind: 'green' })).status).toBe(303);
    const second = (await k('deferrals').where({ person_id: s.personId, status: 'requested' }).first('id')).id;
    expect((await fc.post(`/console/deferrals/${second}/decision`, { decision: 'reject' })).status).toBe(303);
    const actions = (await k('audit_log').where({ target_person_id: s.personId }).where('action', 'like', 'deferral.%').orderBy('id').select('action')).map((r) => r.action);
    expect(actions).toEqual(['deferral.request', 'deferral.approve', 'deferral.request', 'deferral.reject']);
  });
});

const HEADER = '学号,贷款类型,金额,到账日期\r\n';
const csv = (rows: string[]) => Buffer.from(`\uFEFF${HEADER}${rows.map((r) => `${r}\r\n`).join('')}`, 'utf8');
const upload = async (c: Client, bytes: Buffer, name = '放款.csv') => {
  await c.get('/console/imports');
  return followImport(c, await c.agent.post('/console/imports/loans').set('Accept', 'text/html').field('_csrf', c.csrfToken).attach('file', bytes, name));
};

describe('loan disbursements', () => {
  it('imports nothing from a file with errors and names each bad row', async () => {
    const s = await student();
    const staff = await f.person(k, { role: 'staff' });
    const fc = await finance();
    const before = await Promise.all(['loan_disbursements', 'bill_ledger', 'receipts', 'loan_refunds'].map((t) => countRows(k, t)));
    const page = await upload(fc, csv([
      `${s.number},国家助学贷款,6000.00,${today()}`,
      `NOSUCH1,国家助学贷款,100,${today()}`,
      `${s.number},助学金,abc,2026-02-30`,
      `${staff.number},生源地信用助学贷款,100,${today()}`,
      `${s.number},国家助学贷款,6000.00,${today()}`,
      `${s.number},生源地信用助学贷款,100,${inDays(2)}`,
    ]));
    const shown = text(page.text);
    expect(shown).toContain('文件有 5 行错误，本次没有导入任何数据');
    expect(shown).toContain('3 NOSUCH1 学号“NOSUCH1”不存在或不是学生');
    expect(shown).toContain('4 ' + s.number + ' 贷款类型“助学金”无效（应为国家助学贷款或生源地信用助学贷款）；金额须为大于0且最多两位小数的数字；到账日期格式应为 2026-09-01');
    expect(shown).toContain(`5 ${staff.number} 学号“${staff.number}”不存在或不是学生`);
    expect(shown).toContain(`6 ${s.number} 与第2行重复（同一学号、贷款类型、到账日期、金额）`);
    expect(shown).toContain(`7 ${s.number} 到账日期不能晚于今天`);
    expect(await Promise.all(['loan_disbursements', 'bill_ledger', 'receipts', 'loan_refunds'].map((t) => countRows(k, t)))).toEqual(before);
  });

  it('pays a loan larger than what is owed into the deferred bills, ends the deferrals, and refunds the surplus once; the same file twice applies once', async () => {
    const s = await student();
    const fc = await finance();
    expect((await defer(fc, s, { [s.tuitionBill]: '5000.00', [s.dormBill]: '1200.00' })).status).toBe(303);
    const file = csv([`${s.number},国家助学贷款,8000.00,${today()}`]);
    const first = text((await upload(fc, file)).text);
    expect(first).toContain('贷款放款导入成功：共 1 行，入账 1，已导入过 0，生成退款 1');

    const bills = await k('bills').whereIn('id', [s.tuitionBill, s.dormBill]).orderBy('id').select('paid');
    expect(bills.map((b) => b.paid)).toEqual(['5000.00', '1200.00']);
    expect((await deferrals(s)).map((d) => [d.status, d.covered])).toEqual([['settled', '5000.00'], ['settled', '1200.00']]);
    const ledger = await k('bill_ledger').whereIn('bill_id', [s.tuitionBill, s.dormBill]).where('kind', 'loan').orderBy('bill_id').select('amount');
    expect(ledger.map((l) => l.amount)).toEqual(['5000.00', '1200.00']);
    const receipts = await k('receipts').where({ person_id: s.personId }).orderBy('id').select('preparer', 'category', 'method', 'total');
    expect(receipts).toEqual([
      { preparer: '财务处', category: '财政', method: 'loan', total: '5000.00' },
      { preparer: '财务处', category: '代收', method: 'loan', total: '1200.00' },
    ]);
    const refunds = await k('loan_refunds').where({ person_id: s.personId }).select('amount', 'status');
    expect(refunds).toEqual([{ amount: '1800.00', status: 'pending' }]);
    expect(await ledgerDifferences()).toEqual([]);

    const second = text((await upload(fc, file)).text);
    expect(second).toContain('贷款放款导入成功：共 1 行，入账 0，已导入过 1，生成退款 0');
    expect(await countRows(k, 'loan_refunds', { person_id: s.personId })).toBe(1);
    expect(await countRows(k, 'bill_ledger', { kind: 'loan' })).toBeGreaterThan(0);
    expect((await k('bills').where({ id: s.tuitionBill }).first('paid')).paid).toBe('5000.00');
    // Recorded by hand with the same key: refused, nothing applied.
    const byHand = await fc.post(`/console/people/${s.personId}/loans`, { kind: 'national', amount: '8000.00', arrived: today() });
    expect(byHand.status).toBe(409);
    expect(text(byHand.text)).toContain('该笔贷款已登记');
    expect(await ledgerDifferences()).toEqual([]);
  });

  it('records a loan by hand: a partial loan keeps the rest of the deferral in force; bad input re-renders', async () => {
    const s = await student();
    const fc = await finance();
    expect((await defer(fc, s, { [s.tuitionBill]: '4000.00' })).status).toBe(303);
    const bad = await fc.post(`/console/people/${s.personId}/loans`, { kind: 'national', amount: '15元', arrived: today() });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('value="15元"');
    expect((await fc.post(`/console/people/${s.personId}/loans`, { kind: 'local', amount: '1500', arrived: today() })).status).toBe(303);
    // The loan paid 1,500 of the bill: 1,500 of the deferral is covered, 2,500 still deferred.
    expect((await deferrals(s)).map((d) => [d.status, d.covered])).toEqual([['approved', '1500.00']]);
    const c = await signedIn(env, s.number);
    expect(box((await itemsPage(c)).text, s.tuitionBill)).toBe('1000.00');
    expect(await countRows(k, 'loan_refunds', { person_id: s.personId })).toBe(0);
    expect(await ledgerDifferences()).toEqual([]);
  });

  it('applies a disbursement once when two finance sessions record it at the same moment, and a request is decided once', async () => {
    const s = await student();
    const [a, b] = await Promise.all([finance(), finance()]);
    expect((await defer(a, s, { [s.tuitionBill]: '5000.00' })).status).toBe(303);
    const fields = { kind: 'local', amount: '5600.00', arrived: today() };
    const answers = await Promise.all([a.post(`/console/people/${s.personId}/loans`, fields), b.post(`/console/people/${s.personId}/loans`, fields)]);
    expect(answers.map((r) => r.status).sort()).toEqual([303, 409]);
    expect(await countRows(k, 'loan_disbursements', { person_id: s.personId })).toBe(1);
    expect((await k('loan_refunds').where({ person_id: s.personId }).select('amount')).map((r) => r.amount)).toEqual(['600.00']);
    expect((await k('bills').where({ id: s.tuitionBill }).first('paid')).paid).toBe('5000.00');

    const dc = await deptStaff();
    expect((await defer(dc, s, { [s.dormBill]: '600.00' })).status).toBe(303);
    const id = (await k('deferrals').where({ person_id: s.personId, status: 'requested' }).first('id')).id;
    const decided = await Promise.all([a.post(`/console/deferrals/${id}/decision`, { decision: 'approve' }), b.post(`/console/deferrals/${id}/decision`, { decision: 'reject' })]);
    expect(decided.map((r) => r.status).sort()).toEqual([303, 409]);
    expect(await countRows(k, 'audit_log', { target_person_id: s.personId, action: 'deferral.approve' }) + await countRows(k, 'audit_log', { target_person_id: s.personId, action: 'deferral.reject' })).toBe(1);
    expect(await ledgerDifferences()).toEqual([]);
  });

  it('shows deferred and real arrears apart in the arrears report', async () => {
    const fc = await finance();
    const page = text((await fc.get(`/console/reports?by=college&college=${collegeB.id}`)).text);
    expect(page).toContain('缓缴金额');
    expect(page).toContain('实际欠费');
    const s = await student(collegeB.id);
    expect((await defer(fc, s, { [s.tuitionBill]: '3000.00' })).status).toBe(303);
    const csvText = (await fc.get(`/console/reports.csv?by=college&college=${collegeB.id}`)).text;
    const total = csvText.split('\r\n').find((l) => l.startsWith('"合计"'))!;
    // 应收 12,400 (two students of college B), 欠费 12,400, of it 缓缴 3,000 and 实际欠费 9,400.
    expect(total).toContain('"12400.00","0.00","0.00","0.00","12400.00","3000.00","9400.00"');
  });
});

describe('an expired deferral', () => {
  it('turns back into arrears by the job and the student is told once, by SMS and on 当前费用', async () => {
    const s = await student();
    const fc = await finance();
    expect((await defer(fc, s, { [s.tuitionBill]: '3000.00' })).status).toBe(303);
    // Another's deferred bill was paid in full at the counter meanwhile: it expires with nothing to tell.
    const paid = await student();
    expect((await defer(fc, paid, { [paid.tuitionBill]: '3000.00' })).status).toBe(303);
    expect((await fc.post(`/console/people/${paid.personId}/counter`, { method: 'cash', reason: '现金缴清', [`amount_${paid.tuitionBill}`]: '5000.00' })).status).toBe(303);
    await k('deferrals').whereIn('person_id', [s.personId, paid.personId]).update({ expected_on: inDays(-1) });
    const job = platformJobs({ config: env.config, knex: k, logger: createLogger('silent'), smsSender: { send: async () => ({ ok: true }) } as never }).find((j) => j.name === 'deferral-expiry')!;
    await job.run();
    await job.run();
    expect((await deferrals(s)).map((d) => d.status)).toEqual(['expired']);
    expect((await deferrals(paid)).map((d) => d.status)).toEqual(['expired']);
    // The counter payment's own receipt SMS may be queued for them; no notice of the expiry is.
    expect((await k('sms_outbox').where({ person_id: paid.personId }).pluck('body')).filter((b: string) => b.includes('缓缴'))).toEqual([]);
    const sms = await k('sms_outbox').where({ person_id: s.personId }).select('body');
    expect(sms.length).toBe(1);
    expect(sms[0]!.body).toContain(`学费缓缴（国家助学贷款，3,000.00元）预计到账日期${inDays(-1)}已过`);
    const c = await signedIn(env, s.number);
    expect(text((await c.get('/fees')).text)).toContain('3,000.00元已恢复为欠费');
    expect(box((await itemsPage(c)).text, s.tuitionBill)).toBe('5000.00');
  });
});

describe('the bank batch of refunds', () => {
  it('exports the refunds waiting as a CSV for the bank (BOM, CRLF), then tracks each one', async () => {
    const s = await student();
    await k('accounts').where({ person_id: s.personId }).update({ bank_name: '中国工商银行', bank_card_enc: encryptCard('6222020200112233445', env.config.bankCardKey), bank_card_last4: '3445' });
    const fc = await finance();
    expect((await fc.post(`/console/people/${s.personId}/loans`, { kind: 'national', amount: '800.50', arrived: today() })).status).toBe(303);
    // Other tests' refunds wait too, for students with no card on file: they stay 待导出.
    const waiting = await countRows(k, 'loan_refunds', { status: 'pending' });
    const exported = await fc.post('/console/loan-refunds/export', {});
    expect(exported.status).toBe(303);
    expect(await countRows(k, 'loan_refunds', { status: 'pending' })).toBe(waiting - 1);
    const r = await k('loan_refunds').where({ person_id: s.personId }).first('id', 'status', 'batch_id', 'version');
    expect(r.status).toBe('exported');
    const file = await download(fc, `/console/loan-refunds/batches/${r.batch_id}/file.csv`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toContain('text/csv');
    const body = (file.body as Buffer).toString('utf8');
    expect(body.startsWith('\uFEFF"序号","学号","姓名","开户银行","银行卡号","金额","用途"\r\n')).toBe(true);
    expect(body).toContain(`"${s.number}","${s.name}","中国工商银行","6222020200112233445","800.50","助学贷款结余退款"\r\n`);
    expect(body.split('\r\n').every((l) => !l.includes('\n'))).toBe(true);
    // Nothing left to export: said so, nothing written.
    const none = await fc.post('/console/loan-refunds/export', {});
    expect(none.status).toBe(409);
    expect(text(none.text)).toContain('没有可导出的退款');

    expect((await fc.post(`/console/loan-refunds/${r.id}/state`, { state: 'paid', version: String(r.version), note: '银行回单' })).status).toBe(303);
    expect((await k('loan_refunds').where({ id: r.id }).first('status')).status).toBe('paid');
    // On the version read before: the state moved, refused.
    const stale = await fc.post(`/console/loan-refunds/${r.id}/state`, { state: 'failed', version: String(r.version), note: '' });
    expect(stale.status).toBe(409);
    expect((await k('loan_refunds').where({ id: r.id }).first('status')).status).toBe('paid');
    expect((await fc.post(`/console/loan-refunds/${r.id}/state`, { state: 'lost', version: 'x' })).status).toBe(400);
  });
});

describe('who may reach the new pages', () => {
  const FINANCE_GETS = ['/console/loan-refunds', '/console/loan-refunds/batches/1/file.csv'];
  const FINANCE_POSTS = ['/console/people/1/loans', '/console/deferrals/1/decision', '/console/loan-refunds/export', '/console/loan-refunds/1/state', '/console/imports/loans'];
  const CONSOLE_GETS = ['/console/deferrals'];
  const CONSOLE_POSTS = ['/console/people/1/deferrals'];

  it('gives a student 403 on every one, department staff 403 on finance actions, and anonymous visitors the login page', async () => {
    const s = await student();
    const c = await signedIn(env, s.number);
    await c.get('/fees');
    for (const p of [...FINANCE_GETS, ...CONSOLE_GETS]) expect((await c.get(p)).status, p).toBe(403);
    for (const p of [...FINANCE_POSTS, ...CONSOLE_POSTS]) expect((await c.post(p, {})).status, p).toBe(403);
    const dc = await deptStaff();
    for (const p of FINANCE_GETS) expect((await dc.get(p)).status, p).toBe(403);
    for (const p of FINANCE_POSTS) expect((await dc.post(p, {})).status, p).toBe(403);
    const anon = new Client(env.app);
    for (const p of [...FINANCE_GETS, ...CONSOLE_GETS]) expect((await anon.get(p)).headers.location ?? '', p).toContain('/login');
    // Finance: a batch or refund that does not exist is a 404, not a 500.
    const fc = await finance();
    expect((await fc.get('/console/loan-refunds/batches/999999/file.csv')).status).toBe(404);
    expect((await fc.post('/console/loan-refunds/999999/state', { state: 'paid', version: '0' })).status).toBe(404);
    expect((await fc.post('/console/deferrals/999999/decision', { decision: 'approve' })).status).toBe(404);
  });
});
