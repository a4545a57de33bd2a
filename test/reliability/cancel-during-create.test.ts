// A payment taken while its order is being closed (reviewer's finding): the order is closed — 取消
// in another tab, the expiry job, the payer switching channel, another order for the same bill —
// while the channel's create call is still in flight. The channel's answer must never become a
// pay action nobody looks after: it is closed at the channel (and refused here), or, if the
// channel took the money anyway, credited exactly once. The channels' createPayment is held on
// a promise the test controls ('before': the channel hears of the order only once released;
// 'after': the channel has it, only its answer to us is held), everything else is real: the
// sandboxes over HTTP, the platform's notify endpoint, PostgreSQL.
import { describe, expect, it } from 'vitest';
import { createGatewayRegistry, type GatewayRegistry } from '../../src/gateways/registry';
import { ChannelError, type ChannelAdapter, type CreatedPayment, type PaymentAction } from '../../src/gateways/types';
import { M } from '../../src/modules/payment/messages';
import { cancelOf, count, orderOf, orderStatus, payAt, payAtCashier, payEnv, sandboxControl, submitOutcome, until, waitForStatus } from '../helpers/world';
import { testServices } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const knex = db.knex;
const env = await payEnv(db, { SANDBOX_TIME_SCALE: '0.0005', CHANNEL_TIMEOUT_MS: '1500' });

interface Hold {
  /** The create call has reached the point where it waits. */
  reached: Promise<void>;
  /** What the channel answered (for 'after': known while the answer is held). */
  created: Promise<CreatedPayment>;
  /** Lets the call go on: with the channel's answer, or as a timeout (an uncertain error). */
  release(how?: 'answer' | 'timeout'): void;
}

const armed = new Map<string, { when: 'before' | 'after'; arrive: () => void; got: (c: CreatedPayment) => void; gate: Promise<'answer' | 'timeout'> }>();

/** Holds the next createPayment of `channel`. */
function hold(channel: string, when: 'before' | 'after'): Hold {
  let arrive!: () => void;
  let got!: (c: CreatedPayment) => void;
  let release!: (how: 'answer' | 'timeout') => void;
  const reached = new Promise<void>((r) => (arrive = r));
  const created = new Promise<CreatedPayment>((r) => (got = r));
  const gate = new Promise<'answer' | 'timeout'>((r) => (release = r));
  armed.set(channel, { when, arrive, got, gate });
  return { reached, created, release: (how = 'answer') => release(how) };
}

const wrap = (a: ChannelAdapter): ChannelAdapter => ({
  ...a,
  async createPayment(order) {
    const h = armed.get(a.id);
    if (!h) return a.createPayment(order);
    armed.delete(a.id);
    if (h.when === 'before') {
      h.arrive();
      await h.gate;
    }
    const c = await a.createPayment(order);
    h.got(c);
    if (h.when === 'after') {
      h.arrive();
      if ((await h.gate) === 'timeout') throw new ChannelError('timeout (held by the test)', true);
    }
    return c;
  },
});

const base = createGatewayRegistry(env.config);
const registry: GatewayRegistry = { ...base, get: (id) => { const a = base.get(id); return a ? wrap(a) : null; } };
const payment = testServices({ config: env.config, db, registry }).payment;

const payer = (category: '财政' | '代收', due = '300.00') => f.payerWithBill(knex, category, due);
type Payer = Awaited<ReturnType<typeof payer>>;

const order = (p: Payer, amount = p.due): Promise<string> => orderOf(payment, p, amount);

/** The WeChat phone page's 确认支付 for a QR; returns whether the channel took the money. */
async function payQr(action: PaymentAction): Promise<boolean> {
  if (action.kind !== 'qrCode') throw new Error(`not a QR: ${action.kind}`);
  return (await payAt(action)).done.includes('支付成功');
}

