// The channel tests run through the REAL platform: the app (test/helpers/world.ts) and the
// sandbox each on a real port, the config pointing each at the other; orders made by the payment
// service the way the wizard makes them, sent to the channel by the same submitToChannel,
// notifications arriving at the platform's /pay/notify/:channel and credited into PostgreSQL
// (orders, bills, bill_ledger, receipts, channel_events).
//
// Alipay and UnionPay are not offered by any category of the wizard (图20: 代收 → 中国工商银行 /
// 微信支付), so the service used here lets 代收 orders out through the channel under test too;
// the app's own registry (its notify endpoint, queries, closes) knows all four adapters.
import { describe, expect, it } from 'vitest';
import { overpayment } from '../../src/domain/arrears';
import { CHANNEL_LABEL } from '../../src/domain/channels';
import { Decimal } from '../../src/domain/money';
import { createGatewayRegistry } from '../../src/gateways/registry';
import type { ChannelOrder, PaymentAction, Statement } from '../../src/gateways/types';
import type { CardChannel as SandboxChannel } from '../../src/sandbox/control';
import { text as visible } from '../helpers/client';
import { PASSWORD, cancelOf, countRows, makeOrder, orderOf, pageAction, payAt as payAtChannel, payEnv, sandboxControl, signedIn, submitTo, until, waitForStatus } from '../helpers/world';
import { testServices } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

export const AMOUNTS = ['0.01', '249.99', '9099.95', '99999999.99'] as const;
export const FEN_OF: Record<string, bigint> = { '0.01': 1n, '249.99': 24999n, '9099.95': 909995n, '99999999.99': 9999999999n };

let seq = 0;

