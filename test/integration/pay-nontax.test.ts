// 学费缴费 through 非税支付, over HTTP with the sandbox on a real port.
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { ORDER_NO_PATTERN } from '../../src/domain/order-number';
import { text as rawText } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import {
  armFault, billIds, clearFaults, makeOrder, notification, orderStatus, payAtCashier, payEnv, postNotify, setPassword, signedIn, submitNontax, waitForStatus,
  PASSWORD,
} from '../helpers/world';
import * as f from '../factories';

/** The visible text with all spaces removed, so that labels match however the markup breaks them. */
const text = (html: string) => rawText(html).replace(/\s+/g, '');
const squash = (s: string) => s.replace(/\s+/g, '');

const db = await testDatabase({ demo: true });
const env = await payEnv(db);
const knex = db.knex;
await setPassword(knex, DEMO.student.number);

async function snapshot(personId?: number) {
  const q = (t: string) => knex(t).count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n));
  const bills = await knex('bills').modify((b) => { if (personId) b.where('person_id', personId); }).orderBy('id').select('id', 'paid', 'refunded', 'version');
  return { bills, receipts: await q('receipts'), ledger: await q('bill_ledger'), sms: await q('sms_outbox'), paidOrders: await knex('orders').where('status', 'paid').count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n)) };
}

/** A student with one 8000.00 财政 bill (学费-like), signed in. */
async function studentWithTuition(due = '8000.00') {
  const p = await f.person(knex, { password: PASSWORD });
  const period = await f.period(knex);
  const item = await f.feeItem(knex, { category: '财政' });
  const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due });
  const c = await signedIn(env, p.number);
  return { p, period, item, billId, c };
}

