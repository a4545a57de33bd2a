// 学费缴费: one function per action of the wizard and of the channel's side (manual 三(四), 三(五),
// 四; DESIGN "Bills, orders, receipts"). Local writes come first and every change of state is a
// compare-and-set, then the channel is called (Medusa's order of things): a crash between the
// two leaves an order we can query or close, never money we do not know about.
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { arrears } from '../../domain/arrears';
import { businessDate } from '../../domain/business-date';
import { Decimal, formatMoney } from '../../domain/money';
import { keyedQueue } from '../../domain/keyed-queue';
import { formatOrderNo, isOrderNo } from '../../domain/order-number';
import { own } from '../../domain/own';
import { CREDITABLE, LIVE } from '../../domain/order-state';
import { orderTotals, validateSelection, type Category, type ChosenLine, type SelectionErrors } from '../../domain/payment-selection';
import { EXPIRY_GRACE_MS } from '../../gateways/common/expiry';
import type { GatewayRegistry } from '../../gateways/registry';
import {
  CHANNEL_LABEL, ChannelError, type ChannelAnswer, type ChannelChoice, type ChannelOrder, type CreatedPayment, type PaidEvent,
  type PaymentAction, type RawNotification,
} from '../../gateways/types';
import { notFound } from '../../http/errors';
import type { Logger } from '../../logger';
import type { AuditRepo } from '../audit/repo';
import { insertReceipt, postLedgerEntry } from '../billing/repo';
import type { FeesRepo, PersonBill } from '../fees/repo';
import { M } from './messages';
import type { NotifyLimit } from './notify-limit';
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
  config: Pick<Config, 'publicUrl' | 'orderTtlMinutes' | 'schoolCode' | 'schoolName' | 'channelFees'> & Partial<Pick<Config, 'unclosableAttemptTtlMinutes' | 'maxLiveOrders'>>;
  logger?: Logger;
  /** The per-address limit on refused notifications; none where no notifications are heard (the jobs). */
  notifyLimit?: NotifyLimit;
}

/** An attempt elsewhere that its channel could not close: still payable until `until`. */
export interface OpenAttempt {
  attemptId: string;
  orderNo: string;
  channel: string;
  until: Date;
}

export type SubmitResult =
  | { kind: 'action'; action: PaymentAction }
  | { kind: 'paid'; orderNo: string }
  | { kind: 'refused'; message: string }
  /** Nothing was sent: the payer must first choose between the open attempt(s) and paying here. */
  | { kind: 'warning'; open: OpenAttempt[] };

export type CloseOutcome = 'closed' | 'paid' | 'unknown' | 'open';

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

/**
 * How long after an attempt's expiry it is settled (a last question to its channel): the
 * channel's clock and ours may differ, and a payment started just before the expiry may still be
 * finishing at the bank. The adapters use the same grace.
 */
export { EXPIRY_GRACE_MS };

/** UNCLOSABLE_ATTEMPT_TTL_MINUTES when the caller's config does not say. */
const DEFAULT_UNCLOSABLE_TTL_MINUTES = 15;
/** MAX_LIVE_ORDERS's default, for a config built without loadConfig. */
const DEFAULT_MAX_LIVE_ORDERS = 5;

const labelOf = (channel: string) => own(CHANNEL_LABEL, channel) ?? channel;

const isLive = (a: { status: AttemptStatus }) => a.status === 'created' || a.status === 'sent';

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';

const sameLines = (a: OrderLineRow[] | undefined, b: ChosenLine[]) =>
  !!a && a.length === b.length && b.every((l) => a.some((x) => x.billId === l.billId && x.amount.eq(l.amount)));