export async function platformWorld(channel: SandboxChannel) {
  const db = await testDatabase();
  const knex = db.knex;
  // SANDBOX=1 only shows the 模拟扫码（沙箱） link on the QR page; nothing here starts a process.
  const env = await payEnv(db, { SANDBOX: '1', SANDBOX_TIME_SCALE: '0.0005', CHANNEL_TIMEOUT_MS: '1500' });
  const base = createGatewayRegistry(env.config);
  const registry = { ...base, serves: (id: string, category: '财政' | '代收') => base.serves(id, category) || (id === channel && category === '代收' && !!base.get(id)) };
  const payment = testServices({ config: env.config, db, registry }).payment;

  /** A student with one 代收 bill of `due` (学费-type, so the wizard offers it), ready to pay. */
  async function student(due: string, o: { item?: string; period?: string } = {}) {
    seq += 1;
    const p = await f.person(knex, { password: PASSWORD });
    const period = await f.period(knex, o.period ?? `2019年度（${channel}-${seq}）`);
    const item = await f.feeItem(knex, { category: '代收', name: o.item ?? `医疗保险${seq}` });
    const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due });
    return { ...p, billId, periodId: period.id, due };
  }
  type Student = Awaited<ReturnType<typeof student>>;

  /** 缴费信息修改 → 交费信息显示 → 下一步, as the wizard's service calls. */
  const order = (s: Student, amount = s.due) => orderOf(payment, s, amount, { viaItems: true });

  /** 确定缴费 with this channel: the action the browser is given. */
  const submit = (s: Student, orderNo: string): Promise<PaymentAction> => submitTo(payment, s, orderNo, channel);

  /**
   * The payer at the channel's checkout: a QR page (Alipay, WeChat) whose 确认支付 stands in for
   * the phone, or the bank page of 图22 (UnionPay, ICBC): 手机号码, 卡(账)号后六位, 下一步, 确认支付.
   * Returns the checkout page's HTML (for the subject) and the final page's.
   */
  async function payAt(action: PaymentAction): Promise<{ checkout: string; done: string }> {
    if (action.kind !== 'qrCode' && action.kind !== 'form') throw new Error(`unexpected action ${action.kind}`);
    const { checkout, confirm, done } = await payAtChannel(action, { look: true });
    if (action.kind === 'qrCode') {
      expect(checkout).toContain('确认支付');
      expect(checkout).toContain('取消支付');
      expect(checkout).toContain('src="data:image/png;base64,');
      return { checkout, done };
    }
    for (const label of ['手机号码', '卡(账)号后六位', '下一步']) expect(checkout).toContain(label);
    expect(confirm).toContain('确认支付');
    return { checkout, done };
  }

  /**
   * The wizard over HTTP for the 代收 channels it offers (中国工商银行, 微信支付): 缴费信息修改 →
   * 交费信息显示 → 下一步 → 确定缴费 with the channel; returns the action as the page shows it
   * (the auto-posted form, or the QR page's 模拟扫码（沙箱） link) and the page.
   */
  async function wizard(s: Student) {
    const c = await signedIn(env, s.number);
    const orderNo = await makeOrder(c, '代收', s.periodId, { [s.billId]: s.due });
    const confirm = await c.get(`/pay/orders/${orderNo}`);
    expect(visible(confirm.text)).toContain(CHANNEL_LABEL[channel]);
    const res = await c.post(`/pay/orders/${orderNo}/submit`, { channel });
    expect(res.status, res.text).toBe(200);
    const action = pageAction(res.text);
    return { c, orderNo, action, page: res.text };
  }

  const sandbox = sandboxControl(env);
  const control = (body: object) => sandbox.faults({ channel, ...body });
  const clearFaults = () => sandbox.clear();
  const notifications = (orderNo: string) => sandbox.notifications(channel, orderNo);

  /** Everything a credit would change, for "nothing changed" comparisons. */
  async function snapshot(s: Student, orderNo: string) {
    const count = (t: string, where: Record<string, unknown> = {}) => countRows(knex, t, where);
    return {
      order: await knex('orders').where({ order_no: orderNo }).first('status', 'paid_at', 'total'),
      bill: await knex('bills').where({ id: s.billId }).first('due', 'paid', 'refunded', 'version'),
      ledger: await count('bill_ledger'),
      receipts: await count('receipts', { person_id: s.personId }),
      attempts: await knex('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id').where('o.order_no', orderNo).select('a.status', 'a.channel_trade_no'),
    };
  }

  const payments = (billId: number) => knex('bill_ledger').where({ bill_id: billId, kind: 'payment' }).orderBy('id').select('amount', 'order_id', 'receipt_id');
  const events = (where: Record<string, unknown>) => knex('channel_events').where({ channel, ...where }).orderBy('id').select('id', 'order_no', 'kind', 'verified', 'outcome', 'body');
  const lastEventId = async () => Number((await knex('channel_events').max<{ m: string | null }[]>('id as m'))[0]!.m ?? 0);

  return { env, knex, channel, payment, student, order, submit, wizard, payAt, control, clearFaults, notifications, until, snapshot, payments, events, lastEventId };
}

export type PlatformWorld = Awaited<ReturnType<typeof platformWorld>>;

const REFUSAL: Record<'tamper' | 'wrong_amount' | 'wrong_merchant', string> = {
  tamper: 'rejected:signature', wrong_amount: 'rejected:amount', wrong_merchant: 'rejected:merchant',
};

/**
 * The "Done when" list, the same for every channel: each case through the platform's
 * real notify endpoint and PostgreSQL. `label` is the channel's name in the test titles.
 */
