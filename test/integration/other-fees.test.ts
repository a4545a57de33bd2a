// 其他费用 over HTTP: the tab lists the person's 其他费用 items by period with their window; paying
// goes through 学费缴费's wizard (fee=other) and is refused, saying why, before 收费起始, after
// 收费终止 (unless 逾期可缴) and while 停止 — at 缴费信息修改, again at 下一步 and again at 确定缴费;
// optional items (选缴) are billed only when chosen, once however often; bad input and another
// person's ids write nothing.
import { describe, expect, it } from 'vitest';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { PASSWORD, countRows, payEnv, signedIn, submitOutcome, tableCounts } from '../helpers/world';
import * as f from '../factories';

const db = await testDatabase();
const knex = db.knex;
const env = await payEnv(db, { SANDBOX: '1' });

const DAY = 86_400_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
const WRITES = ['bills', 'bill_ledger', 'orders', 'order_lines', 'payment_attempts', 'audit_log'] as const;

/** A payer with one 代收 其他费用 bill of 120.00 whose item has `item`'s window. */
async function payer(item: Parameters<typeof f.feeItem>[1] = {}, kind: 'student' | 'external' = 'student') {
  const p = await f.person(knex, { password: PASSWORD, kind });
  const period = await f.period(knex);
  const it = await f.feeItem(knex, { feeType: '其他费用', category: '代收', startsAt: iso(-10 * DAY), endsAt: iso(10 * DAY), ...item });
  const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: it.id, due: '120.00' });
  const c = await signedIn(env, p.number);
  await c.get('/other-fees'); // the page's CSRF token, as a browser has it
  return { ...p, c, periodId: period.id, itemId: it.id, itemName: it.name, billId };
}
type Payer = Awaited<ReturnType<typeof payer>>;

const choose = (p: Payer, billId = p.billId, o: { periodId?: number; amount?: string } = {}) =>
  p.c.post('/pay/items', { fee: 'other', category: '代收', period: String(o.periodId ?? p.periodId), bill: [String(billId)], [`amount_${billId}`]: o.amount ?? '120.00' });

async function unchanged<T>(act: () => Promise<T>): Promise<T> {
  const before = await tableCounts(knex, WRITES);
  const out = await act();
  expect(await tableCounts(knex, WRITES)).toEqual(before);
  return out;
}

describe('the 其他费用 tab', () => {
  it('lists the 其他费用 items by period with 项目类别, 收费起始, 收费终止 and 收费状态; 学费缴费 does not', async () => {
    const p = await payer({ name: `会议注册费${Date.now()}`, startsAt: '2026-01-01T00:00:00+08:00', endsAt: '2099-06-30T23:59:59+08:00' });
    const res = await p.c.get('/other-fees');
    expect(res.status).toBe(200);
    const t = text(res.text);
    expect(t).toContain('当前位置：其他费用');
    expect(t).not.toContain('暂未开放');
    expect(t).toMatch(new RegExp(`${p.itemName} 代收 2026-01-01 2099-06-30 收费 120.00 0.00 120.00 未完成 可缴费`));
    expect(res.text).toContain(`name="period" value="${p.periodId}"`);
    expect(text((await p.c.get('/pay')).text)).not.toContain(p.itemName);
  });

  it('pays through the same wizard: 缴费信息修改 and 交费信息显示 under 其他费用, an order on the usual pages', async () => {
    const p = await payer();
    const items = await p.c.get(`/pay/items?fee=other&category=${encodeURIComponent('代收')}&period=${p.periodId}`);
    expect(items.status).toBe(200);
    expect(text(items.text)).toContain('当前位置：其他费用 >> 缴费信息修改');
    expect(items.text).toContain('<input type="hidden" name="fee" value="other">');
    expect(items.text).toContain('href="/other-fees">上一步');
    expect((await choose(p)).status).toBe(303);
    const review = await p.c.get('/pay/review');
    expect(text(review.text)).toContain('当前位置：其他费用 >> 交费信息显示');
    expect(review.text).toContain('/pay/items?fee=other&amp;category=');
    const built = await p.c.post('/pay/orders', {});
    expect(built.status).toBe(303);
    const orderNo = /\/pay\/orders\/(\w+)/.exec(built.headers.location!)![1]!;
    const confirm = text((await p.c.get(`/pay/orders/${orderNo}`)).text);
    expect(confirm).toContain('微信支付');
    expect(await knex('order_lines').where({ bill_id: p.billId }).count('* as n').first()).toEqual({ n: '1' });
  });
});

