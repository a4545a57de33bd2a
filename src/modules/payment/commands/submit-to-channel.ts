// 确定缴费: close competing orders, write the attempt, then hand the order to the channel. Local
// writes come first and every change of state is a compare-and-set, then the channel is called: a
// crash between the two leaves an order we can query or close, never money we do not know about.
import { isSettled, LIVE } from '../../../domain/order-state';
import { orderTotals } from '../../../domain/payment-selection';
import { ChannelError, ProductConflictError, type PayerClient } from '../../../gateways/types';
import { notPayableAmong, payableBills } from '../../fees/payable';
import { attemptById, attemptsOf, casAttempt, insertAttempt, isLiveAttempt, liveAttemptsCoveringBills } from '../attempts-repo';
import { channelView } from '../channel-view';
import { choiceLabel, feeOf, isUniqueViolation, ownOrder, type PaymentDeps } from '../context';
import { recordEvent } from '../events-repo';
import { M } from '../messages';
import { linesOfOrder, liveOrdersCoveringBills, orderById, setOrderCharges, type OrderRow } from '../orders-repo';
import { closeAttempt, closeOrder } from './close-order';
import { expireIfDue } from './expire-orders';
import { closeLateAnswer } from './late-answer';
import { refused, type OpenAttempt, type SubmitResult } from './submit-result';

export type { OpenAttempt, SubmitResult } from './submit-result';

/** UNCLOSABLE_ATTEMPT_TTL_MINUTES when the caller's config does not say. */
const DEFAULT_UNCLOSABLE_TTL_MINUTES = 15;

/** An attempt's expiry: the order's, or at a channel that cannot always close, the shortest allowed. */
function attemptExpiry(deps: PaymentDeps, order: OrderRow, alwaysClosable: boolean, now: Date): Date {
  if (alwaysClosable) return order.expiresAt;
  const ttl = deps.config.unclosableAttemptTtlMinutes ?? DEFAULT_UNCLOSABLE_TTL_MINUTES;
  return new Date(Math.min(order.expiresAt.getTime(), now.getTime() + ttl * 60_000));
}

/**
 * Live attempts covering these bills (any order) that their channel may not be able to close,
 * other than the one being continued (this order at this channel). Each is asked to close; the
 * ones still payable at their channel are returned. Attempts at channels that always close are
 * left alone here: submitToChannel closes them once the payer has chosen.
 */
async function openAttemptsElsewhere(deps: PaymentDeps, order: OrderRow, channel: string, billIds: number[], now: Date):
  Promise<{ kind: 'open'; open: OpenAttempt[] } | { kind: 'paid'; orderNo: string } | { kind: 'unknown'; orderNo: string }> {
  const open: OpenAttempt[] = [];
  for (const live of await liveAttemptsCoveringBills(deps.db, billIds, now)) {
    if (live.orderId === order.id && live.channel === channel) continue;
    const adapter = deps.registry.get(live.channel);
    if (!adapter || adapter.alwaysClosable) continue;
    const [o, a] = await Promise.all([orderById(deps.db, live.orderId), attemptById(deps.db, live.attemptId)]);
    if (!o || !a) continue;
    const r = await closeAttempt(deps, { order: o, attempt: a, now });
    if (r === 'paid') return { kind: 'paid', orderNo: o.orderNo };
    if (r === 'unknown') return { kind: 'unknown', orderNo: o.orderNo };
    if (r === 'open') open.push({ attemptId: a.id, orderNo: o.orderNo, channel: a.channel, until: a.expiresAt ?? o.expiresAt });
  }
  return { kind: 'open', open };
}

/**
 * The non-tax platform's breaker hears of a bill.push; the breaker's own write failing (the
 * database busy) must not change what the payer is told.
 */
async function feedBreaker(deps: PaymentDeps, channel: string, tell: (b: NonNullable<PaymentDeps['nontaxBreaker']>) => Promise<void>) {
  if (channel !== 'nontax' || !deps.nontaxBreaker) return;
  try {
    await tell(deps.nontaxBreaker);
  } catch (err) {
    deps.logger?.warn({ err }, 'non-tax breaker not updated');
  }
}

/**
 * If an attempt of the same bills is still payable at a channel that could not close it (this
 * order at another channel, or another order), nothing is sent: the answer is a warning, and
 * only a submission acknowledging each of those attempts (`acknowledged`, their ids) goes on.
 */
