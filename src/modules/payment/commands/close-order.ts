// Closing an order at its channels, then here: never closed here without the channel's word, so
// that a payment the channel takes is never one we stopped looking for. A create call answered
// between our close and our compare-and-set is closed again (closeAttempt's rounds).
import { EXPIRY_GRACE_MS } from '../../../gateways/common/expiry';
import { isSettled, LIVE } from '../../../domain/order-state';
import { ChannelError } from '../../../gateways/types';
import { attemptById, attemptsOf, casAttempt, isLiveAttempt, type AttemptRow } from '../attempts-repo';
import { attemptView } from '../channel-view';
import type { PaymentDeps } from '../context';
import { recordEvent } from '../events-repo';
import { casOrder, orderById, type OrderRow } from '../orders-repo';
import { creditPayment, isAcked } from './credit-payment';

export type CloseOutcome = 'closed' | 'paid' | 'unknown' | 'open';

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

/** closeAttempt's rounds: an attempt moves created → sent → closed/paid, never back. */
const CLOSE_ROUNDS = 3;

/**
 * Closes an order's live attempts at their channels, then the order. If a channel says the
 * money was paid, that payment is credited instead and the answer is 'paid'; if a channel
 * cannot be reached the answer is 'unknown' and nothing is closed. If a channel cannot close
 * an attempt (a bank page payable until its expiry), the others are closed, the order stays
 * live and the answer is 'open': an order is never reported closed while it may still be paid.
 * The expiry job settles it once that attempt's expiry has passed.
 */
export async function closeOrder(deps: PaymentDeps, input: { order: OrderRow; now: Date }): Promise<CloseOutcome> {
  const { order, now } = input;
  let open = false;
  for (const a of await attemptsOf(deps.db, order.id)) {
    if (!isLiveAttempt(a)) continue;
    const r = await closeAttempt(deps, { order, attempt: a, now });
    if (r === 'open') open = true;
    else if (r !== 'closed') return r;
  }
  if (open) return 'open';
  if (await casOrder(deps.db, order.id, LIVE, 'closed', { closed_at: now })) {
    deps.logger?.info({ orderNo: order.orderNo }, 'order closed');
    return 'closed';
  }
  const fresh = await orderById(deps.db, order.id);
  return fresh && isSettled(fresh.status) ? 'paid' : 'closed';
}

/**
 * Closes one attempt at its channel, then here. A `created` attempt may have its create call
 * in flight: it is closed at the channel by the id the channel will know it by (our order
 * number, for the channels that use it), and if that cannot be known it is left alone
 * ('unknown') until its call must be over. A channel that cannot close it answers 'open': the
 * attempt stays live ('sent') until its expiry.
 */
export async function closeAttempt(deps: PaymentDeps, input: { order: OrderRow; attempt: AttemptRow; now: Date }): Promise<CloseOutcome> {
  const { db, registry } = deps;
  const log = deps.logger;
  const { order, now } = input;
  let a: AttemptRow | null = input.attempt;
  for (let round = 0; round < CLOSE_ROUNDS && a; round++) {
    if (a.status === 'paid') return 'paid';
    if (!isLiveAttempt(a)) return 'closed';
    const adapter = registry.get(a.channel);
    const channelOrderId = a.channelOrderId ?? (ORDER_NO_IS_CHANNEL_ORDER_ID.includes(a.channel) ? order.orderNo : null);
    if (adapter && channelOrderId) {
      try {
        const r = await adapter.close(await attemptView(deps, order, a, channelOrderId));
        await recordEvent(db, { channel: a.channel, attemptId: a.id, orderNo: order.orderNo, kind: 'close', verified: true, outcome: r.status });
        if (r.status === 'paid') {
          const outcome = await creditPayment(deps, { channel: a.channel, event: r.event, record: { kind: 'close' } });
          if (isAcked(outcome)) return 'paid';
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
    if (await casAttempt(db, a.id, [a.status], 'closed')) return 'closed';
    a = await attemptById(db, a.id);
  }
  if (!a) return 'closed';
  return a.status === 'paid' ? 'paid' : isLiveAttempt(a) ? 'unknown' : 'closed';
}