describe('学费缴费: the whole 财政 journey through 非税支付', () => {
  it('goes from 应交款明细表 to 支付成功 and credits the bills, the ledger, a 收费单 and an SMS', async () => {
    const c = await signedIn(env, DEMO.student.number);
    const ids = await billIds(knex, DEMO.student.number);
    const period = ids['学费']!.periodId;

    const list = await c.get('/pay');
    expect(list.status).toBe(200);
    const lt = text(list.text);
    for (const label of ['应交款明细表', '2019年度', '收费区间', '收费项目', '项目类别', '应收金额', '退费金额', '减免金额', '实缴金额', '欠费金额', '共有3条欠费记录', '财政项目缴费', '代收项目缴费']) expect(lt).toContain(squash(label));
    expect(lt).toContain('医疗保险代收250.00');

    const items = await c.get(`/pay/items?category=${encodeURIComponent('财政')}&period=${period}`);
    expect(items.status).toBe(200);
    const it = text(items.text);
    for (const label of ['缴费信息修改', '全选', '反选', '修改', '上一步', '下一步', '学费', '住宿费', '共有2条欠费记录', '9,100.00']) expect(it).toContain(squash(label));
    expect(it).not.toContain('医疗保险');

    const chosen = await c.post('/pay/items', {
      category: '财政', period: String(period), bill: [String(ids['学费']!.id), String(ids['住宿费']!.id)],
      [`amount_${ids['学费']!.id}`]: '8000.00', [`amount_${ids['住宿费']!.id}`]: '1100.00',
    });
    expect(chosen.status).toBe(303);
    expect(chosen.headers.location).toBe('/pay/review');
    const review = text((await c.get('/pay/review')).text);
    for (const label of ['交费信息显示', '共有2条记录', '共计交费：9,100.00元', '上一步', '下一步']) expect(review).toContain(squash(label));

    const made = await c.post('/pay/orders', {});
    expect(made.status).toBe(303);
    const orderNo = /XF\d{6}LUT\d{6}/.exec(made.headers.location!)![0];
    expect(orderNo).toMatch(ORDER_NO_PATTERN);

    const confirm = text((await c.get(`/pay/orders/${orderNo}`)).text);
    for (const label of ['缴费信息确认及支付方式选择', '缴费金额：9,100.00 元', '手续费：0.00 元', '总金额：9,100.00 元', '非税支付', '非税通知', '170****0000', '修改', '确定缴费', '取消交费',
      '请确保您已开通网上支付功能', '若缴费失败，请确认银行账户没有扣款再进行下次支付，避免重复缴费']) expect(confirm).toContain(squash(label));

    const { cashierUrl, payCode } = await submitNontax(c, orderNo);
    expect(payCode).toMatch(/^620000\d{2}30\d{10}$/);
    expect(cashierUrl.startsWith(env.sandboxUrl)).toBe(true);
    expect(await orderStatus(knex, orderNo)).toBe('paying');

    const cashier = text(await (await fetch(cashierUrl)).text());
    for (const label of ['缴款信息', '金额', '9100.00', '付款人', '张三', '编制日期', '备注', '接收单位名称', '兰州理工大学', '支付宝', '微信', '银联', '确认支付', '取消支付']) expect(cashier).toContain(squash(label));

    const back = await payAtCashier(cashierUrl, 'alipay');
    expect(back).toBe(`${env.appUrl}/pay/orders/${orderNo}/result`);
    await waitForStatus(knex, orderNo, 'paid');

    const result = text((await c.get(`/pay/orders/${orderNo}/result`)).text);
    for (const label of ['支付成功', `订单号: ${orderNo}`, '编号: 18201234567890', '姓名: 张三', '学费', '住宿费', '共2条记录', '交费: 9,100.00元', '打印页面']) expect(result).toContain(squash(label));

    const order = await knex('orders').where({ order_no: orderNo }).first();
    const bills = await knex('bills').whereIn('id', [ids['学费']!.id, ids['住宿费']!.id]).orderBy('id').select('paid');
    expect(bills.map((b) => b.paid).sort()).toEqual(['1100.00', '8000.00']);
    const ledger = await knex('bill_ledger').where({ order_id: order.id, kind: 'payment' });
    expect(ledger).toHaveLength(2);
    const receipt = await knex('receipts').where({ order_id: order.id }).first();
    expect(receipt).toMatchObject({ preparer: '支付平台', category: '财政', method: 'online', total: '9100.00' });
    // The e-bill is requested right after the credit (services.ts kicks the drain): 待生成 or already 已生成.
    expect(['待生成', '已生成']).toContain(receipt.ebill_status);
    expect(receipt.receipt_no).toMatch(/^\d{6}$/);
    expect(ledger.every((l) => String(l.receipt_id) === String(receipt.id))).toBe(true);
    const attempt = await knex('payment_attempts').where({ order_id: order.id }).first();
    expect(attempt).toMatchObject({ status: 'paid', channel: 'nontax', channel_order_id: payCode, amount: '9100.00' });
    expect(attempt.channel_trade_no).toMatch(/^NT\d+/);
    const sms = await knex('sms_outbox').where({ mobile: '17000000000' });
    expect(sms.some((s) => s.body.includes(orderNo) && s.body.includes('9,100.00'))).toBe(true);
    const events = await knex('channel_events').where({ order_no: orderNo, kind: 'notify' });
    expect(events.filter((e) => e.outcome === 'credited')).toHaveLength(1);

    const fees = text((await c.get('/fees')).text);
    expect(fees).toContain('已缴费9,100.00元');
    expect(fees).toContain('欠费250.00元');
    // Nothing 财政 is left to pay: only 医疗保险.
    expect(text((await c.get('/pay')).text)).toContain('共有1条欠费记录');
  });
});