/** ICBC e-pay: the auto-posted form, 手机号码 + 卡号后六位, 确认支付. */
async function payIcbc(action: PaymentAction) {
  if (action.kind !== 'form') throw new Error(`not a form: ${action.kind}`);
  const r = await payAt(action);
  expect(r.nextStatus).toBe(200);
  expect(r.status).toBe(200);
}

const attempts = (orderNo: string) =>
  knex('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id').where('o.order_no', orderNo).orderBy('a.id')
    .select('a.channel', 'a.status', 'a.channel_order_id', 'a.channel_trade_no');

async function credits(p: Payer) {
  return {
    paid: (await knex('bills').where({ id: p.billId }).first('paid')).paid as string,
    entries: await count(knex('bill_ledger').where({ bill_id: p.billId, kind: 'payment' })),
    receipts: await count(knex('receipts').where({ person_id: p.personId })),
  };
}

/** Arms a fault of the card/wallet sandboxes, or (null) clears them all. */
async function fault(body: { channel: string; kind: string; count: number } | null) {
  const res = await (body ? sandboxControl(env).faults(body) : sandboxControl(env).clear());
  expect(res.ok).toBe(true);
}

const wechatTrade = (orderNo: string) => env.sandbox.wechat.trades.get(orderNo);


describe('取消 while the channel is creating the payment (微信支付: its order id is our order number)', () => {
  it('the channel already has the order: 取消 closes it there; the late answer is refused, recorded, never shown', async () => {
    const p = await payer('代收');
    const no = await order(p);
    const h = hold('wechat', 'after');
    const submitting = submitOutcome(payment.submitToChannel(p.personId, no, 'wechat'));
    await h.reached;
    expect(wechatTrade(no)?.status).toBe('UNPAID');

    expect(await cancelOf(payment, p.personId, no)).toEqual({ ok: true, message: M.cancelled(no) });
    expect(await orderStatus(knex, no)).toBe('closed');
    expect(wechatTrade(no)?.status).toBe('CLOSED');

    h.release();
    expect(await submitting).toEqual({ kind: 'refused', message: M.orderNotLive });
    // The payment the channel knows about is findable: its channel order id is on the attempt.
    expect(await attempts(no)).toEqual([{ channel: 'wechat', status: 'closed', channel_order_id: no, channel_trade_no: null }]);
    // The QR the channel made cannot be paid.
    expect(await payQr((await h.created).action)).toBe(false);
    expect(await credits(p)).toEqual({ paid: '0.00', entries: 0, receipts: 0 });
  });

  it('the channel hears of the order only after 取消: the late order is closed at the channel when it answers', async () => {
    const p = await payer('代收');
    const no = await order(p);
    const h = hold('wechat', 'before');
    const submitting = submitOutcome(payment.submitToChannel(p.personId, no, 'wechat'));
    await h.reached;
    expect(wechatTrade(no)).toBeUndefined();
    expect(await cancelOf(payment, p.personId, no)).toMatchObject({ ok: true });
    expect(await orderStatus(knex, no)).toBe('closed');

    h.release();
    expect(await submitting).toEqual({ kind: 'refused', message: M.orderNotLive });
    expect(wechatTrade(no)?.status).toBe('CLOSED');
    expect(await attempts(no)).toEqual([expect.objectContaining({ status: 'closed', channel_order_id: no })]);
    expect(await payQr((await h.created).action)).toBe(false);
    const late = await knex('channel_events').where({ order_no: no, kind: 'create' }).pluck('outcome');
    expect(late).toEqual(['late:closed']);
  });

  it('the channel took the money before the close reached it: 取消 answers 已支付, credited once; the notification is a duplicate', async () => {
    const p = await payer('代收');
    const no = await order(p);
    const h = hold('wechat', 'after');
    const submitting = submitOutcome(payment.submitToChannel(p.personId, no, 'wechat'));
    await h.reached;
    // The channel's notifications are lost for now: the close is what finds the payment.
    await fault({ channel: 'wechat', kind: 'lose', count: 1000 });
    expect(await payQr((await h.created).action)).toBe(true);

    expect(await cancelOf(payment, p.personId, no)).toEqual({ ok: false, message: M.alreadyPaid(no), paid: true });
    h.release();
    expect(await submitting).toEqual({ kind: 'paid', orderNo: no });
    expect(await orderStatus(knex, no)).toBe('paid');
    expect(await knex('channel_events').where({ order_no: no, kind: 'close' }).pluck('outcome')).toEqual(['paid', 'credited']);
    await fault(null);
    await until(async () => (await knex('channel_events').where({ order_no: no, kind: 'notify' })).length > 0, 15_000);
    expect(await credits(p)).toEqual({ paid: '300.00', entries: 1, receipts: 1 });
    expect(await attempts(no)).toEqual([expect.objectContaining({ status: 'paid', channel_order_id: no })]);
    expect(await knex('channel_events').where({ order_no: no, kind: 'notify' }).pluck('outcome')).toEqual(['duplicate']);
  });

  it('an answer that never came (timeout) does not lose the payment: the notification finds the order by its number', async () => {
    const p = await payer('代收');
    const no = await order(p);
    const h = hold('wechat', 'after');
    const submitting = submitOutcome(payment.submitToChannel(p.personId, no, 'wechat'));
    await h.reached;
    h.release('timeout');
    expect(await submitting).toEqual({ kind: 'refused', message: M.channelBusy });
    expect(await attempts(no)).toEqual([expect.objectContaining({ status: 'created', channel_order_id: null })]);

    // The channel had the order all the same, and the payer pays it.
    expect(await payQr((await h.created).action)).toBe(true);
    await waitForStatus(knex, no, 'paid');
    expect(await credits(p)).toEqual({ paid: '300.00', entries: 1, receipts: 1 });
    expect(await attempts(no)).toEqual([expect.objectContaining({ status: 'paid', channel_order_id: no })]);
    await until(async () => env.sandbox.wechat.trades.get(no)?.status === 'PAID');
    expect(await knex('channel_events').where({ order_no: no, kind: 'notify' }).pluck('outcome')).toEqual(['credited']);
  });
});

