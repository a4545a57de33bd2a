// The expiry of orders and of attempts: run by the order-expiry job for everything past its time,
// and lazily for one order whenever the wizard shows or sends it.
import { LIVE } from '../../../domain/order-state';
import { EXPIRY_GRACE_MS } from '../../../gateways/common/expiry';
import { ChannelError } from '../../../gateways/types';
import { attemptById, attemptsOf, expiredLiveAttempts, isLiveAttempt } from '../attempts-repo';
import type { PaymentDeps } from '../context';
import { expiredLiveOrders, orderById, type OrderRow } from '../orders-repo';
import { closeAttempt, closeOrder, type CloseOutcome } from './close-order';

/** A live order past its time is closed at its channel first; returns the order as it is now. */
export async function expireIfDue(deps: PaymentDeps, input: { order: OrderRow; now: Date }): Promise<OrderRow> {
  const { order, now } = input;
  if (!LIVE.includes(order.status) || order.expiresAt > now) return order;
  await closeOrder(deps, { order, now });
  return (await orderById(deps.db, order.id)) ?? order;
}

/**
 * An attempt past its own expiry is settled at its channel (the channel's last word: paid, or
 * closed since its expiry passed). An order left with no live attempt is closed: its last
 * attempt lapsed (the payer left the bank page) or the order itself expired. (An ICBC or
 * UnionPay order number, once lapsed at the bank, cannot be sent there again: the payer makes a
 * new order.)
 */
export async function settleExpiredAttempt(deps: PaymentDeps, input: { attemptId: string; orderId: string; now: Date }): Promise<CloseOutcome> {
  const { now } = input;
  const [order, a] = await Promise.all([orderById(deps.db, input.orderId), attemptById(deps.db, input.attemptId)]);
  if (!order || !a || !isLiveAttempt(a)) return 'closed';
  const r = await closeAttempt(deps, { order, attempt: a, now });
  if (r !== 'closed' || !LIVE.includes(order.status)) return r;
  const rest = (await attemptsOf(deps.db, order.id)).filter(isLiveAttempt);
  if (rest.length) return 'closed';
  return closeOrder(deps, { order, now });
}

/** Closes every live order past its time (the expiry job); returns how many were settled. */
export async function expireOrders(deps: PaymentDeps, input: { now: Date }): Promise<number> {
  const { now } = input;
  let n = 0;
  // A channel that did not answer leaves the order for the next run; anything else (the
  // database, a bug) is logged with what it was about, the other orders still go on, and the
  // run fails with the first such error so that it is seen.
  let failure: unknown = null;
  const settle = async (what: Record<string, string>, run: () => Promise<CloseOutcome>): Promise<CloseOutcome> => {
    try {
      return await run();
    } catch (e) {
      if (e instanceof ChannelError) return 'unknown';
      deps.logger?.error({ ...what, err: (e as Error)?.message ?? String(e) }, 'expiry failed');
      failure ??= e;
      return 'unknown';
    }
  };
  for (const o of await expiredLiveOrders(deps.db, now)) {
    const r = await settle({ orderNo: o.orderNo }, () => closeOrder(deps, { order: o, now }));
    if (r !== 'unknown' && r !== 'open') n++;
  }
  // Attempts with a life shorter than their order's (ICBC, UnionPay, an Alipay QR): settled
  // once their expiry (and a grace for the channel's clock) has passed.
  for (const a of await expiredLiveAttempts(deps.db, new Date(now.getTime() - EXPIRY_GRACE_MS))) {
    const r = await settle({ orderNo: a.orderNo, attemptId: a.attemptId }, () => settleExpiredAttempt(deps, { attemptId: a.attemptId, orderId: a.orderId, now }));
    if (r === 'closed' || r === 'paid') n++;
  }
  if (failure) throw failure;
  return n;
}