describe('confirmations from the non-tax platform', () => {
  /** An order paid at the cashier whose own notification is held back, so the test sends them. */
  async function paidButNotNotified(due = '8000.00') {
    const s = await studentWithTuition(due);
    const orderNo = await makeOrder(s.c, '财政', s.period.id, { [s.billId]: due });
    const { cashierUrl, payCode } = await submitNontax(s.c, orderNo);
    await armFault(env, 'nontax', 'hold');
    try {
      await payAtCashier(cashierUrl, 'wechat');
    } finally {
      await clearFaults(env, 'nontax');
    }
    return { ...s, orderNo, payCode };
  }

  it('credits 20 identical confirmations sent in parallel exactly once', async () => {
    const s = await paidButNotNotified();
    const body = notification(env, s.payCode);
    const answers = await Promise.all(Array.from({ length: 20 }, () => postNotify(env, body)));
    expect(answers.every((a) => a.status === 200 && a.text === 'SUCCESS')).toBe(true);
    expect(await orderStatus(knex, s.orderNo)).toBe('paid');
    const bill = await knex('bills').where({ id: s.billId }).first();
    expect(bill.paid).toBe('8000.00');
    const order = await knex('orders').where({ order_no: s.orderNo }).first();
    expect(await knex('receipts').where({ order_id: order.id })).toHaveLength(1);
    expect(await knex('bill_ledger').where({ order_id: order.id })).toHaveLength(1);
    // One payment notice (the e-bill's own notice, purpose 'ebill', may follow it).
    expect(await knex('sms_outbox').where({ person_id: s.p.personId }).whereRaw("purpose IS DISTINCT FROM 'ebill'")).toHaveLength(1);
    const outcomes = (await knex('channel_events').where({ order_no: s.orderNo, kind: 'notify' })).map((e) => e.outcome);
    expect(outcomes.filter((o) => o === 'credited')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(19);
  });

  it('refuses a tampered signature, a wrong amount and a wrong merchant, records each, and changes nothing', async () => {
    const s = await paidButNotNotified();
    const before = await snapshot();
    for (const [body, outcome] of [
      [notification(env, s.payCode, { tamper: true }), 'rejected:signature'],
      [notification(env, s.payCode, { amount: '7999.99' }), 'rejected:amount'],
      [notification(env, s.payCode, { amount: '8000.01' }), 'rejected:amount'],
      [notification(env, s.payCode, { merchantId: 'OTHER0001' }), 'rejected:merchant'],
      ['merchant_id=LUT620000001&sign=abc', 'rejected:malformed'],
    ] as const) {
      const a = await postNotify(env, body);
      expect(a.text, outcome).toBe('FAIL');
      const last = await knex('channel_events').where({ kind: 'notify' }).orderBy('id', 'desc').first();
      expect(last.outcome).toBe(outcome);
      expect(last.body).toBe(body);
    }
    expect(await snapshot()).toEqual(before);
    expect(await orderStatus(knex, s.orderNo)).toBe('paying');
    // The genuine one still goes through afterwards.
    expect((await postNotify(env, notification(env, s.payCode))).text).toBe('SUCCESS');
    expect(await orderStatus(knex, s.orderNo)).toBe('paid');
  });

  it('refuses a confirmation for a 缴款码 it never issued', async () => {
    const s = await paidButNotNotified();
    env.sandbox.nontax.bills.set('62000026300000000001', { ...env.sandbox.nontax.bills.get(s.payCode)!, payCode: '62000026300000000001' });
    const a = await postNotify(env, notification(env, '62000026300000000001'));
    expect(a.text).toBe('FAIL');
    const last = await knex('channel_events').where({ kind: 'notify' }).orderBy('id', 'desc').first();
    expect(last.outcome).toBe('rejected:unknown-order');
    expect(await orderStatus(knex, s.orderNo)).toBe('paying');
  });

  it('keeps sending until acknowledged: a refused first attempt is retried on the schedule', async () => {
    const s = await studentWithTuition('300.00');
    const orderNo = await makeOrder(s.c, '财政', s.period.id, { [s.billId]: '300.00' });
    const { cashierUrl, payCode } = await submitNontax(s.c, orderNo);
    await armFault(env, 'nontax', 'tamper', 1000);
    await payAtCashier(cashierUrl);
    const bill = env.sandbox.nontax.bills.get(payCode)!;
    // Let at least two tampered attempts be refused before the channel "recovers".
    const refused = () => knex('channel_events').where({ order_no: orderNo, outcome: 'rejected:signature' }).count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n));
    const until = Date.now() + 8000;
    while ((await refused()) < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await clearFaults(env, 'nontax');
    await waitForStatus(knex, orderNo, 'paid');
    // The sandbox counts an attempt when its answer is back, which is after the credit has committed
    // (onAttempt in src/sandbox/nontax/simulator.ts), so 'paid' can be seen a moment before the count moves.
    const ackBy = Date.now() + 5000;
    while (!bill.acked && Date.now() < ackBy) await new Promise((r) => setTimeout(r, 10));
    expect(await refused()).toBeGreaterThanOrEqual(2);
    expect(bill.notifyAttempts).toBeGreaterThanOrEqual(3);
    expect(bill.acked).toBe(true);
    const outcomes = (await knex('channel_events').where({ kind: 'notify' }).whereIn('order_no', [orderNo]).select('outcome')).map((e) => e.outcome);
    expect(outcomes).toContain('rejected:signature');
    expect(outcomes).toContain('credited');
  });

  it('credits a payment that arrives for an order already closed: the money is real', async () => {
    const s = await paidButNotNotified('500.00');
    await knex('orders').where({ order_no: s.orderNo }).update({ status: 'closed', closed_at: new Date() });
    expect((await postNotify(env, notification(env, s.payCode))).text).toBe('SUCCESS');
    expect(await orderStatus(knex, s.orderNo)).toBe('paid');
    expect((await knex('bills').where({ id: s.billId }).first()).paid).toBe('500.00');
  });

  it('shows 支付成功 on return even before the notification, by asking the channel', async () => {
    const s = await paidButNotNotified('120.00');
    const res = await s.c.get(`/pay/orders/${s.orderNo}/result`);
    expect(text(res.text)).toContain('支付成功');
    expect(await orderStatus(knex, s.orderNo)).toBe('paid');
    // The late notification is then a duplicate.
    expect((await postNotify(env, notification(env, s.payCode))).text).toBe('SUCCESS');
    expect(await knex('bill_ledger').where({ bill_id: s.billId, kind: 'payment' })).toHaveLength(1);
  });
});