describe('another channel or another order while the channel is creating the payment', () => {
  it('the payer switches to 中国工商银行 mid-call: WeChat is closed at the channel, refused; ICBC is paid and credited once', async () => {
    const p = await payer('代收');
    const no = await order(p);
    const h = hold('wechat', 'before');
    const wechat = submitOutcome(payment.submitToChannel(p.personId, no, 'wechat'));
    await h.reached;

    const icbc = await payment.submitToChannel(p.personId, no, 'icbc');
    expect(icbc.kind).toBe('action');
    h.release();
    expect(await wechat).toEqual({ kind: 'refused', message: M.attemptSuperseded });
    expect(wechatTrade(no)?.status).toBe('CLOSED');
    expect(await payQr((await h.created).action)).toBe(false);

    await payIcbc((icbc as { action: PaymentAction }).action);
    await waitForStatus(knex, no, 'paid');
    expect(await credits(p)).toEqual({ paid: '300.00', entries: 1, receipts: 1 });
    expect(await attempts(no)).toEqual([
      expect.objectContaining({ channel: 'wechat', status: 'closed', channel_order_id: no }),
      expect.objectContaining({ channel: 'icbc', status: 'paid' }),
    ]);
  });

  it('the channel answers after the switch with the money taken: credited once, the second channel refused', async () => {
    const p = await payer('代收');
    const no = await order(p);
    const h = hold('wechat', 'after');
    const wechat = submitOutcome(payment.submitToChannel(p.personId, no, 'wechat'));
    await h.reached;
    expect(await payQr((await h.created).action)).toBe(true);

    // Closing WeChat finds the payment: it is credited, and ICBC is not sent.
    expect(await payment.submitToChannel(p.personId, no, 'icbc')).toEqual({ kind: 'paid', orderNo: no });
    h.release();
    expect(await wechat).toEqual({ kind: 'paid', orderNo: no });
    await until(async () => (await knex('channel_events').where({ order_no: no, kind: 'notify' })).length > 0);
    expect(await credits(p)).toEqual({ paid: '300.00', entries: 1, receipts: 1 });
    expect((await attempts(no)).map((a) => `${a.channel}:${a.status}`)).toEqual(['wechat:paid']);
  });

  it('another order for the same bill sent mid-call closes this one at the channel; this one is refused', async () => {
    const p = await payer('代收');
    const first = await order(p);
    const h = hold('wechat', 'after');
    const wechat = submitOutcome(payment.submitToChannel(p.personId, first, 'wechat'));
    await h.reached;

    const second = await order(p, '100.00');
    const icbc = await payment.submitToChannel(p.personId, second, 'icbc');
    expect(icbc.kind).toBe('action');
    expect(await orderStatus(knex, first)).toBe('closed');
    expect(wechatTrade(first)?.status).toBe('CLOSED');
    h.release();
    expect(await wechat).toEqual({ kind: 'refused', message: M.orderNotLive });
    expect(await payQr((await h.created).action)).toBe(false);

    await payIcbc((icbc as { action: PaymentAction }).action);
    await waitForStatus(knex, second, 'paid');
    expect(await credits(p)).toEqual({ paid: '100.00', entries: 1, receipts: 1 });
  });
});