export function doneWhen(w: PlatformWorld, label: string) {
  const { knex } = w;

  describe(`${label}: the platform credits what the channel vouches for, once`, () => {
    it('a payment end to end: order → channel checkout → 确认支付 → signed notification → bills, ledger, receipt', async () => {
      const s = await w.student('249.99');
      const orderNo = await w.order(s);
      const { done } = await w.payAt(await w.submit(s, orderNo));
      expect(done).toContain('支付成功');
      await waitForStatus(knex, orderNo, 'paid');
      const bill = await knex('bills').where({ id: s.billId }).first('paid');
      expect(bill.paid).toBe('249.99');
      expect(await w.payments(s.billId)).toHaveLength(1);
      expect(await knex('receipts').where({ person_id: s.personId }).first('total', 'preparer')).toEqual({ total: '249.99', preparer: '支付平台' });
      const attempt = await knex('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id').where('o.order_no', orderNo).first('a.channel', 'a.status', 'a.channel_trade_no');
      expect(attempt).toMatchObject({ channel: w.channel, status: 'paid' });
      expect(attempt.channel_trade_no).toBeTruthy();
      expect((await w.events({ order_no: orderNo, kind: 'notify' })).map((e) => e.outcome)).toEqual(['credited']);
      const n = await w.notifications(orderNo);
      expect(n.at(-1)!.acked).toBe(true);
      // 银行交易记录 (图23): 交易银行 is the channel's name, the 交易金额 what it took.
      const c = await signedIn(w.env, s.number);
      const bank = visible((await c.get('/transactions/bank')).text);
      expect(bank).toContain(`${orderNo}`);
      expect(bank).toContain(CHANNEL_LABEL[w.channel]);
    });

    it('a notification repeated 10 times in parallel is credited once', async () => {
      await w.control({ kind: 'duplicate', n: 10, count: 1 });
      const s = await w.student('9099.95');
      const orderNo = await w.order(s);
      await w.payAt(await w.submit(s, orderNo));
      await w.until(async () => (await w.notifications(orderNo)).some((n) => n.acked));
      const n = await w.notifications(orderNo);
      expect(n[0]!.copies).toBe(10);
      await waitForStatus(knex, orderNo, 'paid');
      const outcomes = (await w.events({ order_no: orderNo, kind: 'notify' })).map((e) => e.outcome);
      expect(outcomes.filter((o) => o === 'credited')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(9);
      expect(await w.payments(s.billId)).toEqual([expect.objectContaining({ amount: '9099.95' })]);
      expect((await knex('bills').where({ id: s.billId }).first('paid')).paid).toBe('9099.95');
      expect(await knex('receipts').where({ person_id: s.personId }).count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n))).toBe(1);
    });

    for (const kind of ['tamper', 'wrong_amount', 'wrong_merchant'] as const) {
      it(`a ${kind} notification is refused, recorded, and changes nothing; the honest retry then credits`, async () => {
        await w.control({ kind, count: 1000 });
        const s = await w.student('0.01');
        const orderNo = await w.order(s);
        const action = await w.submit(s, orderNo);
        const before = await w.snapshot(s, orderNo);
        const since = await w.lastEventId();
        await w.payAt(action);
        await w.until(async () => (await knex('channel_events').where('id', '>', since).where({ channel: w.channel, outcome: REFUSAL[kind] })).length >= 2);
        expect(await w.snapshot(s, orderNo)).toEqual(before);
        const refused = await knex('channel_events').where('id', '>', since).where({ channel: w.channel, kind: 'notify' }).select('outcome', 'verified', 'body');
        expect(refused.every((e) => e.outcome === REFUSAL[kind])).toBe(true);
        expect(refused[0]!.body).toBeTruthy();
        const answers = await w.notifications(orderNo);
        expect(answers.every((a) => !a.acked)).toBe(true);
        // The channel keeps trying on its schedule; once the fault is gone the payment lands.
        await w.clearFaults();
        await waitForStatus(knex, orderNo, 'paid', 15_000);
        expect(await w.payments(s.billId)).toHaveLength(1);
        expect((await knex('bills').where({ id: s.billId }).first('paid')).paid).toBe('0.01');
      });
    }

    it('a lost notification is settled by the active query when the payer comes back (支付成功)', async () => {
      await w.control({ kind: 'lose', count: 1000 });
      const s = await w.student('249.99');
      const orderNo = await w.order(s);
      await w.payAt(await w.submit(s, orderNo));
      await w.until(async () => (await w.notifications(orderNo)).some((n) => n.lost));
      expect(await knex('orders').where({ order_no: orderNo }).first('status')).toEqual({ status: 'paying' });
      // Back at the platform (the channel's return URL): the result page asks the channel.
      const c = await signedIn(w.env, s.number);
      const page = await c.get(`/pay/orders/${orderNo}/result`);
      expect(page.status).toBe(200);
      expect(visible(page.text)).toContain('支付成功');
      expect(await knex('orders').where({ order_no: orderNo }).first('status')).toEqual({ status: 'paid' });
      expect((await w.events({ order_no: orderNo, kind: 'query' })).map((e) => e.outcome)).toEqual(['credited']);
      expect(await w.payments(s.billId)).toHaveLength(1);
      await w.clearFaults();
      // A notification arriving after all is a duplicate, acknowledged, not a second credit.
      await w.until(async () => (await w.notifications(orderNo)).some((n) => n.acked), 15_000);
      expect(await w.payments(s.billId)).toHaveLength(1);
    });

    it('a payment arriving after its order was closed is credited; with the bill already settled it shows as an overpayment', async () => {
      // The payment is held until the platform closes the order (reorder), then delayed a little,
      // so that a second order settles the bill in between.
      await w.control({ kind: 'reorder', count: 1 });
      await w.control({ kind: 'delay', ms: 1500, count: 1 });
      const s = await w.student('249.99');
      const first = await w.order(s);
      await w.payAt(await w.submit(s, first));
      const cancelled = await cancelOf(w.payment, s.personId, first);
      if (!cancelled.ok) {
        // A channel that cannot close an unpaid order (ICBC e-pay, UnionPay; an Alipay QR nobody
        // scanned): 取消 is not reported done while the page may still be paid, and the order
        // stays live, so no second order is made for the bill and the late payment is credited
        // once: there is nothing to pay twice.
        expect(['icbc', 'unionpay', 'alipay']).toContain(w.channel);
        expect(cancelled.message).toContain('前仍可付款');
        expect((await knex('orders').where({ order_no: first }).first('status')).status).toBe('paying');
        await waitForStatus(knex, first, 'paid', 15_000);
        expect((await knex('bills').where({ id: s.billId }).first('paid')).paid).toBe('249.99');
        expect(await w.payments(s.billId)).toHaveLength(1);
        return;
      }
      expect(w.channel).not.toMatch(/^(icbc|unionpay)$/);
      expect((await knex('orders').where({ order_no: first }).first('status')).status).toBe('closed');

      const second = await w.order(s);
      expect(second).not.toBe(first);
      await w.payAt(await w.submit(s, second));
      await waitForStatus(knex, second, 'paid');
      expect((await knex('bills').where({ id: s.billId }).first('paid')).paid).toBe('249.99');

      await waitForStatus(knex, first, 'paid', 15_000);
      const bill = await knex('bills').where({ id: s.billId }).first('due', 'paid', 'refunded', 'reduction');
      expect(bill.paid).toBe('499.98');
      const dec = (v: string) => new Decimal(v);
      expect(overpayment({ due: dec(bill.due), paid: dec(bill.paid), refunded: dec(bill.refunded), reduction: dec(bill.reduction) }).toFixed(2)).toBe('249.99');
      expect(await w.payments(s.billId)).toHaveLength(2);
      // Finance sees it on the person's page in the console (多缴).
      const finance = await f.person(knex, { role: 'finance_admin', password: PASSWORD });
      const c = await signedIn(w.env, finance.number);
      const person = await c.get(`/console/people/${s.personId}`);
      expect(person.status).toBe(200);
      expect(visible(person.text)).toMatch(/多缴 ¥?249\.99/);
    });

    it('Chinese text in the subject survives the round trip to the channel and back', async () => {
      const n = ++seq;
      const s = await w.student('249.99', { item: `医疗保险（大病统筹）·代收${n}`, period: `二〇一九年度「春」${n}` });
      const orderNo = await w.order(s);
      const subject = `兰州理工大学 二〇一九年度「春」${n} 医疗保险（大病统筹）·代收${n}`;
      const { checkout } = await w.payAt(await w.submit(s, orderNo));
      expect(checkout).toContain(subject);
      await waitForStatus(knex, orderNo, 'paid');
      const sim = w.env.sandbox[w.channel].trades.get(orderNo)!;
      expect(sim.subject).toBe(subject);
      const body = (await w.events({ order_no: orderNo, kind: 'notify' }))[0]!.body as string;
      // Alipay echoes the subject, UnionPay the 请求方保留域, in the signed notification as received.
      if (w.channel === 'alipay') expect(new URLSearchParams(body).get('subject')).toBe(subject);
      if (w.channel === 'unionpay') expect(new URLSearchParams(body).get('reqReserved')).toBe(subject);
    });

    it('0.01, 249.99, 9099.95 and 99999999.99 go to the channel and come back exact to the fen', async () => {
      for (const a of AMOUNTS) {
        const s = await w.student(a);
        const orderNo = await w.order(s);
        await w.payAt(await w.submit(s, orderNo));
        await waitForStatus(knex, orderNo, 'paid');
        expect(w.env.sandbox[w.channel].trades.get(orderNo)!.fen).toBe(FEN_OF[a]);
        expect((await knex('bills').where({ id: s.billId }).first('paid')).paid).toBe(a);
        expect(await w.payments(s.billId)).toEqual([expect.objectContaining({ amount: a })]);
        expect((await knex('orders').where({ order_no: orderNo }).first('total')).total).toBe(a);
        const q = await w.env.sandbox[w.channel].trades.get(orderNo)!;
        expect(new Decimal(q.fen.toString()).div(100).toFixed(2)).toBe(a);
      }
    });
  });
}