describe('the collection window, checked on the server', () => {
  it('refuses before 收费起始, saying when it starts, and writes nothing', async () => {
    const p = await payer({ startsAt: iso(2 * DAY), endsAt: iso(10 * DAY) });
    expect(text((await p.c.get('/other-fees')).text)).toMatch(/尚未开始收费（收费起始 \d{4}-\d\d-\d\d \d\d:\d\d）/);
    const res = await unchanged(() => choose(p));
    expect(res.status).toBe(400);
    expect(text(res.text)).toContain(`“${p.itemName}”尚未开始收费`);
  });

  it('refuses after 收费终止, saying it is over', async () => {
    const p = await payer({ startsAt: iso(-20 * DAY), endsAt: iso(-DAY) });
    expect(text((await p.c.get('/other-fees')).text)).toContain('已过收费终止时间');
    const res = await unchanged(() => choose(p));
    expect(res.status).toBe(400);
    expect(text(res.text)).toContain(`“${p.itemName}”已过收费终止时间`);
    // 当前费用 hides it, and shows it with 显示过期项目.
    expect(text((await p.c.get('/fees')).text)).not.toMatch(new RegExp(`${p.itemName} \\d{4}-`));
    expect(text((await p.c.get('/fees?expired=1')).text)).toMatch(new RegExp(`${p.itemName} \\S+ \\S+ 停止 其他费用`));
  });

  it('takes a payment after 收费终止 when finance marked the item 逾期可缴', async () => {
    const p = await payer({ startsAt: iso(-20 * DAY), endsAt: iso(-DAY), payableAfterEnd: true });
    expect(text((await p.c.get('/other-fees')).text)).toMatch(new RegExp(`${p.itemName} 代收 \\S+ \\S+（逾期可缴） 收费 `));
    expect((await choose(p)).status).toBe(303);
    expect((await p.c.post('/pay/orders', {})).status).toBe(303);
    // Still shown by 当前费用 without 显示过期项目: it can still be paid.
    expect(text((await p.c.get('/fees')).text)).toContain(p.itemName);
  });

  it('refuses while the item is 停止, even inside its window', async () => {
    const p = await payer({ status: '停止' });
    const res = await unchanged(() => choose(p));
    expect(res.status).toBe(400);
    expect(text(res.text)).toContain(`“${p.itemName}”暂停收费`);
  });

  it('checks again at 下一步: a window closed after 缴费信息修改 builds no order', async () => {
    const p = await payer();
    expect((await choose(p)).status).toBe(303);
    await knex('fee_items').where({ id: p.itemId }).update({ starts_at: iso(-20 * DAY), ends_at: iso(-1000) });
    const res = await unchanged(() => p.c.post('/pay/orders', {}));
    expect(res.status).toBe(409);
    expect(text(res.text)).toContain(`“${p.itemName}”已过收费终止时间`);
    expect(text(res.text)).toContain('当前位置：其他费用');
  });

  it('checks again at 确定缴费: a window closed after the order was built sends nothing to the channel', async () => {
    const p = await payer();
    expect((await choose(p)).status).toBe(303);
    const built = await p.c.post('/pay/orders', {});
    const orderNo = /\/pay\/orders\/(\w+)/.exec(built.headers.location!)![1]!;
    await knex('fee_items').where({ id: p.itemId }).update({ starts_at: iso(-20 * DAY), ends_at: iso(-1000) });
    const r = await submitOutcome(env.payment.submitToChannel(p.personId, orderNo, 'wechat'));
    expect(r).toEqual({ kind: 'refused', message: expect.stringContaining(`“${p.itemName}”已过收费终止时间`) });
    expect(await countRows(knex, 'payment_attempts', { order_id: (await knex('orders').where({ order_no: orderNo }).first('id')).id })).toBe(0);
  });
});

