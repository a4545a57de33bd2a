// 报名信息 through the real app and sandbox: the console's 报名项目 (create,
// publish, sign-ups, CSV, close, 取消报名 with its refund through the WeChat sandbox), a person's
// 报名 with its extra fields, 我的报名 and 报名确认单, 去缴费 into 其他费用's wizard with the bill
// ticked, a free 报名项目 (已报名 at once, no bill), the quota under 60 concurrent sign-ups, and
// the hold job releasing a seat (or waiting while a payment is in progress).
import { describe, expect, it } from 'vitest';
import { platformJobs } from '../../src/jobs';
import { createLogger } from '../../src/logger';
import { Client, download, text } from '../helpers/client';
import { PASSWORD, pageAction, payAt, payEnv, signedIn, tableCounts, waitForStatus } from '../helpers/world';
import { testServices } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { buildPaidOrder, buildUnpaidOrder } from '../factories-payments';

const db = await testDatabase({ poolMax: 20 });
const knex = db.knex;
const env = await payEnv(db, { SANDBOX: '1', SANDBOX_TIME_SCALE: '0.0005' });
const services = testServices({ config: env.config, db });
const FIN_PASSWORD = 'Finance#2026x';

async function finance() {
  const fin = await f.person(knex, { role: 'finance_admin', password: FIN_PASSWORD });
  const c = new Client(env.app);
  expect((await c.login(fin.number, FIN_PASSWORD)).status).toBe(303);
  return c;
}

const local = (ms: number) => new Date(Date.now() + ms + 8 * 3600_000).toISOString().slice(0, 16);

/** A 报名项目 made and published through the console (`free`: 免费, no fee item); returns its id. */
async function project(c: Client, o: { quota?: string; amount?: string; audience?: string; hold?: string; category?: '财政' | '代收'; free?: boolean } = {}) {
  const item = await f.feeItem(knex, { feeType: '其他费用', category: o.category ?? '代收' });
  const period = await f.period(knex);
  await c.get('/console/enrolment/new');
  const fee: Record<string, string> = o.free ? { free: '1' } : { fee_item: String(item.id), period: String(period.id), amount: o.amount ?? '50.00' };
  const res = await c.post('/console/enrolment', {
    name: `普通话水平测试${item.id}`, description: '测试说明', audience: o.audience ?? 'external', opens_at: local(-3600_000), closes_at: local(86_400_000),
    quota: o.quota ?? '50', hold_minutes: o.hold ?? '30', ...fee,
    field_label_1: '工作单位', field_required_1: '1', field_max_1: '20',
  });
  expect(res.status, text(res.text)).toBe(303);
  const id = Number(/\/console\/enrolment\/(\d+)/.exec(res.headers.location!)![1]);
  expect((await c.post(`/console/enrolment/${id}/publish`, {})).status).toBe(303);
  return { id, item, period };
}

async function outsider() {
  const p = await f.person(knex, { kind: 'external', role: 'external', password: PASSWORD });
  return { ...p, c: await signedIn(env, p.number) };
}

async function signUp(c: Client, id: number, fields: Record<string, string> = { f1: '兰州某中学' }) {
  await c.get(`/enrolment/projects/${id}`);
  return c.post(`/enrolment/projects/${id}`, fields);
}

/** The href of the page's 去缴费 link (entities decoded). */
const payLink = (html: string) => /<a class="button primary" href="([^"]+)">去缴费<\/a>/.exec(html)?.[1]?.replace(/&amp;/g, '&');

/**
 * 去缴费 and on through 其他费用's wizard over HTTP, as the browser goes: 缴费信息修改 with the
 * sign-up's bill ticked, 下一步, 交费信息显示, 下一步, 图12, 确定缴费 with `channel`. Returns the
 * order's number and what 确定缴费 answered (the QR page for 微信支付 at a desk).
 */
