// Crediting a payment a channel confirmed (notification, query, close answer, statement), in one
// transaction: the order paying → paid (compare-and-set), the bills' 实缴金额 through the ledger,
// a 收费单 by 支付平台 with its e-bill request (待生成), the attempt marked paid with the channel's
// trade number, the SMS queued and the event recorded. The attempt row is locked first, so
// duplicates of one confirmation queue and find it done.
import { businessDate } from '../../../domain/business-date';
import { Decimal, formatMoney } from '../../../domain/money';
import { credits, refusals } from '../../../metrics/registry';
import { CREDITABLE } from '../../../domain/order-state';
import type { PaidEvent } from '../../../gateways/types';
import { insertReceipt, postLedgerEntry } from '../../billing/repo';
import { lockOwed } from '../../fees/repo';
import { payerOf } from '../../profile/repo';
import { enqueueSms } from '../../sms/outbox-repo';
import { casAttempt, lockAttemptByChannelOrderId, lockUnrecordedAttempt, setChannelOrderId } from '../attempts-repo';
import { choiceLabel, type PaymentDeps } from '../context';
import { recordEvent } from '../events-repo';
import { M } from '../messages';
import { casOrder, linesOfOrder, lockOrder } from '../orders-repo';

export type CreditOutcome = 'credited' | 'duplicate' | 'double-paid' | 'rejected:unknown-order' | 'rejected:order' | 'rejected:amount' | 'rejected:trade-no';

/** Outcomes after which the channel must stop sending: we have the payment (or had it). */
const ACKED: readonly CreditOutcome[] = ['credited', 'duplicate', 'double-paid'];
export const isAcked = (o: CreditOutcome) => ACKED.includes(o);

export interface CreditInput {
  channel: string;
  event: PaidEvent;
  /** How the confirmation came (notify, query, close, reconcile …) and, for a message, what it said. */
  record: { kind: string; headers?: unknown; body?: string };
}

export async function creditPayment(deps: Pick<PaymentDeps, 'db' | 'config' | 'logger' | 'afterCredit'>, input: CreditInput): Promise<CreditOutcome> {
  const outcome = await creditInTransaction(deps, input);
  // After the commit: the receipt is there for the e-bill drain to claim.
  if (outcome === 'credited') deps.afterCredit?.();
  return outcome;
}