export async function submitToChannel(
  deps: PaymentDeps, input: { personId: number; orderNo: string; channel: string; now: Date; acknowledged: readonly string[]; client?: PayerClient; /** an 授权缴费人 paying for the student */ payerId?: number | null },
): Promise<SubmitResult> {
  const { db, registry } = deps;
  const log = deps.logger;
  const { personId, orderNo, channel: channelId, now, acknowledged, client } = input;
  let order = await ownOrder(deps, personId, orderNo);
  if (isSettled(order.status)) return { kind: 'paid', orderNo };
  if (!LIVE.includes(order.status)) throw refused(M.orderNotLive);
  order = await expireIfDue(deps, { order, now });
  if (order.status === 'paid') return { kind: 'paid', orderNo };
  // Past its time but not closed (a channel call still in flight or unreachable): not sent again.
  if (!LIVE.includes(order.status) || order.expiresAt <= now) throw refused(M.orderExpired);
  if (!registry.serves(channelId, order.category)) {
    const known = registry.choicesFor(order.category).some((c) => c.id === channelId);
    throw refused(known ? M.channelNotOpen : M.chooseChannel);
  }
  const adapter = registry.get(channelId)!;
  // Inside WeChat's browser neither 微信支付 H5 nor 支付宝's pages open: nothing is closed or sent.
  if (client && adapter.opensIn && !adapter.opensIn(client.device)) return { kind: 'otherBrowser', channel: channelId };
  const lines = await linesOfOrder(db, order.id);
  const billIds = lines.map((l) => l.billId);

  // A bank page or QR of these bills that its channel could not close is still payable: the
  // payer is told, with its channel and expiry, and chooses (继续支付 there, or pay here anyway).
  const elsewhere = await openAttemptsElsewhere(deps, order, channelId, billIds, now);
  if (elsewhere.kind === 'paid') {
    if (elsewhere.orderNo === orderNo) return { kind: 'paid', orderNo };
    await closeOrder(deps, { order, now });
    throw refused(M.paidElsewhere(elsewhere.orderNo));
  }
  if (elsewhere.kind === 'unknown') throw refused(M.cannotCloseOther(elsewhere.orderNo));
  const unacknowledged = elsewhere.open.filter((a) => !acknowledged.includes(a.attemptId));
  if (unacknowledged.length) return { kind: 'warning', open: elsewhere.open };

  // Any other live order for these bills is closed at its channel before this one is sent
  // (an acknowledged open attempt stays live at its channel, and so does its order).
  for (const other of await liveOrdersCoveringBills(db, billIds, order.id)) {
    const r = await closeOrder(deps, { order: other, now });
    if (r === 'unknown') throw refused(M.cannotCloseOther(other.orderNo));
    if (r === 'paid') {
      await closeOrder(deps, { order, now });
      throw refused(M.paidElsewhere(other.orderNo));
    }
  }
  // The arrears may have moved since the order was made (a counter payment, a reduction), and a
  // 其他费用 item's window may have closed (or finance stopped it): said so when that is why.
  const bills = await payableBills(db, personId, now);
  if (lines.some((l) => { const b = bills.find((x) => x.billId === l.billId); return !b || l.amount.greaterThan(b.arrears); })) {
    await closeOrder(deps, { order, now });
    throw refused((await notPayableAmong(db, personId, billIds, now)) ?? M.wizardGone);
  }

  // An attempt already at a channel: the same one continues (继续支付); another is closed first,
  // at its channel (closeAttempt), even one whose create call is still in flight.
  let continued: Date | null = null;
  for (const a of await attemptsOf(db, order.id)) {
    if (!isLiveAttempt(a)) continue;
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
    const r = await closeAttempt(deps, { order, attempt: a, now });
    if (r === 'paid') return { kind: 'paid', orderNo };
    if (r === 'unknown') throw refused(M.cannotCloseOther(order.orderNo));
    // 'open': acknowledged above; it stays live at its channel until its expiry.
  }
  if (continued && continued <= now) throw refused(M.attemptLapsed);

  const t = orderTotals(order.amount, feeOf(deps.config, channelId));
  // At a channel that cannot close an unpaid attempt, the shortest life it allows.
  const expiresAt = continued ?? attemptExpiry(deps, order, adapter.alwaysClosable, now);
  const attemptId = await db.transaction(async (trx) => {
    if (!(await setOrderCharges(trx, order.id, { channel: channelId, fee: t.fee, total: t.total, payerId: input.payerId ?? null }))) return null;
    return insertAttempt(trx, { orderId: order.id, channel: channelId, amount: t.total, fee: t.fee, expiresAt });
  });
  if (!attemptId) throw refused(M.orderNotLive);

  let created;
  try {
    const view = await channelView(deps, order, { channel: channelId, channelOrderId: null, total: t.total, expiresAt });
    created = await adapter.createPayment(client ? { ...view, client } : view);
    await feedBreaker(deps, channelId, (b) => b.success(now));
  } catch (e) {
    if (!(e instanceof ChannelError)) throw e;
    log?.warn({ orderNo, err: e.message }, 'create payment failed');
    // An uncertain error is the platform not answering properly; a definite one is a refusal.
    if (e.uncertain) await feedBreaker(deps, channelId, (b) => b.failure(e.message, now));
    await recordEvent(db, { channel: channelId, attemptId, orderNo, kind: 'create', verified: false, outcome: e.uncertain ? 'uncertain' : 'refused', body: e.message });
    // A definite refusal ends the attempt; an uncertain one stays open for the next try to resume.
    if (!e.uncertain) await casAttempt(db, attemptId, ['created'], 'failed');
    // The channel holds this order as its other product (a QR begun on the computer, asked for on the phone).
    if (e instanceof ProductConflictError) throw refused(M.productConflict(choiceLabel(channelId)));
    throw refused(M.channelBusy);
  }
  // A link that lives minutes (微信支付 H5) is asked for anew on 继续支付, never kept.
  const payUrl = created.action.kind === 'redirect' && !created.action.oneUse ? created.action.url : null;
  let sent: boolean;
  try {
    sent = await casAttempt(db, attemptId, ['created'], 'sent', { channel_order_id: created.channelOrderId, pay_url: payUrl });
  } catch (e) {
    // Two submissions of one order raced (two tabs, a double click): the channel answered both
    // with the same bill, already recorded on the other attempt. This one steps aside.
    if (!isUniqueViolation(e)) throw e;
    if (await casAttempt(db, attemptId, ['created'], 'failed')) return { kind: 'action', action: created.action };
    sent = false;
  }
  if (!sent) return closeLateAnswer(deps, { order: { ...order, channel: channelId }, attemptId, channel: channelId, created, total: t.total });
  await recordEvent(db, { channel: channelId, attemptId, orderNo, kind: 'create', verified: true, outcome: 'sent', body: created.channelOrderId });
  return { kind: 'action', action: created.action };
}