async function payThroughOtherFees(c: Client, signupId: string, channel = 'wechat') {
  const href = payLink((await c.get(`/enrolment/signups/${signupId}`)).text);
  expect(href).toMatch(/^\/pay\/items\?fee=other&/);
  const items = await c.get(href!);
  expect(items.status).toBe(200);
  const q = new URL(href!, 'http://x').searchParams;
  const bill = q.get('bill')!;
  const chosen = await c.post('/pay/items', { fee: 'other', category: q.get('category')!, period: q.get('period')!, bill: [bill], [`amount_${bill}`]: /name="amount_\d+" id="amount_\d+" value="([\d.]+)"/.exec(items.text)![1]! });
  expect(chosen.status, text(chosen.text)).toBe(303);
  expect(text((await c.get('/pay/review')).text)).toContain('当前位置：其他费用 >> 交费信息显示');
  const built = await c.post('/pay/orders', {});
  expect(built.status).toBe(303);
  const orderNo = /\/pay\/orders\/(XF\d{6}LUT\d{6})/.exec(built.headers.location!)![1]!;
  await c.get(`/pay/orders/${orderNo}`);
  const submitted = await c.post(`/pay/orders/${orderNo}/submit`, { channel });
  expect(submitted.status, text(submitted.text).slice(0, 300)).toBe(200);
  return { orderNo, submitted };
}

const holdsJob = (at: Date) => platformJobs({ config: env.config, knex, logger: createLogger('silent'), now: () => at }).find((j) => j.name === 'enrolment-holds')!;
/** What a 取消报名 writes: none of it may change when the cancel is refused. */
const CANCEL_WRITES = ['enrolment_signups', 'bills', 'bill_ledger', 'refunds', 'audit_log'] as const;
const rows = (table: string) => knex(table).count<{ n: string }[]>({ n: '*' }).then((r) => Number(r[0]!.n));