describe('选缴: optional items', () => {
  it('are offered with a checkbox and billed once, whatever twenty parallel choices do', async () => {
    const p = await payer();
    const period = await f.period(knex);
    const opt = await f.feeItem(knex, { name: `体检费${Date.now()}`, category: '代收', startsAt: iso(-DAY), endsAt: iso(DAY), optional: { periodId: period.id, amount: '45.00' } });
    const page = await p.c.get('/other-fees');
    expect(page.text).toContain(`name="item" value="${opt.id}"`);
    expect(await countRows(knex, 'bills', { person_id: p.personId, fee_item_id: opt.id })).toBe(0);

    const answers = await Promise.all(Array.from({ length: 20 }, () => p.c.post('/other-fees/choose', { item: [String(opt.id)] })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(303));
    const bills = await knex('bills').where({ person_id: p.personId, fee_item_id: opt.id }).select('id', 'due', 'period_id');
    expect(bills).toHaveLength(1);
    expect([bills[0].due, bills[0].period_id]).toEqual(['45.00', period.id]);
    expect(await countRows(knex, 'bill_ledger', { bill_id: bills[0].id })).toBe(1);
    expect(await countRows(knex, 'audit_log', { action: 'bill.choose', target_person_id: p.personId })).toBe(1);

    // Now an ordinary 其他费用 bill: listed (and payable), no longer offered.
    const after = await p.c.get('/other-fees');
    expect(after.text).not.toContain(`name="item" value="${opt.id}"`);
    expect(text(after.text)).toContain(`${opt.name} 代收`);
    expect((await choose(p, bills[0].id, { periodId: period.id, amount: '45.00' })).status).toBe(303);
  });

  it('is not offered to those outside its audience, nor chosen outside its window', async () => {
    const ext = await payer({}, 'external');
    const period = await f.period(knex);
    const forStudents = await f.feeItem(knex, { category: '代收', startsAt: iso(-DAY), endsAt: iso(DAY), optional: { periodId: period.id, amount: '30.00', audience: 'student' } });
    const later = await f.feeItem(knex, { category: '代收', startsAt: iso(DAY), endsAt: iso(2 * DAY), optional: { periodId: period.id, amount: '30.00' } });
    const page = await ext.c.get('/other-fees');
    expect(page.text).not.toContain(`value="${forStudents.id}"`);
    expect(text(page.text)).toContain(`“${later.name}”尚未开始收费`);
    expect(page.text).not.toContain(`name="item" value="${later.id}"`);

    const refused = await unchanged(() => ext.c.post('/other-fees/choose', { item: [String(forStudents.id)] }));
    expect(refused.status).toBe(400);
    expect(text(refused.text)).toContain('所选选缴项目不存在或未向您开放');
    const early = await unchanged(() => ext.c.post('/other-fees/choose', { item: [String(later.id)] }));
    expect(early.status).toBe(409);
    expect(text(early.text)).toContain(`“${later.name}”尚未开始收费`);
  });

  it('refuses bad input with the boxes kept as ticked, writing nothing', async () => {
    const p = await payer();
    const period = await f.period(knex);
    const opt = await f.feeItem(knex, { category: '代收', startsAt: iso(-DAY), endsAt: iso(DAY), optional: { periodId: period.id, amount: '20.00' } });
    for (const [fields, message] of [
      [{}, '请勾选要选缴的项目'],
      [{ item: ['abc'] }, ''],
      [{ item: [String(opt.id), '999999999'] }, '所选选缴项目不存在或未向您开放'],
    ] as const) {
      const res = await unchanged(() => p.c.post('/other-fees/choose', fields as unknown as Record<string, string[]>));
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.text).toContain('role="alert"');
      if (message) expect(text(res.text)).toContain(message);
      if ('item' in fields && (fields.item as readonly string[]).includes(String(opt.id))) expect(res.text).toMatch(new RegExp(`name="item" value="${opt.id}"[^>]*checked`));
    }
  });
});

