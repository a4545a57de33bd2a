// The non-tax cashier's 支付宝 / 微信 / 银联 go through the Alipay, WeChat and UnionPay sandboxes,
// over real HTTP: cashier → that channel's checkout (payee
// 甘肃省财政厅, same amount and subject) → 确认支付 there → the non-tax platform marks its bill
// paid with the method and sends its own signed confirmation → the school credits the order.
import { describe, expect, it } from 'vitest';
import { text as rawText } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import {
  confirmAtCheckout, form, makeOrder, orderStatus, payAtCashier, payEnv, signedIn, submitNontax, waitForStatus, PASSWORD, type CashierMethod,
} from '../helpers/world';
import * as f from '../factories';

const text = (html: string) => rawText(html).replace(/\s+/g, '');
const db = await testDatabase();
const env = await payEnv(db);
const knex = db.knex;
const item = await f.feeItem(knex, { category: '财政', name: '学费（分渠道）' });


/** A student with one 财政 bill, an order for `amount` sent to 非税支付: at the cashier. */
async function atCashier(amount: string) {
  const p = await f.person(knex, { password: PASSWORD });
  const period = await f.period(knex);
  const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: amount });
  const c = await signedIn(env, p.number);
  const orderNo = await makeOrder(c, '财政', period.id, { [billId]: amount });
  const { cashierUrl, payCode } = await submitNontax(c, orderNo);
  return { c, billId, orderNo, cashierUrl, payCode };
}

/** 确认支付 at the cashier with a method: the 303 to that channel's checkout. */
async function choose(cashierUrl: string, method: CashierMethod) {
  const res = await fetch(`${cashierUrl}/pay`, form({ pay_channel: method }));
  expect(res.status).toBe(303);
  return res.headers.get('location')!;
}

const CHECKOUT: Record<CashierMethod, { path: RegExp; sim: 'alipay' | 'wechat' | 'unionpay'; label: string; payee: string }> = {
  alipay: { path: /\/alipay\/qr\/[0-9a-f]{16}$/, sim: 'alipay', label: '支付宝', payee: '收款方：' },
  wechat: { path: /\/wechat\/pay\/[0-9a-f]{12}\?no=\d{22}$/, sim: 'wechat', label: '微信支付', payee: '付款给' },
  unionpay: { path: /\/unionpay\/pay\/[0-9a-f]{16}$/, sim: 'unionpay', label: '银联在线支付', payee: '商户名称:' },
};