describe('partial payments (图9)', () => {
  it('8000.00 due, 0.03 paid → 7,999.97; then 5,000.00 paid → 2,999.97 left', async () => {
    const s = await studentWithTuition('8000.00');
    const pay = async (amount: string) => {
      const orderNo = await makeOrder(s.c, '财政', s.period.id, { [s.billId]: amount });
      const { cashierUrl } = await submitNontax(s.c, orderNo);
      await payAtCashier(cashierUrl, 'unionpay');
      await waitForStatus(knex, orderNo, 'paid');
    };
    await pay('0.03');
    let page = text((await s.c.get('/pay')).text);
    expect(page).toContain('8000.000.000.000.037,999.97');
    await pay('5000.00');
    page = text((await s.c.get('/pay')).text);
    expect(page).toContain('8000.000.000.005000.032,999.97');
    const bill = await knex('bills').where({ id: s.billId }).first();
    expect(bill.paid).toBe('5000.03');
    const fees = text((await s.c.get('/fees')).text);
    expect(fees).toContain('已缴费5,000.03元');
    expect(fees).toContain('欠费2,999.97元');
  });
});

describe('what the wizard refuses', () => {
  it('refuses mixing categories, more than the arrears, negative, zero and three-decimal amounts — and writes nothing', async () => {
    const s = await studentWithTuition('8000.00');
    const fiscal = s.billId;
    const other = await f.feeItem(knex, { category: '代收' });
    const collected = await f.bill(knex, { personId: s.p.personId, periodId: s.period.id, feeItemId: other.id, due: '250.00' });
    const orders = async () => Number((await knex('orders').count<{ n: string }[]>('* as n'))[0]!.n);
    const before = await orders();
    await s.c.get('/pay');
    const attempt = async (fields: Record<string, string | string[]>) => s.c.post('/pay/items', { period: String(s.period.id), ...fields });

    const mixed = await attempt({ category: '财政', bill: [String(fiscal), String(collected)], [`amount_${fiscal}`]: '1.00', [`amount_${collected}`]: '1.00' });
    expect(mixed.status).toBe(400);
    expect(text(mixed.text)).toContain('财政项目和代收项目须分开缴费');
    const wrongPayee = await attempt({ category: '代收', bill: String(fiscal), [`amount_${fiscal}`]: '1.00' });
    expect(wrongPayee.status).toBe(400);

    for (const [amount, message] of [
      ['8000.01', '缴费金额不能超过欠费金额8000.00元'],
      ['-1.00', '缴费金额须为数字，最多两位小数'],
      ['0.00', '缴费金额不能小于0.01元'],
      ['1.001', '缴费金额须为数字，最多两位小数'],
      ['1e3', '缴费金额须为数字，最多两位小数'],
      ['', '缴费金额须为数字，最多两位小数'],
    ]) {
      const res = await attempt({ category: '财政', bill: String(fiscal), [`amount_${fiscal}`]: amount! });
      expect(res.status, amount).toBe(400);
      expect(text(res.text), amount).toContain(message!);
      // The typed value is kept in the field.
      expect(res.text).toContain(`value="${amount}"`);
    }
    const none = await attempt({ category: '财政', [`amount_${fiscal}`]: '1.00' });
    expect(none.status).toBe(400);
    expect(text(none.text)).toContain('请至少选择一个缴费项目');
    // Someone else's bill cannot be put in my order.
    const ids = await billIds(knex, DEMO.student.number);
    const foreign = await attempt({ category: '财政', bill: String(ids['学费']!.id), [`amount_${ids['学费']!.id}`]: '1.00' });
    expect(foreign.status).toBe(400);
    expect(text(foreign.text)).toContain('所选缴费项目不存在或不属于您');
    expect(await orders()).toBe(before);
  });

  it("answers another student's order number with 404 on every page and action", async () => {
    const a = await studentWithTuition('100.00');
    const b = await studentWithTuition('100.00');
    const orderNo = await makeOrder(a.c, '财政', a.period.id, { [a.billId]: '100.00' });
    for (const path of [`/pay/orders/${orderNo}`, `/pay/orders/${orderNo}/result`]) expect((await b.c.get(path)).status, path).toBe(404);
    await b.c.get('/pay');
    for (const [path, fields] of [[`/pay/orders/${orderNo}/submit`, { channel: 'nontax' }], [`/pay/orders/${orderNo}/cancel`, {}], [`/pay/orders/${orderNo}/mobile`, { mobile: '13900000000' }]] as const) {
      expect((await b.c.post(path, fields)).status, path).toBe(404);
    }
    expect((await b.c.get('/pay/orders/XF000000LUT00000x')).status).toBe(404);
    expect(await orderStatus(knex, orderNo)).toBe('created');
  });

  it('refuses a channel of the other payee and a channel not yet open', async () => {
    const s = await studentWithTuition('100.00');
    const orderNo = await makeOrder(s.c, '财政', s.period.id, { [s.billId]: '100.00' });
    await s.c.get(`/pay/orders/${orderNo}`);
    const wrong = await s.c.post(`/pay/orders/${orderNo}/submit`, { channel: 'icbc' });
    expect(wrong.status).toBe(409);
    expect(await orderStatus(knex, orderNo)).toBe('created');
  });
});