describe('非税支付: the 缴款码 is known only from the answer', () => {
  it('取消 and the expiry job during the call close nothing; the answer is shown and its payment credited once', async () => {
    const p = await payer('财政');
    const no = await order(p);
    const h = hold('nontax', 'after');
    const submitting = submitOutcome(payment.submitToChannel(p.personId, no, 'nontax'));
    await h.reached;

    expect(await cancelOf(payment, p.personId, no)).toEqual({ ok: false, message: M.cannotCloseOther(no) });
    await knex('orders').where({ order_no: no }).update({ expires_at: new Date(Date.now() - 1000) });
    await payment.expireDue();
    expect(await orderStatus(knex, no)).toBe('paying');

    h.release();
    const r = await submitting;
    expect(r.kind).toBe('action');
    const url = ((r as { action: PaymentAction }).action as { url: string }).url;
    await payAtCashier(url);
    await waitForStatus(knex, no, 'paid');
    expect(await credits(p)).toEqual({ paid: '300.00', entries: 1, receipts: 1 });
  });

  it('a call that never answered is closed here once it must be over; the payment of its 缴款码 is still credited', async () => {
    const p = await payer('财政');
    const no = await order(p);
    const h = hold('nontax', 'after');
    const submitting = submitOutcome(payment.submitToChannel(p.personId, no, 'nontax'));
    await h.reached;
    h.release('timeout');
    expect(await submitting).toEqual({ kind: 'refused', message: M.channelBusy });
    // Minutes later no call can still be in flight: 取消 closes it here.
    await knex('payment_attempts').whereIn('order_id', knex('orders').select('id').where({ order_no: no }))
      .update({ created_at: new Date(Date.now() - 5 * 60_000) });
    expect(await cancelOf(payment, p.personId, no)).toMatchObject({ ok: true });
    expect(await orderStatus(knex, no)).toBe('closed');

    // The 缴款码 the platform made was never closed there; its payment comes in by our number.
    const { action } = await h.created;
    await payAtCashier((action as { url: string }).url);
    await waitForStatus(knex, no, 'paid');
    expect(await credits(p)).toEqual({ paid: '300.00', entries: 1, receipts: 1 });
    expect(await attempts(no)).toEqual([expect.objectContaining({ channel: 'nontax', status: 'paid', channel_order_id: (await h.created).channelOrderId })]);
  });
});