/** The channel's view of one of our orders, as the payment service builds it (from the row). */
export async function channelOrderOf(w: PlatformWorld, orderNo: string): Promise<ChannelOrder> {
  const o = await w.knex('orders').where({ order_no: orderNo }).first('order_no', 'total', 'created_at', 'expires_at');
  return {
    orderNo, total: new Decimal(o.total), category: '代收', createdAt: new Date(o.created_at), expiresAt: new Date(o.expires_at),
    payer: { number: '', name: '', mobile: '' }, lines: [], subject: '兰州理工大学 代收', channelOrderId: orderNo,
    notifyUrl: `${w.env.appUrl}/pay/notify/${w.channel}`, returnUrl: `${w.env.appUrl}/pay/orders/${orderNo}/result`,
  };
}

/** Refund, statement and query faults: the adapter against its simulator over HTTP. */
export function protocolCases(w: PlatformWorld, label: string, o: { statementMark: string; /** a channel without a statement API: how finance gets the day's file */ statement?: (day: string) => Promise<Statement> }) {
  const adapter = createGatewayRegistry(w.env.config).get(w.channel)!;

  describe(`${label}: refund, statement, query faults`, () => {
    it('a partial refund reaches the channel once, and the day\'s statement lists the payment and the refund', async () => {
      const s = await w.student('9099.95');
      const orderNo = await w.order(s);
      await w.payAt(await w.submit(s, orderNo));
      await waitForStatus(w.knex, orderNo, 'paid');
      const order = await channelOrderOf(w, orderNo);
      // The same refund asked twice (same number, same request time, as a retry of a lost answer
      // would be): nothing more leaves the account. UnionPay names it by orderId + txnTime.
      const requestedAt = new Date();
      const first = await adapter.refund(order, new Decimal('9099.94'), 'RF0001', requestedAt);
      expect(['succeeded', 'pending']).toContain(first.status);
      expect(['succeeded', 'pending']).toContain((await adapter.refund(order, new Decimal('9099.94'), 'RF0001', requestedAt)).status);
      expect(w.env.sandbox[w.channel].trades.get(orderNo)!.refundedFen).toBe(909994n);
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
      const st = await (o.statement ?? ((d: string) => adapter.downloadStatement(d)))(day);
      expect(st.raw).toContain(o.statementMark);
      expect(st.lines.some((l) => l.orderNo === orderNo && l.kind === 'payment' && l.amount.toFixed(2) === '9099.95')).toBe(true);
      expect(st.lines.some((l) => l.kind === 'refund' && l.amount.toFixed(2) === '9099.94')).toBe(true);
    });

    it('a query that fails or times out is an uncertain ChannelError, and the order stays 支付中', async () => {
      const s = await w.student('0.01');
      const orderNo = await w.order(s);
      await w.submit(s, orderNo);
      const order = await channelOrderOf(w, orderNo);
      await w.control({ kind: 'query_error', count: 1 });
      await expect(adapter.query(order)).rejects.toMatchObject({ uncertain: true });
      await w.control({ kind: 'query_timeout', ms: 2500, count: 1 });
      await expect(adapter.query(order)).rejects.toMatchObject({ uncertain: true });
      expect(['unpaid', 'not_found']).toContain((await adapter.query(order)).status);
      expect((await w.knex('orders').where({ order_no: orderNo }).first('status')).status).toBe('paying');
    });

    it('the control API refuses an unknown fault', async () => {
      expect((await w.control({ kind: 'explode' })).status).toBe(400);
    });
  });
}