export function paymentService(deps: PaymentDeps) {
  const { db, repo, fees, registry, audit, config } = deps;
  const buildOne = keyedQueue();
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

  async function channelOrder(order: OrderRow, channelOrderId: string | null, total = order.total, expiresAt = order.expiresAt): Promise<ChannelOrder> {
    const [payer, linesMap] = await Promise.all([repo.payerOf(order.personId), repo.linesOf([order.id])]);
    const lines = linesMap.get(order.id) ?? [];
    const periods = [...new Set(lines.map((l) => l.periodName))];
    return {
      orderNo: order.orderNo, total, category: order.category, createdAt: order.createdAt, expiresAt,
      payer: { number: payer.number, name: payer.name, mobile: order.notifyMobile || payer.mobile },
      lines: lines.map((l) => ({ itemCode: l.itemCode, itemName: l.itemName, periodName: l.periodName, amount: l.amount })),
      subject: `${config.schoolName} ${periods.join('、')} ${lines.map((l) => l.itemName).join('、')}`,
      notifyUrl: `${config.publicUrl}/pay/notify/${order.channel ?? 'nontax'}`,
      returnUrl: `${config.publicUrl}/pay/orders/${order.orderNo}/result`,
      channelOrderId,
    };
  }

  /**
   * The channel's view of one attempt: its own amount, its own expiry (what it was created with),
   * and its own channel's notify URL (the order may have moved to another channel since).
   */
  function attemptOrder(order: OrderRow, a: Pick<AttemptRow, 'channel' | 'channelOrderId' | 'amount' | 'expiresAt'>, channelOrderId = a.channelOrderId): Promise<ChannelOrder> {
    return channelOrder({ ...order, channel: a.channel }, channelOrderId, a.amount, a.expiresAt ?? order.expiresAt);
  }

  /** An attempt's expiry: the order's, or at a channel that cannot always close, the shortest allowed. */
  function attemptExpiry(order: OrderRow, alwaysClosable: boolean, now: Date): Date {
    if (alwaysClosable) return order.expiresAt;
    const ttl = config.unclosableAttemptTtlMinutes ?? DEFAULT_UNCLOSABLE_TTL_MINUTES;
    return new Date(Math.min(order.expiresAt.getTime(), now.getTime() + ttl * 60_000));
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
          // (a duplicate payment, refunded through its own channel by the overpayments job when
          // DUPLICATE_PAYMENT_AUTO_REFUND is on, else by finance); the bills are not credited twice.
          await repo.casAttempt(trx, attempt.id, ['created', 'sent', 'closed', 'failed'], 'paid', { ...paidFields, duplicate_payment: true });
          log?.warn({ orderNo: order.orderNo, channel }, 'second payment of a paid order');
          return record('double-paid', attempt.id, order.orderNo);
        }
        // A payment for a closed or failed order is still credited: the money is real.
        const moved = await repo.casOrder(trx, order.id, CREDITABLE, 'paid', {
          paid_at: event.paidAt, channel, fee: attempt.fee.toFixed(2), total: attempt.amount.toFixed(2),
        });
        if (!moved) throw new Error(`order ${order.orderNo} moved while locked`);
        const lines = (await repo.linesOf([order.id], trx)).get(order.id) ?? [];
        // Money for bills that no longer owe it (another order of the same bills was paid first,
        // typically an old bank page paid after the payer switched): still credited, because the
        // money is real, and marked as a duplicate payment so that its excess goes back through
        // this channel by itself (DUPLICATE_PAYMENT_AUTO_REFUND). Read under the order's lock,
        // before this payment is posted; a reduction made after paying is not a duplicate.
        const owed = await trx('bills').whereIn('id', lines.map((l) => l.billId)).forUpdate()
          .select('id', trx.raw('(due - reduction) - (paid - refunded) AS owed'));
        // Per bill, what of this payment's line it did not owe (kept on the attempt): only that
        // excess is the duplicate's, not one a bill shows later through a reduction.
        const duplicateBills: Record<string, string> = {};
        for (const l of lines) {
          const b = owed.find((x) => x.id === l.billId);
          const left = b ? Decimal.max(0, new Decimal(String(b.owed))) : new Decimal(0);
          if (l.amount.greaterThan(left)) duplicateBills[String(l.billId)] = l.amount.minus(left).toFixed(2);
        }
        const duplicate = Object.keys(duplicateBills).length > 0;
        if (duplicate) log?.warn({ orderNo: order.orderNo, channel }, 'payment for bills already paid: a duplicate payment');
        const receipt = await insertReceipt(trx, {
          personId: order.personId, orderId: order.id, receiptDate: businessDate(event.paidAt), preparer: '支付平台',
          category: order.category, method: 'online', ebillStatus: '待生成', lines: lines.map((l) => ({ billId: l.billId, amount: l.amount })),
        });
        for (const l of lines) {
          await postLedgerEntry(trx, {
            billId: l.billId, kind: 'payment', amount: l.amount, orderId: order.id, receiptId: receipt.id,
            reason: `${labelOf(channel)} ${order.orderNo} ${event.channelTradeNo}`,
          });
        }
        await repo.casAttempt(trx, attempt.id, ['created', 'sent', 'closed', 'failed'], 'paid', { ...paidFields, duplicate_payment: duplicate, ...(duplicate ? { duplicate_bills: JSON.stringify(duplicateBills) } : {}) });
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
   * cannot be reached the answer is 'unknown' and nothing is closed. If a channel cannot close
   * an attempt (a bank page payable until its expiry), the others are closed, the order stays
   * live and the answer is 'open': an order is never reported closed while it may still be paid.
   * The expiry job settles it once that attempt's expiry has passed.
   */
  async function closeOrder(order: OrderRow, now: Date): Promise<CloseOutcome> {
    let open = false;
    for (const a of await repo.attemptsOf(order.id)) {
      if (!isLive(a)) continue;
      const r = await closeAttempt(order, a, now);
      if (r === 'open') open = true;
      else if (r !== 'closed') return r;
    }
    if (open) return 'open';
    if (await repo.casOrder(db, order.id, LIVE, 'closed', { closed_at: now })) return 'closed';
    const fresh = await repo.orderById(order.id);
    return fresh && ['paid', 'partly_refunded', 'refunded'].includes(fresh.status) ? 'paid' : 'closed';
  }

  /**
   * Closes one attempt at its channel, then here. A `created` attempt may have its create call
   * in flight: it is closed at the channel by the id the channel will know it by (our order
   * number, for the channels that use it), and if that cannot be known it is left alone
   * ('unknown') until its call must be over. Never closed here without the channel's word, so
   * that a payment the channel takes is never one we stopped looking for. A channel that cannot
   * close it answers 'open': the attempt stays live ('sent') until its expiry.
   */
  async function closeAttempt(order: OrderRow, attempt: AttemptRow, now: Date): Promise<CloseOutcome> {
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
          const r = await adapter.close(await attemptOrder(order, a, channelOrderId));
          await repo.recordEvent({ channel: a.channel, attemptId: a.id, orderNo: order.orderNo, kind: 'close', verified: true, outcome: r.status });
          if (r.status === 'paid') {
            const outcome = await credit(a.channel, r.event, { kind: 'close' });
            if (ACKED.includes(outcome)) return 'paid';
            // Paid at the channel but refused here (amount, order): not ours to call paid, nor
            // closed; the event is recorded for finance.
            log?.error({ orderNo: order.orderNo, attemptId: a.id, channel: a.channel, outcome }, 'close answered paid but the payment was refused');
            return 'unknown';
          }
          // Payable at the channel until its expiry: not closed here, still looked after.
          if (r.status === 'open') return 'open';
          // A channel that cannot close a page saying "closed" before the page's expiry and the
          // grace: the payer may still be paying (a declined card tried again, a bank clock behind
          // ours); kept live, settled by the expiry job after the grace.
          if (!adapter.alwaysClosable && now.getTime() < (a.expiresAt ?? order.expiresAt).getTime() + EXPIRY_GRACE_MS) return 'open';
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
      // 'open' here means a page the channel would accept but that nobody was shown: a form never
      // posted, a QR never drawn. Recorded as such; a payment of it would still be credited.
      const r = await registry.get(channelId)!.close(await channelOrder({ ...order, channel: channelId }, created.channelOrderId, total, fresh?.expiresAt ?? order.expiresAt));
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

  /**
   * Live attempts covering these bills (any order) that their channel may not be able to close,
   * other than the one being continued (this order at this channel). Each is asked to close; the
   * ones still payable at their channel are returned. Attempts at channels that always close are
   * left alone here: submitToChannel closes them once the payer has chosen.
   */
  async function openAttemptsElsewhere(order: OrderRow, channelId: string, billIds: number[], now: Date):
    Promise<{ kind: 'open'; open: OpenAttempt[] } | { kind: 'paid'; orderNo: string } | { kind: 'unknown'; orderNo: string }> {
    const open: OpenAttempt[] = [];
    for (const live of await repo.liveAttemptsCoveringBills(billIds, now)) {
      if (live.orderId === order.id && live.channel === channelId) continue;
      const adapter = registry.get(live.channel);
      if (!adapter || adapter.alwaysClosable) continue;
      const [o, a] = await Promise.all([repo.orderById(live.orderId), repo.attemptById(live.attemptId)]);
      if (!o || !a) continue;
      const r = await closeAttempt(o, a, now);
      if (r === 'paid') return { kind: 'paid', orderNo: o.orderNo };
      if (r === 'unknown') return { kind: 'unknown', orderNo: o.orderNo };
      if (r === 'open') open.push({ attemptId: a.id, orderNo: o.orderNo, channel: a.channel, until: a.expiresAt ?? o.expiresAt });
    }
    return { kind: 'open', open };
  }

  /**
   * An attempt past its own expiry is settled at its channel (the channel's last word: paid, or
   * closed since its expiry passed). An order left with no live attempt is closed: its last
   * attempt lapsed (the payer left the bank page) or the
   * order itself expired. (An ICBC or UnionPay order number, once lapsed at the bank, cannot be
   * sent there again: the payer makes a new order.)
   */
  async function settleExpiredAttempt(attemptId: string, orderId: string, now: Date): Promise<CloseOutcome> {
    const [order, a] = await Promise.all([repo.orderById(orderId), repo.attemptById(attemptId)]);
    if (!order || !a || !isLive(a)) return 'closed';
    const r = await closeAttempt(order, a, now);
    if (r !== 'closed' || !LIVE.includes(order.status)) return r;
    const rest = (await repo.attemptsOf(order.id)).filter(isLive);
    if (rest.length) return 'closed';
    return closeOrder(order, now);
  }

  return {
    payableBills,
    credit,
    attemptOrder,
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
      const maxLive = config.maxLiveOrders ?? DEFAULT_MAX_LIVE_ORDERS;
      // Live means unpaid and not yet expired: one past its time is the expiry job's, not the cap's.
      const liveNow = async (q: Knex) => (await repo.liveOrdersOf(personId, q)).filter((o) => o.expiresAt > now);
      const sameIn = async (live: OrderRow[], q: Knex) => {
        const mine = live.filter((o) => o.category === w.category);
        const lines = await repo.linesOf(mine.map((o) => o.id), q);
        return mine.find((o) => sameLines(lines.get(o.id), sel.lines)) ?? null;
      };
      const live = await liveNow(db);
      const same = await sameIn(live, db);
      if (same) return { ok: true, orderNo: same.orderNo, reused: true };
      // Checked before a serial is spent, and again under the lock, where it decides.
      if (live.length >= maxLive) return { ok: false, message: M.tooManyLiveOrders(maxLive) };
      // One builder per person per instance: the others wait here without a connection, then
      // find the order the first one built (the database lock below decides across instances).
      return buildOne(personId, async () => {
        const again = await sameIn(await liveNow(db), db);
        if (again) return { ok: true as const, orderNo: again.orderNo, reused: true };

        const payer = await repo.payerOf(personId);
        // The serial is taken in its own statement: its row lock is then held for microseconds,
        // not for the whole order transaction. A gap after a failed insert, or after a parallel
        // request built the same order first, is harmless.
        const serial = await repo.nextOrderSerial(businessDate(now));
        if (serial === null) return { ok: false, message: M.serialsExhausted };
        const orderNo = formatOrderNo(now, config.schoolCode, serial);
        return db.transaction(async (trx) => {
          await repo.lockOrderBuilding(trx, personId);
          const liveLocked = await liveNow(trx);
          const built = await sameIn(liveLocked, trx);
          if (built) return { ok: true as const, orderNo: built.orderNo, reused: true };
          if (liveLocked.length >= maxLive) return { ok: false as const, message: M.tooManyLiveOrders(maxLive) };
          await repo.insertOrder(trx, {
            orderNo, personId, category: w.category, amount: sel.total, notifyMobile: payer.mobile,
            expiresAt: new Date(now.getTime() + config.orderTtlMinutes * 60_000), lines: sel.lines,
          });
          return { ok: true as const, orderNo, reused: false };
        });
      });
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

    /**
     * 确定缴费: close competing orders, write the attempt, then hand the order to the channel.
     * If an attempt of the same bills is still payable at a channel that could not close it (this
     * order at another channel, or another order), nothing is sent: the answer is a warning, and
     * only a submission acknowledging each of those attempts (`acknowledged`, their ids) goes on.
     */
    async submitToChannel(personId: number, orderNo: string, channelId: string, now = new Date(), acknowledged: readonly string[] = []): Promise<SubmitResult> {
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
      const billIds = lines.map((l) => l.billId);

      // A bank page or QR of these bills that its channel could not close is still payable: the
      // payer is told, with its channel and expiry, and chooses (继续支付 there, or pay here anyway).
      const elsewhere = await openAttemptsElsewhere(order, channelId, billIds, now);
      if (elsewhere.kind === 'paid') {
        if (elsewhere.orderNo === orderNo) return { kind: 'paid', orderNo };
        await closeOrder(order, now);
        return { kind: 'refused', message: M.paidElsewhere(elsewhere.orderNo) };
      }
      if (elsewhere.kind === 'unknown') return { kind: 'refused', message: M.cannotCloseOther(elsewhere.orderNo) };
      const unacknowledged = elsewhere.open.filter((a) => !acknowledged.includes(a.attemptId));
      if (unacknowledged.length) return { kind: 'warning', open: elsewhere.open };

      // Any other live order for these bills is closed at its channel before this one is sent
      // (an acknowledged open attempt stays live at its channel, and so does its order).
      for (const other of await repo.liveOrdersCoveringBills(billIds, order.id)) {
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
      let continued: Date | null = null;
      for (const a of await repo.attemptsOf(order.id)) {
        if (!isLive(a)) continue;
        if (a.channel === channelId) {
          if (a.status === 'sent' && a.payUrl) return { kind: 'action', action: { kind: 'redirect', url: a.payUrl } };
          // The channel knows this order by its number with the first attempt's expiry: asked
          // again, it is asked with that same expiry, never a longer one.
          const until = a.expiresAt ?? order.expiresAt;
          if (!continued || until < continued) continued = until;
          // A QR or form already given, or the same channel being asked right now (a double
          // click, two tabs): left live, so that a close still reaches it at the channel. The
          // channel is asked again below and answers with the same channel order, recorded on
          // one attempt only (the 23505 below).
          continue;
        }
        const r = await closeAttempt(order, a, now);
        if (r === 'paid') return { kind: 'paid', orderNo };
        if (r === 'unknown') return { kind: 'refused', message: M.cannotCloseOther(order.orderNo) };
        // 'open': acknowledged above; it stays live at its channel until its expiry.
      }
      if (continued && continued <= now) return { kind: 'refused', message: M.attemptLapsed };

      const t = orderTotals(order.amount, feeOf(channelId));
      // At a channel that cannot close an unpaid attempt, the shortest life it allows.
      const expiresAt = continued ?? attemptExpiry(order, adapter.alwaysClosable, now);
      const attemptId = await db.transaction(async (trx) => {
        if (!(await repo.setOrderCharges(trx, order.id, { channel: channelId, fee: t.fee, total: t.total }))) return null;
        return repo.insertAttempt(trx, { orderId: order.id, channel: channelId, amount: t.total, fee: t.fee, expiresAt });
      });
      if (!attemptId) return { kind: 'refused', message: M.orderNotLive };

      let created;
      try {
        created = await adapter.createPayment(await channelOrder({ ...order, channel: channelId }, null, t.total, expiresAt));
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
      if (r === 'open') {
        // A bank page that cannot be closed: the order is not reported cancelled. It ends with
        // that page (its expiry is brought forward to the page's), settled by the expiry job.
        const untilOf = (a: AttemptRow) => a.expiresAt ?? order.expiresAt;
        const last = (await repo.attemptsOf(order.id)).filter(isLive).sort((x, y) => untilOf(y).getTime() - untilOf(x).getTime())[0];
        if (!last) {
          // Paid (or settled) between the close and this read: the order says which.
          const fresh = await repo.orderById(order.id);
          if (fresh && ['paid', 'partly_refunded', 'refunded'].includes(fresh.status)) return { ok: false, message: M.alreadyPaid(orderNo), paid: true };
          return { ok: false, message: M.cannotCloseOther(orderNo) };
        }
        // Plus the grace the expiry job gives an attempt: the bank's clock may run behind ours.
        await repo.shortenOrderExpiry(order.id, new Date(untilOf(last).getTime() + EXPIRY_GRACE_MS));
        return { ok: false, message: M.cancelPending(labelOf(last.channel), untilOf(last)) };
      }
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
            const q = await adapter.query(await attemptOrder(order, a));
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
    /** `from` is the sender's address, for the limit on refused notifications (./notify-limit.ts). */
    async handleNotification(channel: string, raw: RawNotification, from = ''): Promise<ChannelAnswer> {
      const adapter = registry.get(channel);
      // A channel taken off CHANNELS_FISCAL / CHANNELS_COLLECTED is still heard while attempts at
      // it exist: an order already at a channel must still be settled.
      if (!adapter || (!registry.isConfigured(channel) && !(await repo.hasAttemptsAt(channel)))) {
        // Counted like a refusal: no channel of ours posts here.
        const limited = deps.notifyLimit && !(await deps.notifyLimit.refused(from));
        return { status: limited ? 429 : 404, contentType: 'text/plain; charset=utf-8', body: 'unknown channel' };
      }
      const headers = { 'content-type': raw.headers['content-type'], 'user-agent': raw.headers['user-agent'] };
      const parsed = adapter.parseNotification(raw);
      if (!parsed.verified) {
        if (deps.notifyLimit && !(await deps.notifyLimit.refused(from))) return { ...parsed.nack, status: 429 };
        // Anyone can post here: keep enough of a refused request to investigate, not whatever size it
        // came in, and for 30 days at most (the notify-purge job).
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
      // A channel that did not answer leaves the order for the next run; anything else (the
      // database, a bug) is logged with what it was about, the other orders still go on, and the
      // run fails with the first such error so that it is seen.
      let failure: unknown = null;
      const onError = (what: Record<string, string>) => (e: unknown): 'unknown' => {
        if (e instanceof ChannelError) return 'unknown';
        log?.error({ ...what, err: (e as Error)?.message ?? String(e) }, 'expiry failed');
        failure ??= e;
        return 'unknown';
      };
      for (const o of await repo.expiredLiveOrders(now)) {
        const r = await closeOrder(o, now).catch(onError({ orderNo: o.orderNo }));
        if (r !== 'unknown' && r !== 'open') n++;
      }
      // Attempts with a life shorter than their order's (ICBC, UnionPay, an Alipay QR): settled
      // once their expiry (and a grace for the channel's clock) has passed.
      for (const a of await repo.expiredLiveAttempts(new Date(now.getTime() - EXPIRY_GRACE_MS))) {
        const r = await settleExpiredAttempt(a.attemptId, a.orderId, now).catch(onError({ attemptId: a.attemptId, orderId: a.orderId }));
        if (r === 'closed' || r === 'paid') n++;
      }
      if (failure) throw failure;
      return n;
    },

    settleExpiredAttempt,
  };
}

export type PaymentService = ReturnType<typeof paymentService>;
