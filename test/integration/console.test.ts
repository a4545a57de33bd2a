// The console: role boundaries, each action and its bad inputs, the CSV export's bytes.
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { testApp } from '../helpers/app';
import { Client, download, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { refundFromConsole } from '../helpers/world';
import { captchaOf } from './profile-helpers';

const db = await testDatabase({ demo: true });
const app = testApp(db);
const k = db.knex;

async function finance() {
  const c = new Client(app);
  await c.login(DEMO.finance.number, DEMO.finance.password);
  return c;
}
async function dept() {
  const c = new Client(app);
  await c.login(DEMO.deptStaff.number, DEMO.deptStaff.password);
  return c;
}
const personId = async (number: string) => (await k('people').where({ number }).first('id')).id as number;
const collegeId = async (name: string) => (await k('colleges').where({ name }).first('id')).id as number;

/** Bill totals equal the ledger sums, for every bill. */
async function ledgerAgrees() {
  const { rows } = await k.raw(`
    SELECT count(*) AS bad FROM bills b LEFT JOIN (
      SELECT bill_id, sum(amount) FILTER (WHERE kind IN ('charge','adjustment')) AS due, sum(amount) FILTER (WHERE kind = 'reduction') AS reduction,
             sum(amount) FILTER (WHERE kind = 'payment') AS paid, sum(amount) FILTER (WHERE kind = 'refund') AS refunded
      FROM bill_ledger GROUP BY bill_id) l ON l.bill_id = b.id
    WHERE b.due <> COALESCE(l.due, 0) OR b.reduction <> COALESCE(l.reduction, 0) OR b.paid <> COALESCE(l.paid, 0) OR b.refunded <> COALESCE(l.refunded, 0)`);
  return Number(rows[0].bad);
}

const CONSOLE_GETS = ['/console', '/console/people?q=张', '/console/people/1', '/console/reports', '/console/reports.csv', '/console/fees', '/console/fees/items/new', '/console/announcements', '/console/announcements/new', '/console/imports', '/console/audit'];
const CONSOLE_POSTS = ['/console/people/1/account', '/console/people/1/adjust', '/console/people/1/counter', '/console/people/1/refund', '/console/fees/bill-run', '/console/fees/items', '/console/fees/periods', '/console/announcements'];

describe('console role boundaries', () => {
  it('gives a student 403 on every console path, GET and POST', async () => {
    const p = await f.person(k, { password: 'Student@2026' });
    const c = new Client(app);
    await c.login(p.number, 'Student@2026');
    for (const path of CONSOLE_GETS) expect((await c.get(path)).status, path).toBe(403);
    await c.get('/fees');
    for (const path of CONSOLE_POSTS) expect((await c.post(path, { reason: '测试原因' })).status, path).toBe(403);
  });

  it('sends anonymous visitors to the login page', async () => {
    const res = await new Client(app).get('/console/reports');
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/login');
  });

  it('sends finance and department staff from / to the console, with its own navigation', async () => {
    const c = await finance();
    const home = await c.get('/');
    expect(home.headers.location).toBe('/console');
    const t = text((await c.get('/console')).text);
    for (const label of ['工作台', '人员查询', '欠费报表', '收费项目与开单', '系统公告', '数据导入', '审计日志', '今日收款', '本月收款']) expect(t).toContain(label);
    const d = text((await (await dept()).get('/console')).text);
    expect(d).toContain('欠费报表');
    expect(d).not.toContain('审计日志');
  });

  it('keeps 计算机学院 staff to their college: search, person page and reports', async () => {
    const c = await dept();
    const other = await k('people as p').join('colleges as c', 'c.id', 'p.college_id').where('c.name', '机电工程学院').first('p.id', 'p.number', 'p.name');
    const search = await c.get(`/console/people?q=${other.number}`);
    expect(text(search.text)).toContain('没有找到符合条件的人员');
    expect((await c.get(`/console/people/${other.id}`)).status).toBe(404);
    const own = await c.get(`/console/people?q=${DEMO.student.number}`);
    expect(text(own.text)).toContain(DEMO.student.name);
    expect((await c.get(`/console/people/${await personId(DEMO.student.number)}`)).status).toBe(200);

    const report = text((await c.get(`/console/reports?by=college&college=${await collegeId('机电工程学院')}`)).text);
    expect(report).toContain('计算机学院');
    expect(report).not.toContain('机电工程学院');
    const csv = (await c.agent.get('/console/reports.csv?by=class')).text;
    expect(csv).not.toContain('机电工程学院');
    expect(csv).toContain('计算机学院');
  });

  it('refuses finance-only actions to department staff', async () => {
    const c = await dept();
    const zs = await personId(DEMO.student.number);
    await c.get('/console');
    for (const path of [`/console/people/${zs}/account`, `/console/people/${zs}/refund`, `/console/people/${zs}/counter`, '/console/fees/bill-run']) {
      expect((await c.post(path, { action: 'reset', reason: '测试原因' })).status, path).toBe(403);
    }
    for (const path of ['/console/fees', '/console/announcements', '/console/imports', '/console/audit']) expect((await c.get(path)).status, path).toBe(403);
  });
});

describe('person search and page', () => {
  it('finds by 学号, by part of the name and by 身份证号, and shows bills, account state and totals', async () => {
    const c = await finance();
    for (const q of [DEMO.student.number, '18201234', '张三', '340100198501011234', '340100198501011234'.toLowerCase()]) {
      const t = text((await c.get(`/console/people?q=${encodeURIComponent(q)}`)).text);
      expect(t, q).toContain(DEMO.student.name);
    }
    const page = text((await c.get(`/console/people/${await personId(DEMO.student.number)}`)).text);
    for (const s of ['应收账单', '医疗保险', '住宿费', '学费', '9,350.00', '初始密码', '订单', '收费单', '退费记录']) expect(page, s).toContain(s);
  });

  it('treats LIKE wildcards in the query as text', async () => {
    const c = await finance();
    expect(text((await c.get('/console/people?q=%25')).text)).toContain('没有找到符合条件的人员');
  });
});

describe('arrears report', () => {
  it('sums by college in SQL with totals that match the bills', async () => {
    const c = await finance();
    const t = text((await c.get('/console/reports?by=college')).text);
    const { rows } = await k.raw(`SELECT sum(due) AS due, sum(GREATEST(due - reduction - paid + refunded, 0)) AS arrears, count(DISTINCT person_id) AS heads FROM bills`);
    const fmt = (s: string) => Number(s).toLocaleString('en-US', { minimumFractionDigits: 2 });
    expect(t).toContain(`合计 ${rows[0].heads} ${fmt(rows[0].due)}`);
    expect(t).toContain(fmt(rows[0].arrears));
    for (const name of ['计算机学院', '机电工程学院', '理学院']) expect(t).toContain(name);
  });

  it('sorts by a column both ways, filters, pages by class, and reports bad query values', async () => {
    const c = await finance();
    const asc = await c.get('/console/reports?by=class&sort=arrears&dir=asc');
    const desc = await c.get('/console/reports?by=class&sort=arrears&dir=desc');
    // 欠费金额, then 缓缴金额 and 实际欠费, then 欠费人数 end each row.
    const amounts = (html: string) => [...html.matchAll(/<td class="num (?:due)?">([\d,]+\.\d\d)<\/td><td class="num">[\d,]+\.\d\d<\/td><td class="num">[\d,]+\.\d\d<\/td><td class="num">\d+<\/td>\s*<\/tr>/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
    const a = amounts(asc.text);
    const d = amounts(desc.text);
    expect(a.length).toBeGreaterThan(5);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect([...d].sort((x, y) => y - x)).toEqual(d);
    expect(text(asc.text)).toContain('总共 19条记录'); // 18 classes and the external payer's 无班级
    const bad = await c.get('/console/reports?by=nope&sort=x&page=zz');
    expect(bad.status).toBe(200);
    expect(text(bad.text)).toContain('统计口径无效');
    const period = (await k('fee_periods').where({ name: '2018年度' }).first('id')).id;
    const p18 = (await c.get(`/console/reports?by=item&period=${period}`)).text;
    expect(p18).toContain('<td>学费</td>');
    expect(p18).not.toContain('<td>住宿费</td>');
  });

  it('exports CSV bytes Excel opens: BOM, CRLF, the filters first, quoted header, groups and a 合计 line', async () => {
    const c = await finance();
    const res = await download(c, '/console/reports.csv?by=college&sort=name');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain("filename*=UTF-8''");
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const body = bytes.subarray(3).toString('utf8');
    const lines = body.split('\r\n');
    // What the report is and how it was drawn, then a blank line, then the table.
    const blank = lines.indexOf('');
    expect(lines.slice(0, blank - 1)).toEqual(['"欠费报表"', '"统计口径","按学院"', '"收费期间","全部"', '"收费项目","全部"', '"学院","全部"', '"班级","全部"', '"排序","学院 升序"']);
    expect(lines[blank - 1]).toMatch(/^"导出时间","\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"$/);
    expect(lines[blank + 1]).toBe('"学院","人数","应收金额","减免金额","实缴金额","退费金额","欠费金额","缓缴金额","实际欠费","欠费人数"');
    expect(lines.at(-1)).toBe('');
    expect(body).not.toMatch(/[^\r]\n/);
    const total = lines.at(-2)!;
    expect(total.startsWith('"合计",')).toBe(true);
    const { rows } = await k.raw(`SELECT count(DISTINCT person_id) AS heads, sum(due) AS due, sum(paid) AS paid FROM bills`);
    expect(total).toContain(`"${rows[0].heads}","${rows[0].due}"`);
    expect(lines.length).toBe(blank + 1 + 1 + 6 + 1 + 1 + 1); // header, 6 colleges, 无学院 (external payer), 合计, trailing ''
  });
});

describe('accounts', () => {
  it('resets a password to the initial one, which must then be changed', async () => {
    const p = await f.person(k, { password: 'Chosen@2026x', idNumber: '62010219900101123X' });
    const c = await finance();
    await c.get(`/console/people/${p.personId}`);
    const bad = await c.post(`/console/people/${p.personId}/account`, { action: 'reset', reason: '' });
    expect(bad.status).toBe(400);
    expect(text(bad.text)).toContain('请填写原因');
    const ok = await c.post(`/console/people/${p.personId}/account`, { action: 'reset', reason: '本人来电，已核实身份' });
    expect(ok.status).toBe(303);
    const acct = await k('accounts').where({ person_id: p.personId }).first();
    expect(acct.password_hash).toBeNull();
    expect(acct.must_change_password).toBe(true);
    const login = await new Client(app).login(p.number, '0101123X');
    expect(login.headers.location).toBe('/profile/password');
    const audit = await k('audit_log').where({ action: 'account.reset', target_person_id: p.personId }).first();
    expect(audit.detail.reason).toBe('本人来电，已核实身份');
  });

  it('shows the login limits of an account after failed logins, and 解除登录限制 lifts them', async () => {
    const p = await f.person(k, { password: 'Chosen@2026x' });
    for (let i = 0; i < 5; i++) await new Client(app).login(p.number, 'wrong-password');
    // A sixth wrong guess, checked with its 验证码, starts this address's delay.
    const g = new Client(app);
    await g.get('/login');
    expect((await g.post('/login', { username: p.number, password: 'wrong-password', captcha: (await captchaOf(g, k)).text })).status).toBe(401);
    // The owner would need a 验证码 now, and this address waits.
    expect((await new Client(app).login(p.number, 'Chosen@2026x')).status).not.toBe(303);
    const c = await finance();
    const page = text((await c.get(`/console/people/${p.personId}`)).text);
    expect(page).toMatch(/登录受限：近期失败\d+次，登录须输入验证码，1个地址延时中/);
    expect(page).toContain('解除登录限制');
    expect((await c.post(`/console/people/${p.personId}/account`, { action: 'unlock', reason: '本人确认后解锁' })).status).toBe(303);
    expect(text((await c.get(`/console/people/${p.personId}`)).text)).not.toContain('登录受限');
    expect((await new Client(app).login(p.number, 'Chosen@2026x')).status).toBe(303);
  });

  it('disables and re-enables an account, but not one’s own', async () => {
    const p = await f.person(k, { password: 'Chosen@2026x' });
    const c = await finance();
    await c.get('/console');
    const student = new Client(app);
    await student.login(p.number, 'Chosen@2026x');
    expect((await c.post(`/console/people/${p.personId}/account`, { action: 'disable', reason: '已退学' })).status).toBe(303);
    expect((await student.get('/fees')).status).toBe(303); // the open session ends at once
    expect(text((await new Client(app).login(p.number, 'Chosen@2026x')).text)).not.toContain('当前费用');
    expect((await c.post(`/console/people/${p.personId}/account`, { action: 'enable', reason: '复学' })).status).toBe(303);
    expect((await new Client(app).login(p.number, 'Chosen@2026x')).status).toBe(303);
    const self = await c.post(`/console/people/${await personId(DEMO.finance.number)}/account`, { action: 'disable', reason: '测试停用' });
    expect(self.status).toBe(400);
    expect(text(self.text)).toContain('不能停用自己的账户');
    expect((await c.post(`/console/people/${p.personId}/account`, { action: 'explode', reason: '测试原因' })).status).toBe(400);
  });
});

describe('系统公告', () => {
  it('creates a draft, publishes it (shown on login), and withdraws it', async () => {
    const c = await finance();
    await c.get('/console/announcements/new');
    const bad = await c.post('/console/announcements', { action: 'publish', title: '', body: 'x', publish_from: '2026-01-01T10:00', publish_until: '2025-01-01T10:00' });
    expect(bad.status).toBe(400);
    expect(text(bad.text)).toContain('请输入标题');
    expect(text(bad.text)).toContain('结束时间须晚于开始时间');
    expect((await c.post('/console/announcements', { action: 'save', title: '寒假缴费提醒', body: '请于放假前完成缴费。' })).status).toBe(303);
    expect(text((await new Client(app).get('/login')).text)).not.toContain('寒假缴费提醒');
    const id = (await k('announcements').where({ title: '寒假缴费提醒' }).first('id')).id;
    await c.get(`/console/announcements/${id}`);
    expect((await c.post(`/console/announcements/${id}`, { action: 'publish', title: '寒假缴费提醒', body: '请于放假前完成缴费。' })).status).toBe(303);
    expect(text((await new Client(app).get('/login')).text)).toContain('寒假缴费提醒');
    expect((await c.post(`/console/announcements/${id}`, { action: 'withdraw', title: '寒假缴费提醒', body: '请于放假前完成缴费。' })).status).toBe(303);
    expect(text((await new Client(app).get('/login')).text)).not.toContain('寒假缴费提醒');
  });

  it('keeps a future window hidden until it opens', async () => {
    const c = await finance();
    await c.get('/console/announcements/new');
    await c.post('/console/announcements', { action: 'publish', title: '下学期通知', body: '内容', publish_from: '2099-01-01T08:00' });
    expect(text((await new Client(app).get('/login')).text)).not.toContain('下学期通知');
  });
});

describe('fee items, periods and billing', () => {
  it('creates and edits a fee item, refusing a bad window and a duplicate name', async () => {
    const c = await finance();
    await c.get('/console/fees/items/new');
    const form = { code: '20270001', name: '考研报名费', category: '代收', fee_type: '其他费用', payee: '兰州理工大学', starts_at: '2027-01-01T00:00', ends_at: '2027-03-01T00:00', status: '收费', sort_order: '9' };
    const bad = await c.post('/console/fees/items', { ...form, ends_at: '2026-01-01T00:00' });
    expect(bad.status).toBe(400);
    expect(text(bad.text)).toContain('收费终止须晚于收费起始');
    expect(bad.text).toContain('value="考研报名费"');
    expect(text((await c.post('/console/fees/items', { ...form, category: '其它' })).text)).toContain('请选择项目类别');
    expect((await c.post('/console/fees/items', form)).status).toBe(303);
    const item = await k('fee_items').where({ name: '考研报名费' }).first();
    expect(item.category).toBe('代收');
    expect(new Date(item.starts_at).toISOString()).toBe('2026-12-31T16:00:00.000Z');
    const dup = await c.post('/console/fees/items', { ...form, code: '20270002' });
    expect(text(dup.text)).toContain('已有同名的收费项目');
    expect((await c.post(`/console/fees/items/${item.id}`, { ...form, status: '停止' })).status).toBe(303);
    expect((await k('fee_items').where({ id: item.id }).first()).status).toBe('停止');
    expect((await c.post('/console/fees/periods', { name: '2027年度', sort_order: '2027' })).status).toBe(303);
    expect(text((await c.post('/console/fees/periods', { name: '2027年度', sort_order: 'x' })).text)).toContain('排序须为整数');
  });

  it('bills a whole class in one action, never twice', async () => {
    const c = await finance();
    const klass = await k('classes as k').join('colleges as c', 'c.id', 'k.college_id').where({ 'c.name': '理学院', 'k.name': '17级' }).first('k.id');
    const students = Number((await k('people').where({ class_id: klass.id }).count({ n: '*' }))[0]!.n);
    const period = await f.period(k);
    const item = await f.feeItem(k);
    await c.get('/console/fees');
    const form = { period: String(period.id), item: String(item.id), target: 'class', klass: String(klass.id), amount: '1,200.50', reason: '补收教材费' };
    const res = await c.post('/console/fees/bill-run', form);
    expect(res.status).toBe(200);
    expect(text(res.text)).toContain(`新开 ${students} 张账单`);
    const again = await c.post('/console/fees/bill-run', form);
    expect(text(again.text)).toContain('新开 0 张账单');
    const [{ n, due }] = await k('bills').where({ period_id: period.id, fee_item_id: item.id }).select(k.raw('count(*) AS n, sum(due) AS due'));
    expect(Number(n)).toBe(students);
    expect(due).toBe((1200.5 * students).toFixed(2));
    expect(await ledgerAgrees()).toBe(0);
    const bad = await c.post('/console/fees/bill-run', { ...form, target: 'list', numbers: 'NOPE1 NOPE2', amount: '-3' });
    expect(bad.status).toBe(400);
    expect(text(bad.text)).toContain('金额须为大于0');
    const missing = await c.post('/console/fees/bill-run', { ...form, target: 'list', numbers: `${DEMO.student.number}\nNOPE1` });
    expect(text(missing.text)).toContain('以下学号不存在：NOPE1');
  });

  it('records a 减免 and a correction as ledger entries, refusing a reduction beyond what is due', async () => {
    const p = await f.person(k);
    const bill = await f.bill(k, { personId: p.personId, periodId: (await f.period(k)).id, feeItemId: (await f.feeItem(k)).id, due: '5000.00' });
    const c = await finance();
    await c.get(`/console/people/${p.personId}`);
    const ok = await c.post(`/console/people/${p.personId}/adjust`, { bill: String(bill), kind: 'reduction', amount: '2000', reason: '绿色通道缓缴' });
    expect(ok.status).toBe(303);
    const over = await c.post(`/console/people/${p.personId}/adjust`, { bill: String(bill), kind: 'reduction', amount: '3000.01', reason: '助学贷款' });
    expect(over.status).toBe(400);
    expect(text(over.text)).toContain('减免金额不能超过应收金额');
    expect((await c.post(`/console/people/${p.personId}/adjust`, { bill: String(bill), kind: 'adjustment', amount: '-100.5', reason: '学费标准更正' })).status).toBe(303);
    expect((await c.post(`/console/people/${p.personId}/adjust`, { bill: String(bill), kind: 'adjustment', amount: '1.001', reason: '测试' })).status).toBe(400);
    const b = await k('bills').where({ id: bill }).first();
    expect([b.due, b.reduction]).toEqual(['4899.50', '2000.00']);
    const entries = await k('bill_ledger').where({ bill_id: bill }).orderBy('id').select('kind', 'amount', 'reason');
    expect(entries.slice(1)).toEqual([{ kind: 'reduction', amount: '2000.00', reason: '绿色通道缓缴' }, { kind: 'adjustment', amount: '-100.50', reason: '学费标准更正' }]);
    // Another person's bill through this person's page: refused.
    const other = await f.person(k);
    expect((await c.post(`/console/people/${other.personId}/adjust`, { bill: String(bill), kind: 'reduction', amount: '1', reason: '测试原因' })).status).toBe(400);
  });
});

describe('counter payments and refunds', () => {
  it('takes a cash payment with a receipt whose 制单人 is the cashier, then refunds part of it offline', async () => {
    const p = await f.person(k);
    const period = await f.period(k);
    const tuition = await f.bill(k, { personId: p.personId, periodId: period.id, feeItemId: (await f.feeItem(k)).id, due: '8000.00' });
    const insurance = await f.bill(k, { personId: p.personId, periodId: period.id, feeItemId: (await f.feeItem(k, { category: '代收' })).id, due: '250.00' });
    const c = await finance();
    await c.get(`/console/people/${p.personId}`);
    const mixed = await c.post(`/console/people/${p.personId}/counter`, { [`amount_${tuition}`]: '100', [`amount_${insurance}`]: '250', method: 'cash', reason: '现场缴费' });
    expect(text(mixed.text)).toContain('财政项目与代收项目须分开收费');
    const over = await c.post(`/console/people/${p.personId}/counter`, { [`amount_${tuition}`]: '8000.01', method: 'cash', reason: '现场缴费' });
    expect(text(over.text)).toContain('收费金额不能超过欠费金额 8000.00 元');
    const noReason = await c.post(`/console/people/${p.personId}/counter`, { [`amount_${tuition}`]: '1', method: 'cheque', reason: '' });
    expect(noReason.status).toBe(400);
    expect(text(noReason.text)).toContain('请选择收费方式');
    const ok = await c.post(`/console/people/${p.personId}/counter`, { [`amount_${tuition}`]: '3000.00', method: 'pos', reason: '现场刷卡缴费' });
    expect(ok.status).toBe(303);
    const receipt = await k('receipts').where({ person_id: p.personId }).first();
    // Its fiscal e-bill is asked of the platform like an online payment's (ebill-kinds.test.ts).
    expect([receipt.preparer, receipt.method, receipt.total, receipt.category, receipt.ebill_status]).toEqual(['高峰', 'pos', '3000.00', '财政', '待生成']);
    expect((await k('bills').where({ id: tuition }).first()).paid).toBe('3000.00');

    const tooMuch = (await refundFromConsole(c, p.personId, { bill: String(tuition), amount: '3000.01', mode: 'offline', reason: '退学退费' })).done;
    expect(tooMuch.status).toBe(400);
    expect(text(tooMuch.text)).toContain('退费金额不能超过该账单可退金额 3000.00 元');
    const channel = (await refundFromConsole(c, p.personId, { bill: String(tuition), amount: '10', mode: 'channel', reason: '原路退回' })).done;
    expect(text(channel.text)).toContain('该账单没有网上支付的订单，请选择线下退费');
    expect((await refundFromConsole(c, p.personId, { bill: String(tuition), amount: '1000', mode: 'offline', reason: '退学退费' })).done.status).toBe(303);
    const b = await k('bills').where({ id: tuition }).first();
    expect([b.paid, b.refunded]).toEqual(['3000.00', '1000.00']);
    const refund = await k('refunds').where({ bill_id: tuition }).first();
    expect(refund.refund_no).toMatch(/^TF\d{6}\d{8}$/);
    expect(refund.status).toBe('succeeded');
    const page = text((await c.get(`/console/people/${p.personId}`)).text);
    expect(page).toContain(refund.refund_no);
    expect(page).toContain('可退 2000.00');
    expect(await ledgerAgrees()).toBe(0);
    // The student's own 已缴费信息 reads the same receipts table.
    expect(await k('receipts').where({ person_id: p.personId, preparer: '高峰' }).count({ n: '*' })).toEqual([{ n: '1' }]);
  });
});

describe('audit log viewer', () => {
  it('filters by who, what, whom and when', async () => {
    const c = await finance();
    const p = await f.person(k, { password: 'Chosen@2026x' });
    await c.get('/console');
    await c.post(`/console/people/${p.personId}/account`, { action: 'reset', reason: '审计测试' });
    const byTarget = text((await c.get(`/console/audit?target=${p.number}`)).text);
    expect(byTarget).toContain('重置为初始密码');
    expect(byTarget).toContain('审计测试');
    expect(byTarget).toContain(`${DEMO.finance.name}（${DEMO.finance.number}）`);
    expect(text((await c.get(`/console/audit?actor=${DEMO.deptStaff.number}&target=${p.number}`)).text)).toContain('没有符合条件的记录');
    expect(text((await c.get(`/console/audit?action=account.reset&from=2000-01-01&to=2000-01-02`)).text)).toContain('没有符合条件的记录');
    expect(text((await c.get('/console/audit?from=2020-13-45')).text)).toContain('日期格式应为');
  });
});