describe('the non-tax cashier’s 支付宝 / 微信 / 银联 through the channel sandboxes', () => {
  for (const [method, amount] of [['alipay', '9099.95'], ['wechat', '249.99'], ['unionpay', '0.01']] as const) {
    it(`${method}: cashier → ${CHECKOUT[method].label} checkout → 确认支付 → the school credited, the method recorded`, async () => {
      const s = await atCashier(amount);
      const checkoutUrl = await choose(s.cashierUrl, method);
      expect(checkoutUrl.startsWith(env.sandboxUrl)).toBe(true);
      expect(checkoutUrl).toMatch(CHECKOUT[method].path);

      // The channel's own page: same amount and subject, payee 甘肃省财政厅 (not the university).
      const bill = env.sandbox.nontax.bills.get(s.payCode)!;
      const sim = env.sandbox[CHECKOUT[method].sim];
      const trade = [...sim.fiscalTrades.values()].find((t) => t.orderNo.startsWith(s.payCode))!;
      expect(trade).toBeTruthy();
      expect(trade.subject).toBe(bill.remark);
      expect(trade.subject).not.toBe('');
      expect(sim.trades.has(trade.orderNo)).toBe(false);
      const page = text(await (await fetch(checkoutUrl)).text());
      expect(page).toContain(CHECKOUT[method].label);
      expect(page).toContain(amount);
      expect(page).toContain(`${CHECKOUT[method].payee}甘肃省财政厅`);
      expect(page).toContain(text(trade.subject));

      // Nothing is paid until the payer confirms at the channel.
      expect(bill.status).toBe('UNPAID');
      expect(await orderStatus(knex, s.orderNo)).toBe('paying');

      const paidPage = await confirmAtCheckout(checkoutUrl, method);
      expect(trade.status).toBe('PAID');
      expect(bill.status).toBe('PAID');
      expect(bill.payMethod).toBe(method);
      expect(bill.channelTradeNo).toBe(trade.tradeNo);
      // 返回商户 goes through the non-tax platform to the school's result page.
      const back = /<a href="([^"]+)">返回商户<\/a>/.exec(paidPage)![1]!.replace(/&amp;/g, '&');
      expect(back).toBe(`${s.cashierUrl}/return`);
      const onward = await fetch(back, { redirect: 'manual' });
      expect(onward.status).toBe(303);
      expect(onward.headers.get('location')).toBe(`${env.appUrl}/pay/orders/${s.orderNo}/result`);

      await waitForStatus(knex, s.orderNo, 'paid');
      expect((await knex('bills').where({ id: s.billId }).first()).paid).toBe(amount);
      // The platform heard only from the non-tax platform, its signed bill.notify naming the method.
      const attempt = await knex('payment_attempts').whereIn('order_id', knex('orders').select('id').where({ order_no: s.orderNo })).first();
      expect(attempt).toMatchObject({ status: 'paid', channel: 'nontax', channel_order_id: s.payCode, amount });
      expect(attempt.channel_trade_no).toBe(bill.tradeNo);
      const credited = await knex('channel_events').where({ order_no: s.orderNo, kind: 'notify', outcome: 'credited' });
      expect(credited).toHaveLength(1);
      expect(credited[0].channel).toBe('nontax');
      expect(decodeURIComponent(credited[0].body.replace(/\+/g, ' '))).toContain(`"pay_channel":"${method}"`);
      // The channel's own notification machinery was not used for the fiscal payment.
      expect(env.sandbox.control.log.filter((r) => r.orderNo === trade.orderNo)).toEqual([]);
      const result = text((await s.c.get(`/pay/orders/${s.orderNo}/result`)).text);
      expect(result).toContain('支付成功');
    });
  }

  it('取消支付 at the channel’s checkout returns to the cashier, and nothing is paid', async () => {
    const s = await atCashier('120.00');
    for (const method of ['alipay', 'wechat', 'unionpay'] as const) {
      const checkoutUrl = await choose(s.cashierUrl, method);
      const u = new URL(checkoutUrl);
      const res = await fetch(`${u.origin}${u.pathname}/cancel${u.search}`, form());
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(s.cashierUrl);
      const cashier = text(await (await fetch(s.cashierUrl)).text());
      for (const label of ['缴款信息', '120.00', '支付宝', '微信', '银联', '确认支付']) expect(cashier).toContain(label);
    }
    expect(env.sandbox.nontax.bills.get(s.payCode)!.status).toBe('UNPAID');
    expect(await orderStatus(knex, s.orderNo)).toBe('paying');
    // And the payer can still pay afterwards.
    const back = await payAtCashier(s.cashierUrl, 'unionpay');
    expect(back).toBe(`${env.appUrl}/pay/orders/${s.orderNo}/result`);
    await waitForStatus(knex, s.orderNo, 'paid');
  });

  it('the same method again reuses its checkout; another method closes the earlier one, so only one can be paid', async () => {
    const s = await atCashier('88.00');
    const first = await choose(s.cashierUrl, 'alipay');
    expect(await choose(s.cashierUrl, 'alipay')).toBe(first);
    const second = await choose(s.cashierUrl, 'wechat');
    expect(second).not.toBe(first);
    // The abandoned 支付宝 checkout is closed: 确认支付 there pays nothing.
    const u = new URL(first);
    const late = await fetch(`${u.origin}${u.pathname}/confirm`, form());
    expect(text(await late.text())).toContain('交易已关闭');
    expect(env.sandbox.nontax.bills.get(s.payCode)!.status).toBe('UNPAID');
    await confirmAtCheckout(second, 'wechat');
    await waitForStatus(knex, s.orderNo, 'paid');
    expect(env.sandbox.nontax.bills.get(s.payCode)!.payMethod).toBe('wechat');
    // Paid: the cashier sends the payer back to the school rather than to a channel.
    const again = await fetch(`${s.cashierUrl}/pay`, form({ pay_channel: 'unionpay' }));
    expect(again.headers.get('location')).toBe(`${env.appUrl}/pay/orders/${s.orderNo}/result`);
  });

  it('an order the school closes closes the open channel checkout too', async () => {
    const s = await atCashier('66.00');
    const checkoutUrl = await choose(s.cashierUrl, 'unionpay');
    await s.c.get(`/pay/orders/${s.orderNo}`);
    const cancel = await s.c.post(`/pay/orders/${s.orderNo}/cancel`, {});
    expect(cancel.status).toBe(303);
    expect(await orderStatus(knex, s.orderNo)).toBe('closed');
    expect(env.sandbox.nontax.bills.get(s.payCode)!.status).toBe('CLOSED');
    const page = text(await (await fetch(checkoutUrl)).text());
    expect(page).toContain('订单已关闭');
    expect(page).not.toContain('下一步');
  });
});
