// 学费缴费: one function per action of the wizard and of the channel's side (manual 三(四), 三(五),
// 四; DESIGN "Bills, orders, receipts"). Local writes come first and every change of state is a
// compare-and-set, then the channel is called (Medusa's order of things): a crash between the
// two leaves an order we can query or close, never money we do not know about.
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { arrears } from '../../domain/arrears';
import { businessDate } from '../../domain/business-date';
import { Decimal, formatMoney } from '../../domain/money';
import { formatOrderNo, isOrderNo } from '../../domain/order-number';
import { CREDITABLE, LIVE } from '../../domain/order-state';
import { orderTotals, validateSelection, type Category, type ChosenLine, type SelectionErrors } from '../../domain/payment-selection';
import type { GatewayRegistry } from '../../gateways/registry';
import {
  CHANNEL_LABEL, ChannelError, type ChannelAnswer, type ChannelChoice, type ChannelId, type ChannelOrder, type CreatedPayment, type PaidEvent,
  type PaymentAction, type RawNotification,
} from '../../gateways/types';
import { notFound } from '../../http/errors';
import type { Logger } from '../../logger';
import type { AuditRepo } from '../audit/repo';
import { insertReceipt, postLedgerEntry } from '../billing/repo';
import type { FeesRepo, PersonBill } from '../fees/repo';
import { M } from './messages';
import type { AttemptRow, AttemptStatus, OrderLineRow, OrderRow, PaymentRepo } from './repo';
import type { WizardState } from './schemas';

export interface PayableBill extends PersonBill {
  arrears: Decimal;
}

export interface PaymentDeps {
  db: Knex;
  repo: PaymentRepo;
  fees: FeesRepo;
  registry: GatewayRegistry;
  audit: AuditRepo;
  config: Pick<Config, 'publicUrl' | 'orderTtlMinutes' | 'schoolCode' | 'schoolName' | 'channelFees'>;
  logger?: Logger;
}

export type SubmitResult =
  | { kind: 'action'; action: PaymentAction }
  | { kind: 'paid'; orderNo: string }
  | { kind: 'refused'; message: string };

export type CreditOutcome = 'credited' | 'duplicate' | 'double-paid' | 'rejected:unknown-order' | 'rejected:order' | 'rejected:amount' | 'rejected:trade-no';

/** Outcomes after which the channel must stop sending: we have the payment (or had it). */
const ACKED: readonly CreditOutcome[] = ['credited', 'duplicate', 'double-paid'];

/**
 * Channels whose order id is our order number (each adapter's createPayment answers
 * `channelOrderId: order.orderNo`, and its close/query go by out_trade_no / orderId): an attempt
 * whose create call is still in flight can be closed at the channel before the channel answers.
 * The non-tax platform's 缴款码 is only known from its answer.
 */
const ORDER_NO_IS_CHANNEL_ORDER_ID: readonly string[] = ['alipay', 'wechat', 'unionpay', 'icbc'];

/**
 * How long a `created` attempt's create call may still be in flight: longer than any channel
 * call may take (CHANNEL_TIMEOUT_MS is at most 60 s). Younger, an attempt whose channel order id
 * we cannot know is not closed: the channel may be about to hand the payer a way to pay.
 */
const CREATE_IN_FLIGHT_MS = 120_000;

const isLive = (a: { status: AttemptStatus }) => a.status === 'created' || a.status === 'sent';

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';

const sameLines = (a: OrderLineRow[] | undefined, b: ChosenLine[]) =>
  !!a && a.length === b.length && b.every((l) => a.some((x) => x.billId === l.billId && x.amount.eq(l.amount)));