describe('another person’s ids', () => {
  it('are refused in the 其他费用 wizard, as if they did not exist', async () => {
    const a = await payer();
    const b = await payer();
    const res = await unchanged(() => choose(a, b.billId));
    expect(res.status).toBe(400);
    expect(text(res.text)).toContain('所选缴费项目不存在或不属于您');
    // b's period holds nothing of a's: nothing to pay there, and b's bill is not shown.
    const theirs = await unchanged(() => choose(a, b.billId, { periodId: b.periodId }));
    expect(theirs.status).toBe(400);
    expect(text(theirs.text)).toContain('所选收费区间没有需要缴纳的代收项目');
    expect(theirs.text).not.toContain(b.itemName);
    const items = await a.c.get(`/pay/items?fee=other&category=${encodeURIComponent('代收')}&period=${b.periodId}`);
    expect(items.status).toBe(400);
    expect(items.text).not.toContain(`value="${b.billId}"`);

    expect((await choose(b)).status).toBe(303);
    const built = await b.c.post('/pay/orders', {});
    const orderNo = /\/pay\/orders\/(\w+)/.exec(built.headers.location!)![1]!;
    expect((await a.c.get(`/pay/orders/${orderNo}`)).status).toBe(404);
    expect((await unchanged(() => a.c.post(`/pay/orders/${orderNo}/submit`, { channel: 'wechat' }))).status).toBe(404);
  });
});

describe('收费项目 in the console', () => {
  const finance = async () => {
    const fin = await f.person(knex, { role: 'finance_admin', password: PASSWORD });
    const c = new Client(env.app);
    expect((await c.login(fin.number, PASSWORD)).status).toBe(303);
    await c.get('/console/fees/items/new');
    return c;
  };
  const base = { code: '20269999', category: '代收', fee_type: '其他费用', payee: '兰州理工大学', starts_at: '2026-09-01T00:00', ends_at: '2027-06-30T23:59', status: '收费', sort_order: '0' };

  it('saves 逾期可缴 and 选缴 (period, amount, audience) per item', async () => {
    const c = await finance();
    const period = await f.period(knex);
    const name = `论文集${Date.now()}`;
    const res = await c.post('/console/fees/items', { ...base, name, payable_after_end: '1', optional: '1', offer_period: String(period.id), offer_amount: '80', offer_audience: 'external' }, { from: '/console/fees/items/new' });
    expect(res.status, text(res.text ?? '')).toBe(303);
    const row = await knex('fee_items').where({ name }).first();
    expect([row.payable_after_end, row.optional, row.offer_period_id, row.offer_amount, row.offer_audience]).toEqual([true, true, period.id, '80.00', 'external']);
    const form = await c.get(`/console/fees/items/${row.id}`);
    expect(form.text).toMatch(/name="payable_after_end" value="1" checked/);
    expect(form.text).toMatch(/name="optional" value="1" checked/);
  });

  it('refuses a 选缴 item without its period or amount, of type 学费, or 逾期可缴 without 收费终止: the form again, as typed, nothing written', async () => {
    const c = await finance();
    const period = await f.period(knex);
    for (const [fields, field, message] of [
      [{ optional: '1', offer_amount: '80' }, 'offer_period', '请选择选缴期间'],
      [{ optional: '1', offer_period: String(period.id), offer_amount: '0' }, 'offer_amount', '选缴金额须为大于0且最多两位小数的数字'],
      [{ optional: '1', fee_type: '学费', offer_period: String(period.id), offer_amount: '80' }, 'optional', '选缴项目的收费类型须为其他费用'],
      [{ payable_after_end: '1', ends_at: '' }, 'payable_after_end', '逾期可缴的项目须填写收费终止'],
      [{ optional: '1', offer_period: '999999', offer_amount: '80' }, 'offer_period', '选缴期间不存在'],
    ] as const) {
      const name = `坏项目${Math.random()}`;
      const before = await tableCounts(knex, ['fee_items', 'audit_log']);
      const res = await c.post('/console/fees/items', { ...base, name, ...fields }, { from: '/console/fees/items/new' });
      expect(res.status, field).toBe(400);
      expect(text(res.text)).toContain(message);
      expect(res.text).toContain(`value="${name}"`);
      expect(await tableCounts(knex, ['fee_items', 'audit_log'])).toEqual(before);
    }
  });
});