describe('报名项目 in the console', () => {
  it('is created, published, listed to outsiders, and its bad inputs re-render with the input kept and write nothing', async () => {
    const c = await finance();
    await c.get('/console/enrolment/new');
    const before = await rows('enrolment_projects');
    const bad = await c.post('/console/enrolment', { name: '普通话<测试>', audience: 'external', opens_at: local(0), closes_at: local(-1000), quota: '0', hold_minutes: 'x', amount: '-1', field_label_1: '工作单位', field_max_1: '999' });
    expect(bad.status).toBe(400);
    const t = text(bad.text);
    for (const m of ['报名截止时间须晚于开始时间', '名额须为1至100000的整数', '保留时长须为1至10080分钟的整数', '请选择收费项目', '最大长度须为1至200的整数']) expect(t).toContain(m);
    expect(bad.text).toContain('value="普通话&lt;测试&gt;"');
    expect(bad.text).toContain('value="999"');
    expect(await rows('enrolment_projects')).toBe(before);
    // A 学费-type item is refused: the bill must be 其他费用 for /other-fees to pay it.
    const tuition = await f.feeItem(knex, { feeType: '学费' });
    const period = await f.period(knex);
    const wrong = await c.post('/console/enrolment', { name: '考试', audience: 'all', opens_at: local(0), closes_at: local(3600_000), quota: '5', hold_minutes: '30', fee_item: String(tuition.id), period: String(period.id), amount: '10' });
    expect(wrong.status).toBe(400);
    expect(text(wrong.text)).toContain('须为“其他费用”类型');
    expect(await rows('enrolment_projects')).toBe(before);

    const { id } = await project(c);
    const o = await outsider();
    expect(text((await o.c.get('/enrolment')).text)).toContain(`普通话水平测试`);
    const student = await f.person(knex, { password: PASSWORD });
    const s = await signedIn(env, student.number);
    expect((await s.get(`/enrolment/projects/${id}`)).status).toBe(404);
  });

  it("修改: a draft's bad inputs re-render with the input kept and change nothing; a published one, or another department's, is refused", async () => {
    const c = await finance();
    const item = await f.feeItem(knex, { feeType: '其他费用', category: '代收' });
    const period = await f.period(knex);
    const good = {
      name: `草稿项目${item.id}`, description: '测试说明', audience: 'external', opens_at: local(-3600_000), closes_at: local(86_400_000),
      quota: '20', hold_minutes: '30', fee_item: String(item.id), period: String(period.id), amount: '30.00',
    };
    await c.get('/console/enrolment/new');
    const made = await c.post('/console/enrolment', good);
    expect(made.status, text(made.text)).toBe(303);
    const id = Number(/\/console\/enrolment\/(\d+)/.exec(made.headers.location!)![1]);
    const draft = await knex('enrolment_projects').where({ id }).first();
    expect(draft.status).toBe('draft');

    const edit = await c.get(`/console/enrolment/${id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain(`value="${good.name}"`);
    const before = await tableCounts(knex, ['enrolment_projects', 'audit_log']);
    const bad = await c.post(`/console/enrolment/${id}`, { ...good, name: '改名<草稿>', quota: '0' });
    expect(bad.status).toBe(400);
    expect(text(bad.text)).toContain('名额须为1至100000的整数');
    expect(bad.text).toContain('value="改名&lt;草稿&gt;"');
    expect(bad.text).toContain('value="0"');
    expect(await knex('enrolment_projects').where({ id }).first()).toEqual(draft);
    expect(await tableCounts(knex, ['enrolment_projects', 'audit_log'])).toEqual(before);

    // Saved right, then published: no more changes.
    expect((await c.post(`/console/enrolment/${id}`, { ...good, quota: '25' })).status).toBe(303);
    expect((await knex('enrolment_projects').where({ id }).first('quota')).quota).toBe(25);
    expect((await c.post(`/console/enrolment/${id}/publish`, {})).status).toBe(303);
    const open = await knex('enrolment_projects').where({ id }).first();
    await c.get(`/console/enrolment/${id}/edit`);
    const late = await c.post(`/console/enrolment/${id}`, { ...good, quota: '99' });
    expect(late.status).toBe(409);
    expect(text(late.text)).toContain('报名项目已发布，不能再修改');
    expect(await knex('enrolment_projects').where({ id }).first()).toEqual(open);

    // Another department's staff: not found, not changed.
    const college = await f.college(knex);
    const staff = await f.person(knex, { role: 'dept_staff', collegeId: college.id, password: FIN_PASSWORD });
    const s = new Client(env.app);
    expect((await s.login(staff.number, FIN_PASSWORD)).status).toBe(303);
    expect((await s.get(`/console/enrolment/${id}/edit`)).status).toBe(404);
    await s.get('/console/enrolment/new');
    expect((await s.post(`/console/enrolment/${id}`, { ...good, quota: '99' })).status).toBe(404);
    expect(await knex('enrolment_projects').where({ id }).first()).toEqual(open);
  });

  it('refuses students on every console page of 报名项目', async () => {
    const p = await f.person(knex, { password: PASSWORD });
    const c = await signedIn(env, p.number);
    for (const path of ['/console/enrolment', '/console/enrolment/new', '/console/enrolment/1', '/console/enrolment/1/signups.csv']) expect((await c.get(path)).status).toBe(403);
    await c.get('/enrolment');
    expect((await c.post('/console/enrolment', { name: 'x' })).status).toBe(403);
    expect((await c.post('/console/enrolment/1/signups/1/cancel', { reason: '测试取消' })).status).toBe(403);
  });
});

describe('报名 by a person', () => {
  it('validates the extra fields by their definitions, keeps the input, and writes nothing when wrong', async () => {
    const { id } = await project(await finance());
    const o = await outsider();
    const before = [await rows('enrolment_signups'), await rows('bills'), await rows('bill_ledger')];
    const missing = await signUp(o.c, id, { f1: '' });
    expect(missing.status).toBe(400);
    expect(text(missing.text)).toContain('请填写工作单位');
    const long = await signUp(o.c, id, { f1: '很长的工作单位名称超过了二十个字的限制呀呀呀呀' });
    expect(long.status).toBe(400);
    expect(text(long.text)).toContain('工作单位不能超过20字');
    expect(long.text).toContain('很长的工作单位名称超过了二十个字的限制呀呀呀呀');
    expect([await rows('enrolment_signups'), await rows('bills'), await rows('bill_ledger')]).toEqual(before);
  });

  it('creates the sign-up and its 其他费用 bill, shows 待缴费 with 去缴费, and refuses a second sign-up and another person', async () => {
    const { id, item } = await project(await finance());
    const o = await outsider();
    const res = await signUp(o.c, id);
    expect(res.status, text(res.text)).toBe(303);
    const sid = /\/enrolment\/signups\/(\d+)/.exec(res.headers.location!)![1]!;
    const page = await o.c.get(res.headers.location!);
    expect(text(page.text)).toContain('待缴费');
    // 去缴费 opens 其他费用's 缴费信息修改 with this bill ticked (a bill of another item in the same
    // period is listed beside it, unticked): nothing to look for on /other-fees.
    const held = await knex('bills').where({ person_id: o.personId, fee_item_id: item.id }).first('id', 'period_id');
    const another = await f.feeItem(knex, { feeType: '其他费用', category: '代收' });
    const otherBill = await f.bill(knex, { personId: o.personId, periodId: held.period_id, feeItemId: another.id, due: '20.00' });
    const href = payLink(page.text);
    expect(href).toBe(`/pay/items?fee=other&category=${encodeURIComponent('代收')}&period=${held.period_id}&bill=${held.id}`);
    const items = await o.c.get(href!);
    expect(items.status).toBe(200);
    expect(text(items.text)).toContain('当前位置：其他费用 >> 缴费信息修改');
    expect(items.text).toMatch(new RegExp(`name="bill" value="${held.id}"[^>]*checked`));
    expect(items.text).not.toMatch(new RegExp(`name="bill" value="${otherBill}"[^>]*checked`));
    expect(text(items.text)).toMatch(/缴费金额: 50\.00 元/);
    expect(payLink((await o.c.get('/enrolment')).text)).toBe(href);
    const bill = await knex('bills').where({ person_id: o.personId, fee_item_id: item.id }).first('due', 'paid');
    expect(bill).toEqual({ due: '50.00', paid: '0.00' });
    expect(await knex('bill_ledger').join('bills', 'bills.id', 'bill_ledger.bill_id').where({ 'bills.person_id': o.personId, 'bills.fee_item_id': item.id }).pluck('kind')).toEqual(['charge']);
    const list = await o.c.get('/enrolment');
    expect(text(list.text)).toContain('待缴费');
    // 可报名项目 offers the sign-up made, not a 我要报名 that 您已报名该项目 would refuse.
    expect(list.text).toContain(`<a class="button" href="/enrolment/signups/${sid}">待缴费</a>`);
    expect(list.text).not.toContain(`href="/enrolment/projects/${id}"`);
    expect((await o.c.get(`/enrolment/signups/${sid}/confirmation`)).status).toBe(404);

    const again = await signUp(o.c, id);
    expect(again.status).toBe(409);
    expect(text(again.text)).toContain('您已报名该项目');

    const other = await outsider();
    expect((await other.c.get(`/enrolment/signups/${sid}`)).status).toBe(404);
    expect((await other.c.get(`/enrolment/signups/${sid}/confirmation`)).status).toBe(404);
    expect((await other.c.get('/enrolment/signups/abc')).status).toBe(404);
    // The 去缴费 address with this person's bill in it shows the other person nothing of it.
    const theirs = await other.c.get(href!);
    expect(theirs.status).toBe(400);
    expect(theirs.text).not.toContain(`value="${held.id}"`);
    expect(text((await other.c.get('/enrolment')).text)).not.toContain('兰州某中学');
  });
});

describe('a free 报名项目 (免费)', () => {
  it('is 已报名 at once with no bill to pay, has its 报名确认单, and still keeps to its quota', async () => {
    const { id } = await project(await finance(), { free: true, quota: '1' });
    expect((await knex('enrolment_projects').where({ id }).first('amount', 'fee_item_id'))).toEqual({ amount: null, fee_item_id: null });
    const o = await outsider();
    expect(text((await o.c.get('/enrolment')).text)).toContain('免费');
    const before = [await rows('bills'), await rows('bill_ledger'), await rows('orders')];
    const res = await signUp(o.c, id);
    expect(res.status, text(res.text)).toBe(303);
    expect(res.headers.location).toMatch(/\/enrolment\/signups\/\d+\?done=confirmed$/);
    expect([await rows('bills'), await rows('bill_ledger'), await rows('orders')]).toEqual(before);
    const s = await knex('enrolment_signups').where({ person_id: o.personId, project_id: id }).first('id', 'status', 'bill_id', 'hold_until', 'confirmed_at');
    expect(s).toMatchObject({ status: 'confirmed', bill_id: null, hold_until: null });
    expect(s.confirmed_at).not.toBeNull();
    const mine = await o.c.get(res.headers.location!);
    expect(text(mine.text)).toContain('已报名');
    expect(mine.text).not.toContain('去缴费');
    const conf = await o.c.get(`/enrolment/signups/${s.id}/confirmation`);
    expect(conf.status).toBe(200);
    expect(text(conf.text)).toContain('兰州某中学');
    // Nothing for the person to pay on 其他费用 either.
    expect(text((await o.c.get('/other-fees')).text)).not.toContain('普通话水平测试');

    // Its one seat is taken (a free seat is never released by the hold job): the next person is told it is full.
    await holdsJob(new Date(Date.now() + 7 * 86_400_000)).run();
    expect((await knex('enrolment_signups').where({ id: s.id }).first('status')).status).toBe('confirmed');
    const late = await outsider();
    const full = await signUp(late.c, id);
    expect(full.status).toBe(409);
    expect(text(full.text)).toContain('名额已满');
    expect(await knex('enrolment_signups').where({ project_id: id, person_id: late.personId }).first()).toBeUndefined();
  });
});

describe('名额', () => {
  it('60 concurrent sign-ups of different people for 50 seats: exactly 50 hold seats', async () => {
    const { id } = await project(await finance(), { quota: '50' });
    const people = await Promise.all(Array.from({ length: 60 }, () => f.person(knex, { kind: 'external', role: 'external' })));
    const results = await Promise.allSettled(people.map((p) => services.enrolment.signUp(p.personId, id, { f1: '单位' })));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok).toBe(50);
    for (const r of results) if (r.status === 'rejected') expect(String((r.reason as Error).message)).toContain('名额已满');
    expect(await knex('enrolment_signups').where({ project_id: id, status: 'holding' }).count<{ n: string }[]>({ n: '*' }).then((x) => Number(x[0]!.n))).toBe(50);
  });

  it('an unpaid sign-up releases its seat after its hold time: its bill closed, the seat taken by the next person', async () => {
    const { id, item } = await project(await finance(), { quota: '1', hold: '30' });
    const first = await outsider();
    expect((await signUp(first.c, id)).status).toBe(303);
    const second = await outsider();
    expect((await signUp(second.c, id)).status).toBe(409);

    await holdsJob(new Date(Date.now() + 29 * 60_000)).run();
    expect((await knex('enrolment_signups').where({ person_id: first.personId }).first('status')).status).toBe('holding');
    await holdsJob(new Date(Date.now() + 31 * 60_000)).run();
    expect((await knex('enrolment_signups').where({ person_id: first.personId }).first('status')).status).toBe('released');
    const bill = await knex('bills').where({ person_id: first.personId, fee_item_id: item.id }).first('due', 'paid');
    expect(bill).toEqual({ due: '0.00', paid: '0.00' });
    expect(text((await first.c.get('/enrolment')).text)).toContain('已取消');
    expect((await signUp(second.c, id)).status).toBe(303);
  });

  it('a lapsed hold whose bill has a live order is extended, not released', async () => {
    const { id } = await project(await finance(), { quota: '5', hold: '30' });
    const o = await outsider();
    expect((await signUp(o.c, id)).status).toBe(303);
    const s = await knex('enrolment_signups').where({ person_id: o.personId }).first('id', 'bill_id', 'hold_until');
    await buildUnpaidOrder(knex, { personId: o.personId, lines: [{ billId: s.bill_id, amount: '50.00' }], channel: 'wechat', category: '代收', status: 'paying' });
    await holdsJob(new Date(Date.now() + 31 * 60_000)).run();
    const after = await knex('enrolment_signups').where({ id: s.id }).first('status', 'hold_until');
    expect(after.status).toBe('holding');
    expect(new Date(after.hold_until).getTime()).toBeGreaterThan(new Date(s.hold_until).getTime());
    expect((await knex('bills').where({ id: s.bill_id }).first('due')).due).toBe('50.00');
  });
});

describe('money credited after a release', () => {
  it('makes the sign-up 已报名 when a seat is free, and flags it for refund when none is', async () => {
    const { id } = await project(await finance(), { quota: '1', hold: '30' });
    const first = await outsider();
    expect((await signUp(first.c, id)).status).toBe(303);
    const s1 = await knex('enrolment_signups').where({ person_id: first.personId }).first('id', 'bill_id');
    await holdsJob(new Date(Date.now() + 31 * 60_000)).run();
    expect((await knex('enrolment_signups').where({ id: s1.id }).first('status')).status).toBe('released');

    // A late notification credits the closed bill (the real crediting command): a seat is free.
    await buildPaidOrder(knex, { personId: first.personId, lines: [{ billId: s1.bill_id, amount: '50.00' }], channel: 'wechat', category: '代收' });
    await holdsJob(new Date()).run();
    expect((await knex('enrolment_signups').where({ id: s1.id }).first('status')).status).toBe('confirmed');
    expect(await knex('bills').where({ id: s1.bill_id }).first('due', 'paid')).toEqual({ due: '50.00', paid: '50.00' });
    expect(text((await first.c.get('/enrolment')).text)).toContain('已报名');

    // The only seat is taken now: a second person's late money is flagged, never kept silently.
    const second = await outsider();
    const { id: id2 } = await project(await finance(), { quota: '1', hold: '30' });
    expect((await signUp(second.c, id2)).status).toBe(303);
    const s2 = await knex('enrolment_signups').where({ person_id: second.personId, project_id: id2 }).first('id', 'bill_id');
    await holdsJob(new Date(Date.now() + 31 * 60_000)).run();
    const third = await outsider();
    expect((await signUp(third.c, id2)).status).toBe(303);
    await buildPaidOrder(knex, { personId: second.personId, lines: [{ billId: s2.bill_id, amount: '50.00' }], channel: 'wechat', category: '代收' });
    await holdsJob(new Date()).run();
    expect((await knex('enrolment_signups').where({ id: s2.id }).first('status')).status).toBe('refund_due');
    expect((await knex('enrolment_signups').where({ project_id: id2 }).whereIn('status', ['holding', 'confirmed']).count<{ n: string }[]>({ n: '*' }))[0]!.n).toBe('1');
    const fin = await finance();
    expect(text((await fin.get(`/console/enrolment/${id2}`)).text)).toContain('释放后到账，待退费');
  });
});

describe("a department's staff", () => {
  it("manages its own department's 报名项目 only", async () => {
    const college = await f.college(knex);
    const staff = await f.person(knex, { role: 'dept_staff', collegeId: college.id, password: FIN_PASSWORD });
    const c = new Client(env.app);
    expect((await c.login(staff.number, FIN_PASSWORD)).status).toBe(303);
    const { id: own } = await project(c);
    expect((await knex('enrolment_projects').where({ id: own }).first('college_id')).college_id).toBe(college.id);
    const { id: theirs } = await project(await finance());
    expect((await c.get(`/console/enrolment/${theirs}`)).status).toBe(404);
    expect((await c.get(`/console/enrolment/${theirs}/signups.csv`)).status).toBe(404);
    expect((await c.post(`/console/enrolment/${theirs}/close`, {})).status).toBe(404);
    expect(text((await c.get('/console/enrolment')).text)).not.toContain(`/console/enrolment/${theirs}"`);
    expect((await c.post(`/console/enrolment/${own}/signups/1/cancel`, { reason: '部门取消' })).status).toBe(403);
  });
});

describe('取消报名 of a paid sign-up', () => {
  it('is 已报名 once paid, has its 报名确认单, and is refunded once through the channel even when pressed twice at once', async () => {
    const c = await finance();
    const { id } = await project(c, { category: '代收' });
    const o = await outsider();
    expect((await signUp(o.c, id)).status).toBe(303);
    const s = await knex('enrolment_signups').where({ person_id: o.personId }).first('id', 'bill_id');

    // Paid as the person pays it: 去缴费 into 其他费用's wizard, 微信支付's QR scanned in the
    // sandbox, credited by the real notification.
    const { orderNo, submitted } = await payThroughOtherFees(o.c, s.id);
    await payAt(pageAction(submitted.text));
    await waitForStatus(knex, orderNo, 'paid');

    expect(text((await o.c.get(`/enrolment/signups/${s.id}`)).text)).toContain('已报名');
    const conf = await o.c.get(`/enrolment/signups/${s.id}/confirmation`);
    expect(conf.status).toBe(200);
    expect(text(conf.text)).toContain('报名确认单');
    expect(text(conf.text)).toContain('兰州某中学');

    const page = await c.get(`/console/enrolment/${id}`);
    expect(text(page.text)).toContain('取消报名并退费');
    const [a, b] = await Promise.all([
      c.post(`/console/enrolment/${id}/signups/${s.id}/cancel`, { reason: '考生申请取消' }),
      c.post(`/console/enrolment/${id}/signups/${s.id}/cancel`, { reason: '考生申请取消' }),
    ]);
    expect([a.status, b.status]).toEqual([303, 303]);
    const refunds = await knex('refunds').where({ bill_id: s.bill_id }).select('status', 'amount', 'channel');
    expect(refunds).toEqual([{ status: 'succeeded', amount: '50.00', channel: 'wechat' }]);
    const bill = await knex('bills').where({ id: s.bill_id }).first('due', 'reduction', 'paid', 'refunded');
    expect(bill).toEqual({ due: '50.00', reduction: '50.00', paid: '50.00', refunded: '50.00' });
    expect(text((await o.c.get('/enrolment')).text)).toContain('已退费');

    // Pressed once more afterwards: nothing left to refund, nothing written.
    expect((await c.post(`/console/enrolment/${id}/signups/${s.id}/cancel`, { reason: '再次点击' })).status).toBe(303);
    expect(await knex('refunds').where({ bill_id: s.bill_id }).count<{ n: string }[]>({ n: '*' }).then((x) => Number(x[0]!.n))).toBe(1);
  });

  it('refuses a cancel without a reason, keeping the page and writing nothing', async () => {
    const c = await finance();
    const { id } = await project(c);
    const o = await outsider();
    await signUp(o.c, id);
    const s = await knex('enrolment_signups').where({ person_id: o.personId }).first('id');
    await c.get(`/console/enrolment/${id}`);
    const before = await tableCounts(knex, CANCEL_WRITES);
    const res = await c.post(`/console/enrolment/${id}/signups/${s.id}/cancel`, { reason: 'x' });
    expect(res.status).toBe(400);
    expect(text(res.text)).toContain('请填写原因');
    // The reason typed is back in that sign-up's box.
    expect(res.text).toContain('name="reason" value="x"');
    const long = await c.post(`/console/enrolment/${id}/signups/${s.id}/cancel`, { reason: '因'.repeat(201) });
    expect(long.status).toBe(400);
    expect(text(long.text)).toContain('原因不能超过200字');
    expect(long.text).toContain(`name="reason" value="${'因'.repeat(201)}"`);
    expect((await knex('enrolment_signups').where({ id: s.id }).first('status')).status).toBe('holding');
    expect(await tableCounts(knex, CANCEL_WRITES)).toEqual(before);
  });

  it("refuses a sign-up's id under another 报名项目's address, writing nothing", async () => {
    const c = await finance();
    const { id: mine } = await project(c);
    const { id: theirs } = await project(c);
    const o = await outsider();
    expect((await signUp(o.c, theirs)).status).toBe(303);
    const s = await knex('enrolment_signups').where({ person_id: o.personId, project_id: theirs }).first('id');
    await c.get(`/console/enrolment/${mine}`);
    const before = await tableCounts(knex, CANCEL_WRITES);
    const res = await c.post(`/console/enrolment/${mine}/signups/${s.id}/cancel`, { reason: '考生申请取消' });
    expect(res.status).toBe(404);
    expect((await c.post(`/console/enrolment/${mine}/signups/abc/cancel`, { reason: '考生申请取消' })).status).toBe(404);
    expect((await knex('enrolment_signups').where({ id: s.id }).first('status')).status).toBe('holding');
    expect(await tableCounts(knex, CANCEL_WRITES)).toEqual(before);
  });
});

describe('报名名单 CSV and 关闭', () => {
  it('exports the sign-ups as CSV Excel opens (BOM, CRLF, formulas defused), then closes the 报名项目', async () => {
    const c = await finance();
    const { id } = await project(c);
    const o = await outsider();
    expect((await signUp(o.c, id, { f1: '=HYPERLINK("x")' })).status).toBe(303);
    const res = await download(c, `/console/enrolment/${id}/signups.csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const body = (res.body as Buffer).toString('utf8');
    expect(body.startsWith('\uFEFF')).toBe(true);
    expect(body).toContain('\r\n');
    expect(body).toContain('"序号","编号","姓名","身份","手机","报名时间","状态","已缴金额","工作单位"');
    expect(body).toContain(`"${o.number}"`);
    expect(body).toContain('"待缴费"');
    expect(body).toContain(`"'=HYPERLINK(""x"")"`);

    expect((await c.post(`/console/enrolment/${id}/close`, {})).status).toBe(303);
    expect((await o.c.get('/enrolment')).text).not.toContain(`href="/enrolment/projects/${id}"`);
    const late = await outsider();
    const refused = await signUp(late.c, id);
    expect(refused.status).toBe(409);
    expect(text(refused.text)).toContain('已关闭');
    expect(await knex('enrolment_signups').where({ project_id: id, person_id: late.personId }).first()).toBeUndefined();
  });
});