export function paymentService(deps: PaymentDeps) {
  const { db, repo, fees, registry, audit, config } = deps;
  const log = deps.logger;

  const feeOf = (channel: string) => new Decimal(config.channelFees[channel] ?? '0.00');

  /** What 学费缴费 offers: 学费-type items, collecting (收费), inside their window, still owed. */
  async function payableBills(personId: number, now: Date): Promise<PayableBill[]> {
    const bills = await fees.billsOf(personId);
    return bills
      .filter((b) => b.feeType === '学费' && b.itemStatus === '收费' && (!b.startsAt || b.startsAt <= now) && (!b.endsAt || b.endsAt >= now))
      .map((b) => ({ ...b, arrears: arrears(b) }))
      .filter((b) => b.arrears.greaterThan(0));
  }

  function selectionOf(bills: PayableBill[], w: Pick<WizardState, 'category' | 'lines'>) {
    return validateSelection(w.category, bills, w.lines);
  }

  async function channelOrder(order: OrderRow, channelOrderId: string | null, total = order.total): Promise<ChannelOrder> {
    const [payer, linesMap] = await Promise.all([repo.payerOf(order.personId), repo.linesOf([order.id])]);
    const lines = linesMap.get(order.id) ?? [];
    const periods = [...new Set(lines.map((l) => l.periodName))];
    return {
      orderNo: order.orderNo, total, category: order.category, createdAt: order.createdAt, expiresAt: order.expiresAt,
      payer: { number: payer.number, name: payer.name, mobile: order.notifyMobile || payer.mobile },
      lines: lines.map((l) => ({ itemCode: l.itemCode, itemName: l.itemName, periodName: l.periodName, amount: l.amount })),
      subject: `${config.schoolName} ${periods.join('、')} ${lines.map((l) => l.itemName).join('、')}`,
      notifyUrl: `${config.publicUrl}/pay/notify/${order.channel ?? 'nontax'}`,
      returnUrl: `${config.publicUrl}/pay/orders/${order.orderNo}/result`,
      channelOrderId,
    };
  }

  async function ownOrder(personId: number, orderNo: string): Promise<OrderRow> {
    // Someone else's order number answers exactly like a number that does not exist.
    const order = isOrderNo(orderNo) ? await repo.orderOf(personId, orderNo) : null;
    if (!order) throw notFound('缴费单不存在');
    return order;
  }

  /**
   * Crediting, in one transaction: the order paying → paid (compare-and-set), the bills'
   * 实缴金额 through the ledger, a 收费单 by 支付平台 with its e-bill request (待生成), the attempt
   * marked paid with the channel's trade number, the SMS queued and the event recorded. The
   * attempt row is locked first, so duplicates of one confirmation queue and find it done.
   */
  async function credit(channel: string, event: PaidEvent, rec: { kind: string; headers?: unknown; body?: string }): Promise<CreditOutcome> {
    try {
      return await db.transaction(async (trx) => {
        const record = (outcome: CreditOutcome, attemptId: string | null, orderNo: string | null) =>
          repo.recordEvent({ channel, attemptId, orderNo, kind: rec.kind, verified: true, outcome, headers: rec.headers, body: rec.body }, trx).then(() => outcome);
        let attempt = await repo.lockAttemptByChannelOrderId(trx, channel, event.channelOrderId);
        if (!attempt && event.orderNo !== null) {
          // No attempt holds this channel order id: its create call was answered after the
          // attempt had been closed, or never (a timeout). The signed event names our order, so
          // the payment belongs to that order's attempt on this channel: the money is real.
          attempt = await repo.lockUnrecordedAttempt(trx, channel, event.orderNo, event.amount);
          if (attempt) {
            await repo.setChannelOrderId(trx, attempt.id, event.channelOrderId);
            log?.warn({ orderNo: event.orderNo, channel, attemptId: attempt.id }, 'payment for an attempt without its channel order id');
          } else {
            // A duplicate of this event may have just adopted the attempt: look again.
            attempt = await repo.lockAttemptByChannelOrderId(trx, channel, event.channelOrderId);
          }
        }
        if (!attempt) return record('rejected:unknown-order', null, event.orderNo);
        const order = (await repo.orderById(attempt.orderId, trx, true))!;
        if (event.orderNo !== null && event.orderNo !== order.orderNo) return record('rejected:order', attempt.id, order.orderNo);
        if (!event.amount.eq(attempt.amount)) return record('rejected:amount', attempt.id, order.orderNo);
        if (attempt.status === 'paid') {
          return record(attempt.channelTradeNo === event.channelTradeNo ? 'duplicate' : 'rejected:trade-no', attempt.id, order.orderNo);
        }
        const paidFields = { channel_trade_no: event.channelTradeNo, paid_at: event.paidAt };
        if (!CREDITABLE.includes(order.status)) {
          // Already paid through another attempt: a second real payment. Recorded on the attempt
          // for finance to refund; the bills are not credited twice.
          await repo.casAttempt(trx, attempt.id, ['created', 'sent', 'closed', 'failed'], 'paid', paidFields);
          log?.warn({ orderNo: order.orderNo, channel }, 'second payment of a paid order');
          return record('double-paid', attempt.id, order.orderNo);
        }
        // A payment for a closed or failed order is still credited: the money is real.
        const moved = await repo.casOrder(trx, order.id, CREDITABLE, 'paid', {
          paid_at: event.paidAt, channel, fee: attempt.fee.toFixed(2), total: attempt.amount.toFixed(2),
        });
        if (!moved) throw new Error(`order ${order.orderNo} moved while locked`);
        const lines = (await repo.linesOf([order.id], trx)).get(order.id) ?? [];
        const receipt = await insertReceipt(trx, {
          personId: order.personId, orderId: order.id, receiptDate: businessDate(event.paidAt), preparer: '支付平台',
          category: order.category, method: 'online', ebillStatus: '待生成', lines: lines.map((l) => ({ billId: l.billId, amount: l.amount })),
        });
        for (const l of lines) {
          await postLedgerEntry(trx, {
            billId: l.billId, kind: 'payment', amount: l.amount, orderId: order.id, receiptId: receipt.id,
            reason: `${CHANNEL_LABEL[channel as ChannelId] ?? channel} ${order.orderNo} ${event.channelTradeNo}`,
          });
        }
        await repo.casAttempt(trx, attempt.id, ['created', 'sent', 'closed', 'failed'], 'paid', paidFields);
        const payer = await repo.payerOf(order.personId, trx);
        const mobile = order.notifyMobile || payer.mobile;
        if (mobile) {
          await repo.queueSms(trx, { personId: order.personId, mobile, body: M.smsPaid(config.schoolName, formatMoney(order.amount), order.orderNo, receipt.receiptNo) });
        }
        return record('credited', attempt.id, order.orderNo);
      });
    } catch (e) {
      // The channel's trade number is already on another attempt: this event was applied before.
      if ((e as { code?: string }).code === '23505' && /channel_trade_no/.test(String((e as { constraint?: string }).constraint ?? (e as Error).message))) {
        await repo.recordEvent({ channel, orderNo: event.orderNo, kind: rec.kind, verified: true, outcome: 'duplicate', headers: rec.headers, body: rec.body });
        return 'duplicate';
      }
      throw e;
    }
  }

  /**
   * Closes an order's live attempts at their channels, then the order. If a channel says the
   * money was paid, that payment is credited instead and the answer is 'paid'; if a channel
   * cannot be reached the answer is 'unknown' and nothing is closed.
   */
  async function closeOrder(order: OrderRow, now: Date): Promise<'closed' | 'paid' | 'unknown'> {
    for (const a of await repo.attemptsOf(order.id)) {
      if (!isLive(a)) continue;
      const r = await closeAttempt(order, a, now);
      if (r !== 'closed') return r;
    }
    if (await repo.casOrder(db, order.id, LIVE, 'closed', { closed_at: now })) return 'closed';
    const fresh = await repo.orderById(order.id);
    return fresh && ['paid', 'partly_refunded', 'refunded'].includes(fresh.status) ? 'paid' : 'closed';
  }

  /**
   * Closes one attempt at its channel, then here. A `created` attempt may have its create call
   * in flight: it is closed at the channel by the id the channel will know it by (our order
   * number, for the channels that use it), and if that cannot be known it is left alone
   * ('unknown') until its call must be over. Never closed here without the channel's word, so
   * that a payment the channel takes is never one we stopped looking for.
   */
  async function closeAttempt(order: OrderRow, attempt: AttemptRow, now: Date): Promise<'closed' | 'paid' | 'unknown'> {
    let a: AttemptRow | null = attempt;
    // A create answered between our close and our compare-and-set is closed again (3 rounds
    // at most: an attempt moves created → sent → closed/paid, never back).
    for (let round = 0; round < 3 && a; round++) {
      if (a.status === 'paid') return 'paid';
      if (a.status !== 'created' && a.status !== 'sent') return 'closed';
      const adapter = registry.get(a.channel);
      const channelOrderId = a.channelOrderId ?? (ORDER_NO_IS_CHANNEL_ORDER_ID.includes(a.channel) ? order.orderNo : null);
      if (adapter && channelOrderId) {
        try {
          const r = await adapter.close(await channelOrder(order, channelOrderId, a.amount));
          await repo.recordEvent({ channel: a.channel, attemptId: a.id, orderNo: order.orderNo, kind: 'close', verified: true, outcome: r.status });
          if (r.status === 'paid') {
            await credit(a.channel, r.event, { kind: 'close' });
            return 'paid';
          }
        } catch (e) {
          if (!(e instanceof ChannelError)) throw e;
          log?.warn({ orderNo: order.orderNo, err: e.message }, 'close at channel failed');
          return 'unknown';
        }
      } else if (adapter && a.status === 'created' && now.getTime() - a.createdAt.getTime() < CREATE_IN_FLIGHT_MS) {
        log?.warn({ orderNo: order.orderNo, channel: a.channel }, 'not closed: the channel has not answered the create call yet');
        return 'unknown';
      }
      // A created attempt past its call's time (the channel never answered, or answered with
      // an error) is closed here; a payment it may still take is found by our order number.
      if (await repo.casAttempt(db, a.id, [a.status], 'closed')) return 'closed';
      a = await repo.attemptById(a.id);
    }
    if (!a) return 'closed';
    return a.status === 'paid' ? 'paid' : isLive(a) ? 'unknown' : 'closed';
  }

  /**
   * The channel answered a create call after its attempt had been closed here (取消 in another
   * tab, the expiry job, another channel chosen, another order for the same bills sent): the
   * channel's order id is recorded all the same, so that a payment of it is found, and the new
   * channel order is closed at the channel instead of being shown to the payer. If the channel
   * says it was paid already, the payment is credited.
   */
  async function lateAnswer(order: OrderRow, attemptId: string, channelId: string, created: CreatedPayment, total: Decimal): Promise<SubmitResult> {
    const { orderNo } = order;
    const record = (outcome: string) => repo.recordEvent({ channel: channelId, attemptId, orderNo, kind: 'create', verified: true, outcome, body: created.channelOrderId });
    const fresh = await repo.attemptById(attemptId);
    if (fresh?.status === 'paid') return { kind: 'paid', orderNo };
    try {
      await repo.setChannelOrderId(db, attemptId, created.channelOrderId);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // Another attempt holds this channel order id: the payment is findable through it. If that
      // one is still live, the channel order is its own (the same order number): left open.
      const holder = await repo.attemptByChannelOrderId(channelId, created.channelOrderId);
      if (holder?.status === 'paid') return { kind: 'paid', orderNo };
      if (holder && isLive(holder)) {
        await record('late:shared');
        return { kind: 'action', action: created.action };
      }
    }
    try {
      const r = await registry.get(channelId)!.close(await channelOrder(order, created.channelOrderId, total));
      await record(`late:${r.status}`);
      if (r.status === 'paid') {
        await credit(channelId, r.event, { kind: 'close' });
        return { kind: 'paid', orderNo };
      }
    } catch (e) {
      if (!(e instanceof ChannelError)) throw e;
      // Not shown to the payer, and findable if paid all the same; reconciliation has the rest.
      log?.warn({ orderNo, err: e.message }, 'close of a late channel order failed');
      await record('late:uncertain');
    }
    const latest = await repo.orderById(order.id);
    if (latest && ['paid', 'partly_refunded', 'refunded'].includes(latest.status)) return { kind: 'paid', orderNo };
    return { kind: 'refused', message: latest && LIVE.includes(latest.status) ? M.attemptSuperseded : M.orderNotLive };
  }

  /** A live order past its time is closed at its channel first; called lazily and by the job. */
  async function expireIfDue(order: OrderRow, now: Date): Promise<OrderRow> {
    if (!LIVE.includes(order.status) || order.expiresAt > now) return order;
    await closeOrder(order, now);
    return (await repo.orderById(order.id)) ?? order;
  }

  return {
    payableBills,
    credit,
    // For the active query and reconciliation (src/jobs, src/modules/reconcile): they ask the
    // channel about an attempt and close or credit through the same functions as the wizard.
    channelOrder,
    closeOrder,

    /** 应交款明细表 (图9/图17) and the person's unpaid orders (继续支付 / 取消). */
    async listPayable(personId: number, now = new Date()) {
      const bills = await payableBills(personId, now);
      const groups: { periodId: number; periodName: string; rows: PayableBill[] }[] = [];
      for (const b of bills) {
        const g = groups.find((x) => x.periodId === b.periodId);
        if (g) g.rows.push(b);
        else groups.push({ periodId: b.periodId, periodName: b.periodName, rows: [b] });
      }
      const live = [];
      for (const o of await repo.liveOrdersOf(personId)) {
        const fresh = await expireIfDue(o, now).catch(() => o);
        if (LIVE.includes(fresh.status)) live.push(fresh);
      }
      const lines = await repo.linesOf(live.map((o) => o.id));
      return { groups, count: bills.length, liveOrders: live.map((o) => ({ ...o, lines: lines.get(o.id) ?? [] })) };
    },

    /** 缴费信息修改 (图10/图18): the chosen category's items in the chosen periods. */
    async itemsFor(personId: number, category: Category, periodIds: number[], now = new Date()) {
      const rows = (await payableBills(personId, now)).filter((b) => b.category === category && periodIds.includes(b.periodId));
      return { rows, total: rows.reduce((t, r) => t.plus(r.arrears), new Decimal(0)) };
    },

    /** 缴费信息修改's 下一步: the selection checked against the bills as they are now. */
    async chooseItems(personId: number, input: { category: Category; periods: number[]; lines: { billId: number; amount: string }[] }, now = new Date()):
      Promise<{ ok: true; wizard: WizardState } | { ok: false; errors: SelectionErrors }> {
      const sel = selectionOf(await payableBills(personId, now), input);
      if (!sel.ok) return sel;
      return { ok: true, wizard: { category: input.category, periods: input.periods, lines: sel.lines.map((l) => ({ billId: l.billId, amount: l.amount.toFixed(2) })) } };
    },

    /** 交费信息显示 (图11/图19). */
    async review(personId: number, w: WizardState, now = new Date()) {
      const bills = await payableBills(personId, now);
      const sel = selectionOf(bills, w);
      if (!sel.ok) return { ok: false as const, message: M.wizardGone };
      const rows = sel.lines.map((l) => ({ ...bills.find((b) => b.billId === l.billId)!, amount: l.amount }));
      return { ok: true as const, rows, total: sel.total };
    },

    /** 交费信息显示's 下一步: the order is fixed. An identical unpaid order is reused, not duplicated. */
    async confirmOrder(personId: number, w: WizardState, now = new Date()): Promise<{ ok: true; orderNo: string; reused: boolean } | { ok: false; message: string }> {
      const sel = selectionOf(await payableBills(personId, now), w);
      if (!sel.ok) return { ok: false, message: Object.values(sel.errors)[0] ?? M.wizardGone };
      const live = (await repo.liveOrdersOf(personId)).filter((o) => o.category === w.category && o.expiresAt > now);
      const lines = await repo.linesOf(live.map((o) => o.id));
      const same = live.find((o) => sameLines(lines.get(o.id), sel.lines));
      if (same) return { ok: true, orderNo: same.orderNo, reused: true };

      const payer = await repo.payerOf(personId);
      // The serial is taken in its own statement: its row lock is then held for microseconds,
      // not for the whole order transaction. A gap after a failed insert is harmless.
      const serial = await repo.nextOrderSerial(businessDate(now));
      const orderNo = formatOrderNo(now, config.schoolCode, serial);
      await db.transaction((trx) =>
        repo.insertOrder(trx, {
          orderNo, personId, category: w.category, amount: sel.total, notifyMobile: payer.mobile,
          expiresAt: new Date(now.getTime() + config.orderTtlMinutes * 60_000), lines: sel.lines,
        }),
      );
      return { ok: true, orderNo, reused: false };
    },

    /** 缴费信息确认及支付方式选择 (图12/图20). */
    async orderView(personId: number, orderNo: string, now = new Date()) {
      const order = await expireIfDue(await ownOrder(personId, orderNo), now);
      const [lines, payer] = await Promise.all([repo.linesOf([order.id]), repo.payerOf(personId)]);
      const channels: (ChannelChoice & { fee: Decimal; total: Decimal })[] = registry.choicesFor(order.category).map((c) => ({
        ...c, ...orderTotals(order.amount, feeOf(c.id)),
      }));
      const chosen = channels.find((c) => c.id === order.channel && c.available) ?? channels.find((c) => c.available) ?? null;
      return { order, lines: lines.get(order.id) ?? [], channels, chosen, mobile: order.notifyMobile || payer.mobile };
    },

    /** 确定缴费: close competing orders, write the attempt, then hand the order to the channel. */
    async submitToChannel(personId: number, orderNo: string, channelId: string, now = new Date()): Promise<SubmitResult> {
      let order = await ownOrder(personId, orderNo);
      if (['paid', 'partly_refunded', 'refunded'].includes(order.status)) return { kind: 'paid', orderNo };
      if (!LIVE.includes(order.status)) return { kind: 'refused', message: M.orderNotLive };
      order = await expireIfDue(order, now);
      if (order.status === 'paid') return { kind: 'paid', orderNo };
      // Past its time but not closed (a channel call still in flight or unreachable): not sent again.
      if (!LIVE.includes(order.status) || order.expiresAt <= now) return { kind: 'refused', message: M.orderExpired };
      if (!registry.serves(channelId, order.category)) {
        const known = registry.choicesFor(order.category).some((c) => c.id === channelId);
        return { kind: 'refused', message: known ? M.channelNotOpen : M.chooseChannel };
      }
      const adapter = registry.get(channelId)!;
      const lines = (await repo.linesOf([order.id])).get(order.id) ?? [];

      // Any other live order for these bills is closed at its channel before this one is sent.
      for (const other of await repo.liveOrdersCoveringBills(lines.map((l) => l.billId), order.id)) {
        const r = await closeOrder(other, now);
        if (r === 'unknown') return { kind: 'refused', message: M.cannotCloseOther(other.orderNo) };
        if (r === 'paid') {
          await closeOrder(order, now);
          return { kind: 'refused', message: M.paidElsewhere(other.orderNo) };
        }
      }
      // The arrears may have moved since the order was made (a counter payment, a reduction).
      const bills = await payableBills(personId, now);
      if (lines.some((l) => { const b = bills.find((x) => x.billId === l.billId); return !b || l.amount.greaterThan(b.arrears); })) {
        await closeOrder(order, now);
        return { kind: 'refused', message: M.wizardGone };
      }

      // An attempt already at a channel: the same one continues (继续支付); another is closed first,
      // at its channel (closeAttempt), even one whose create call is still in flight.
      for (const a of await repo.attemptsOf(order.id)) {
        if (!isLive(a)) continue;
        if (a.channel === channelId) {
          if (a.status === 'sent' && a.payUrl) return { kind: 'action', action: { kind: 'redirect', url: a.payUrl } };
          // A QR or form already given, or the same channel being asked right now (a double
          // click, two tabs): left live, so that a close still reaches it at the channel. The
          // channel is asked again below and answers with the same channel order, recorded on
          // one attempt only (the 23505 below).
          continue;
        }
        const r = await closeAttempt(order, a, now);
        if (r === 'paid') return { kind: 'paid', orderNo };
        if (r === 'unknown') return { kind: 'refused', message: M.cannotCloseOther(order.orderNo) };
      }

      const t = orderTotals(order.amount, feeOf(channelId));
      const attemptId = await db.transaction(async (trx) => {
        if (!(await repo.setOrderCharges(trx, order.id, { channel: channelId, fee: t.fee, total: t.total }))) return null;
        return repo.insertAttempt(trx, { orderId: order.id, channel: channelId, amount: t.total, fee: t.fee });
      });
      if (!attemptId) return { kind: 'refused', message: M.orderNotLive };

      let created;
      try {
        created = await adapter.createPayment(await channelOrder({ ...order, channel: channelId }, null, t.total));
      } catch (e) {
        if (!(e instanceof ChannelError)) throw e;
        log?.warn({ orderNo, err: e.message }, 'create payment failed');
        await repo.recordEvent({ channel: channelId, attemptId, orderNo, kind: 'create', verified: false, outcome: e.uncertain ? 'uncertain' : 'refused', body: e.message });
        // A definite refusal ends the attempt; an uncertain one stays open for the next try to resume.
        if (!e.uncertain) await repo.casAttempt(db, attemptId, ['created'], 'failed');
        return { kind: 'refused', message: M.channelBusy };
      }
      const payUrl = created.action.kind === 'redirect' ? created.action.url : null;
      let sent: boolean;
      try {
        sent = await repo.casAttempt(db, attemptId, ['created'], 'sent', { channel_order_id: created.channelOrderId, pay_url: payUrl });
      } catch (e) {
        // Two submissions of one order raced (two tabs, a double click): the channel answered both
        // with the same bill, already recorded on the other attempt. This one steps aside.
        if (!isUniqueViolation(e)) throw e;
        if (await repo.casAttempt(db, attemptId, ['created'], 'failed')) return { kind: 'action', action: created.action };
        sent = false;
      }
      if (!sent) return lateAnswer({ ...order, channel: channelId }, attemptId, channelId, created, t.total);
      await repo.recordEvent({ channel: channelId, attemptId, orderNo, kind: 'create', verified: true, outcome: 'sent', body: created.channelOrderId });
      return { kind: 'action', action: created.action };
    },

    /** 取消交费 / 取消: the order is closed at its channel and here. */
    async cancel(personId: number, orderNo: string, now = new Date()): Promise<{ ok: true; message: string } | { ok: false; message: string; paid?: true }> {
      const order = await ownOrder(personId, orderNo);
      if (['paid', 'partly_refunded', 'refunded'].includes(order.status)) return { ok: false, message: M.alreadyPaid(orderNo), paid: true };
      if (!LIVE.includes(order.status)) return { ok: true, message: M.cancelled(orderNo) };
      const r = await closeOrder(order, now);
      if (r === 'paid') return { ok: false, message: M.alreadyPaid(orderNo), paid: true };
      if (r === 'unknown') return { ok: false, message: M.cannotCloseOther(orderNo) };
      return { ok: true, message: M.cancelled(orderNo) };
    },

    /**
     * 银行支付结果 (图15/图16). Back from the channel the notification may not have arrived yet,
     * so an order still paying is asked about at its channel (a signed answer) and credited.
     */
    async result(personId: number, orderNo: string) {
      let order = await ownOrder(personId, orderNo);
      if (order.status === 'paying') {
        for (const a of await repo.attemptsOf(order.id)) {
          const adapter = registry.get(a.channel);
          if (a.status !== 'sent' || !a.channelOrderId || !adapter) continue;
          try {
            const q = await adapter.query(await channelOrder(order, a.channelOrderId, a.amount));
            if (q.status === 'paid') await credit(a.channel, q.event, { kind: 'query' });
          } catch (e) {
            if (!(e instanceof ChannelError)) throw e;
            log?.warn({ orderNo, err: e.message }, 'query at channel failed');
          }
        }
        order = (await repo.orderById(order.id))!;
      }
      const [lines, payer, receipt] = await Promise.all([repo.linesOf([order.id]), repo.payerOf(personId), repo.receiptOfOrder(order.id)]);
      return { order, lines: lines.get(order.id) ?? [], payer, receipt };
    },

    /** The channel's server-to-server notification: verified, credited, answered in its dialect. */
    async handleNotification(channel: string, raw: RawNotification): Promise<ChannelAnswer> {
      const adapter = registry.get(channel);
      if (!adapter) return { status: 404, contentType: 'text/plain; charset=utf-8', body: 'unknown channel' };
      const headers = { 'content-type': raw.headers['content-type'], 'user-agent': raw.headers['user-agent'] };
      const parsed = adapter.parseNotification(raw);
      if (!parsed.verified) {
        // Anyone can post here: keep enough of a refused request to investigate, not whatever size it came in.
        const claimed = parsed.claimedOrderNo ? parsed.claimedOrderNo.slice(0, 32) : null;
        await repo.recordEvent({ channel, orderNo: claimed, kind: 'notify', verified: false, outcome: `rejected:${parsed.reason}`, headers, body: raw.rawBody.slice(0, 2048) });
        return parsed.nack;
      }
      if (parsed.event.kind === 'closed') {
        await repo.recordEvent({ channel, orderNo: parsed.event.orderNo, kind: 'notify', verified: true, outcome: 'closed', headers, body: raw.rawBody });
        return parsed.ack;
      }
      const outcome = await credit(channel, parsed.event, { kind: 'notify', headers, body: raw.rawBody });
      return ACKED.includes(outcome) ? parsed.ack : parsed.nack;
    },

    /** 非税通知 手机 修改 (图12): changes the phone on the profile, with an audit entry. */
    async changeMobile(user: { accountId: number; personId: number }, orderNo: string, mobile: string, ip: string) {
      await ownOrder(user.personId, orderNo);
      await db.transaction(async (trx) => {
        await repo.setMobile(trx, user.personId, mobile);
        await audit.record({ actorAccountId: user.accountId, action: 'profile.mobile', targetPersonId: user.personId, detail: { field: 'mobile', via: 'pay' }, ip }, trx);
      });
    },

    /** Closes every live order past its time (run by the expiry job); returns how many. */
    async expireDue(now = new Date()): Promise<number> {
      let n = 0;
      for (const o of await repo.expiredLiveOrders(now)) {
        const r = await closeOrder(o, now).catch(() => 'unknown' as const);
        if (r !== 'unknown') n++;
      }
      return n;
    },
  };
}

export type PaymentService = ReturnType<typeof paymentService>;