describe('orders', () => {
  it('gives 200 orders created concurrently on two instances 200 distinct, well-formed numbers', async () => {
    const p = await f.person(knex, { password: PASSWORD });
    const period = await f.period(knex);
    const item = await f.feeItem(knex, { category: '财政' });
    const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '99999.00' });
    const { connect } = await import('../../src/db/connection');
    const { testServices } = await import('../helpers/services');
    const other = await connect({ databaseUrl: db.url, poolMax: 10 });
    // 200 live orders of one person: past MAX_LIVE_ORDERS, which is not what this is about.
    const config = { ...env.config, maxLiveOrders: 200 };
    const first = testServices({ config, db }).payment;
    const second = testServices({ config, db: other }).payment;
    try {
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? second : first).confirmOrder(p.personId, { category: '财政', periods: [period.id], lines: [{ billId, amount: `${i + 1}.00` }] })));
      const numbers = results.map((r) => r.orderNo);
      expect(numbers.every((n) => ORDER_NO_PATTERN.test(n) && n.slice(8, 11) === 'LUT')).toBe(true);
      expect(new Set(numbers).size).toBe(200);
      expect(results.every((r) => !r.reused)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('reuses an unpaid order: 学费缴费 shows it with 继续支付 and 取消, and the same choice gives the same order', async () => {
    const s = await studentWithTuition('600.00');
    const first = await makeOrder(s.c, '财政', s.period.id, { [s.billId]: '600.00' });
    const page = text((await s.c.get('/pay')).text);
    expect(page).toContain(first);
    expect(page).toContain('继续支付');
    expect(page).toContain('取消');
    await s.c.post('/pay/items', { category: '财政', period: String(s.period.id), bill: String(s.billId), [`amount_${s.billId}`]: '600.00' });
    await s.c.get('/pay/review');
    const again = await s.c.post('/pay/orders', {});
    expect(again.headers.location).toBe(`/pay/orders/${first}?reused=1`);
    expect(text((await s.c.get(again.headers.location!)).text)).toContain('您已有相同内容的未支付缴费单');
    // 取消 closes it.
    const cancel = await s.c.post(`/pay/orders/${first}/cancel`, {});
    expect(cancel.headers.location).toBe(`/pay?cancelled=${first}`);
    expect(await orderStatus(knex, first)).toBe('closed');
  });

  it('sends an order to the channel once when 确定缴费 is pressed several times at once', async () => {
    const s = await studentWithTuition('640.00');
    const orderNo = await makeOrder(s.c, '财政', s.period.id, { [s.billId]: '640.00' });
    await s.c.get(`/pay/orders/${orderNo}`);
    const answers = await Promise.all(Array.from({ length: 5 }, () => s.c.post(`/pay/orders/${orderNo}/submit`, { channel: 'nontax' })));
    expect(answers.map((a) => a.status)).toEqual([303, 303, 303, 303, 303]);
    expect(new Set(answers.map((a) => a.headers.location)).size).toBe(1);
    const attempts = await knex('payment_attempts').whereIn('order_id', knex('orders').select('id').where({ order_no: orderNo }));
    expect(attempts.filter((a) => a.status === 'sent')).toHaveLength(1);
  });

  it('closes an older live order for the same bill at its channel when the payer replaces it', async () => {
    const s = await studentWithTuition('700.00');
    const older = await makeOrder(s.c, '财政', s.period.id, { [s.billId]: '700.00' });
    const { payCode } = await submitNontax(s.c, older);
    const newer = await makeOrder(s.c, '财政', s.period.id, { [s.billId]: '300.00' }, { replace: true });
    expect(await orderStatus(knex, older)).toBe('closed');
    await submitNontax(s.c, newer);
    expect(await orderStatus(knex, older)).toBe('closed');
    expect(env.sandbox.nontax.bills.get(payCode)!.status).toBe('CLOSED');
    expect(await orderStatus(knex, newer)).toBe('paying');
  });

  it('refuses the new order and shows the payment when the older one turns out paid at its channel', async () => {
    const s = await studentWithTuition('800.00');
    const older = await makeOrder(s.c, '财政', s.period.id, { [s.billId]: '800.00' });
    const { cashierUrl } = await submitNontax(s.c, older);
    await armFault(env, 'nontax', 'hold');
    try {
      await payAtCashier(cashierUrl);
    } finally {
      await clearFaults(env, 'nontax');
    }
    // Chosen before the payment was known here (the arrears were still 800.00): replacing the
    // older order closes it at its channel first, which says it was paid: nothing is built.
    const before = await knex('orders').where({ person_id: s.p.personId }).count<{ n: string }[]>('* as n');
    await s.c.post('/pay/items', { category: '财政', period: String(s.period.id), bill: String(s.billId), [`amount_${s.billId}`]: '100.00' });
    const review = text((await s.c.get('/pay/review')).text);
    expect(review).toContain(`缴费单${older}`);
    const res = await s.c.post('/pay/orders', { replace: older });
    expect(res.status).toBe(409);
    expect(text(res.text)).toContain(`所选项目已在缴费单${older}中支付成功，请勿重复缴费`);
    expect(await orderStatus(knex, older)).toBe('paid');
    expect(await knex('orders').where({ person_id: s.p.personId }).count<{ n: string }[]>('* as n')).toEqual(before);
    expect((await knex('bills').where({ id: s.billId }).first()).paid).toBe('800.00');
  });

  it('closes expired orders at their channel', async () => {
    const s = await studentWithTuition('900.00');
    const orderNo = await makeOrder(s.c, '财政', s.period.id, { [s.billId]: '900.00' });
    const { payCode } = await submitNontax(s.c, orderNo);
    await knex('orders').where({ order_no: orderNo }).update({ expires_at: new Date(Date.now() - 1000) });
    expect(await env.payment.expireDue()).toBeGreaterThanOrEqual(1);
    expect(await orderStatus(knex, orderNo)).toBe('closed');
    expect(env.sandbox.nontax.bills.get(payCode)!.status).toBe('CLOSED');
    // It says it timed out, once, and what to do; not that it was closed, nor that it can be reused.
    const page = text((await s.c.get(`/pay/orders/${orderNo}`)).text);
    expect(page).toContain('缴费单已超时');
    expect(page).toContain('该缴费单的支付有效期已于');
    expect(page).toContain('请返回“学费缴费”，重新选择缴费项目，生成新的缴费单后再支付');
    expect(page).not.toContain('该缴费单已关闭');
    const result = text((await s.c.get(`/pay/orders/${orderNo}/result`)).text);
    expect(result).toContain('缴费单已超时');
    expect(result).not.toContain('可重复使用');
    // 确定缴费 of the timed-out order: refused, and the page still says it once.
    const again = await s.c.post(`/pay/orders/${orderNo}/submit`, { channel: 'nontax' });
    expect(again.status).toBe(409);
    expect(text(again.text).split('缴费单已超时').length).toBe(2);
    expect(text(again.text)).not.toContain('已关闭');
  });

  it('shows 图16’s warnings when the payer abandons at the cashier (取消支付), and 继续支付 goes back to the same cashier', async () => {
    const s = await studentWithTuition('150.00');
    const orderNo = await makeOrder(s.c, '财政', s.period.id, { [s.billId]: '150.00' });
    const { cashierUrl } = await submitNontax(s.c, orderNo);
    const back = await payAtCashier(cashierUrl, 'alipay', 'cancel');
    const res = await s.c.get(new URL(back).pathname);
    const t = text(res.text);
    expect(t).toContain('支付未完成');
    expect(t).toContain('如已扣款切勿重复缴费，学校会在1-2个工作日恢复此次交易');
    expect(t).toContain('若缴费失败，请确认银行账户没有扣款再进行下次支付，避免重复缴费');
    expect(t).toContain('继续支付');
    const again = await s.c.post(`/pay/orders/${orderNo}/submit`, { channel: 'nontax' });
    expect(again.headers.location).toBe(cashierUrl);
    expect(await knex('payment_attempts').whereIn('order_id', knex('orders').select('id').where({ order_no: orderNo }))).toHaveLength(1);
  });

  it('changes the 非税通知 phone on the profile from the confirmation page', async () => {
    const s = await studentWithTuition('100.00');
    const orderNo = await makeOrder(s.c, '财政', s.period.id, { [s.billId]: '100.00' });
    const edit = await s.c.get(`/pay/orders/${orderNo}?edit=mobile`);
    expect(edit.text).toContain('name="mobile"');
    const bad = await s.c.post(`/pay/orders/${orderNo}/mobile`, { mobile: '12345' });
    expect(bad.text).toContain('value="12345"');
    expect(bad.status).toBe(400);
    expect(text(bad.text)).toContain('请输入11位手机号码');
    const ok = await s.c.post(`/pay/orders/${orderNo}/mobile`, { mobile: '13912345678' });
    expect(ok.status).toBe(303);
    expect((await knex('people').where({ id: s.p.personId }).first()).mobile).toBe('13912345678');
    expect((await knex('orders').where({ order_no: orderNo }).first()).notify_mobile).toBe('13912345678');
    expect(text((await s.c.get(ok.headers.location!)).text)).toContain('139****5678');
    expect(await knex('audit_log').where({ action: 'profile.mobile', target_person_id: s.p.personId })).toHaveLength(1);
  });
});