async function creditInTransaction(deps: Pick<PaymentDeps, 'db' | 'config' | 'logger'>, input: CreditInput): Promise<CreditOutcome> {
  const { db, config } = deps;
  const log = deps.logger;
  const { channel, event, record: rec } = input;
  // The order the outcome is about, for the log line written once the transaction has committed.
  let about: string | null = event.orderNo;
  try {
    const outcome = await db.transaction(async (trx) => {
      const record = (outcome: CreditOutcome, attemptId: string | null, orderNo: string | null) => {
        about = orderNo;
        return recordEvent(trx, { channel, attemptId, orderNo, kind: rec.kind, verified: true, outcome, headers: rec.headers, body: rec.body }).then(() => outcome);
      };
      let attempt = await lockAttemptByChannelOrderId(trx, channel, event.channelOrderId);
      if (!attempt && event.orderNo !== null) {
        // No attempt holds this channel order id: its create call was answered after the
        // attempt had been closed, or never (a timeout). The signed event names our order, so
        // the payment belongs to that order's attempt on this channel: the money is real.
        attempt = await lockUnrecordedAttempt(trx, channel, event.orderNo, event.amount);
        if (attempt) {
          await setChannelOrderId(trx, attempt.id, event.channelOrderId);
          log?.warn({ orderNo: event.orderNo, channel, attemptId: attempt.id }, 'payment for an attempt without its channel order id');
        } else {
          // A duplicate of this event may have just adopted the attempt: look again.
          attempt = await lockAttemptByChannelOrderId(trx, channel, event.channelOrderId);
        }
      }
      if (!attempt) return record('rejected:unknown-order', null, event.orderNo);
      const order = (await lockOrder(trx, attempt.orderId))!;
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
        await casAttempt(trx, attempt.id, ['created', 'sent', 'closed', 'failed'], 'paid', { ...paidFields, duplicate_payment: true });
        log?.warn({ orderNo: order.orderNo, channel }, 'second payment of a paid order');
        return record('double-paid', attempt.id, order.orderNo);
      }
      // A payment for a closed or failed order is still credited: the money is real.
      const moved = await casOrder(trx, order.id, CREDITABLE, 'paid', {
        paid_at: event.paidAt, channel, fee: attempt.fee.toFixed(2), total: attempt.amount.toFixed(2),
      });
      if (!moved) throw new Error(`order ${order.orderNo} moved while locked`);
      const lines = await linesOfOrder(trx, order.id);
      // Money for bills that no longer owe it (another order of the same bills was paid first,
      // typically an old bank page paid after the payer switched): still credited, because the
      // money is real, and marked as a duplicate payment so that its excess goes back through
      // this channel by itself (DUPLICATE_PAYMENT_AUTO_REFUND). Read under the order's lock,
      // before this payment is posted; a reduction made after paying is not a duplicate.
      const owed = await lockOwed(trx, lines.map((l) => l.billId));
      // Per bill, what of this payment's line it did not owe (kept on the attempt): only that
      // excess is the duplicate's, not one a bill shows later through a reduction.
      const duplicateBills: Record<string, string> = {};
      for (const l of lines) {
        const b = owed.get(l.billId);
        const left = b ? Decimal.max(0, b) : new Decimal(0);
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
          reason: `${choiceLabel(channel)} ${order.orderNo} ${event.channelTradeNo}`,
        });
      }
      await casAttempt(trx, attempt.id, ['created', 'sent', 'closed', 'failed'], 'paid', { ...paidFields, duplicate_payment: duplicate, ...(duplicate ? { duplicate_bills: JSON.stringify(duplicateBills) } : {}) });
      const payer = await payerOf(trx, order.personId);
      const mobile = order.notifyMobile || payer.mobile;
      if (mobile) {
        await enqueueSms(trx, { personId: order.personId, mobile, body: M.smsPaid(config.schoolName, formatMoney(order.amount), order.orderNo, receipt.receiptNo) });
      }
      return record('credited', attempt.id, order.orderNo);
    });
    logOutcome(deps, { channel, via: rec.kind, orderNo: about, outcome, event });
    return outcome;
  } catch (e) {
    // The channel's trade number is already on another attempt: this event was applied before.
    if ((e as { code?: string }).code === '23505' && /channel_trade_no/.test(String((e as { constraint?: string }).constraint ?? (e as Error).message))) {
      await recordEvent(db, { channel, orderNo: event.orderNo, kind: rec.kind, verified: true, outcome: 'duplicate', headers: rec.headers, body: rec.body });
      logOutcome(deps, { channel, via: rec.kind, orderNo: event.orderNo, outcome: 'duplicate', event });
      return 'duplicate';
    }
    deps.logger?.error({ orderNo: event.orderNo, channel, via: rec.kind, err: e }, 'payment not credited: fault');
    throw e;
  }
}

/** Every outcome of a confirmation is a money event: one log line with its order number, and the channel's counters. */
function logOutcome(deps: Pick<PaymentDeps, 'logger'>, o: { channel: string; via: string; orderNo: string | null; outcome: CreditOutcome; event: PaidEvent }): void {
  const line = { orderNo: o.orderNo, channel: o.channel, via: o.via, outcome: o.outcome, amount: o.event.amount.toFixed(2), channelTradeNo: o.event.channelTradeNo };
  if (o.outcome === 'credited') {
    credits.inc({ channel: o.channel, via: o.via });
    deps.logger?.info(line, 'payment credited');
  } else if (o.outcome.startsWith('rejected:')) {
    refusals.inc({ channel: o.channel, reason: o.outcome.slice('rejected:'.length) });
    deps.logger?.warn(line, 'payment confirmation refused');
  } else deps.logger?.info(line, o.outcome === 'double-paid' ? 'second payment of a paid order recorded' : 'payment confirmation already applied');
}
