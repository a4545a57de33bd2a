// 取消交费 / 取消: the order is closed at its channel and here.
import { isSettled, LIVE } from '../../../domain/order-state';
import { EXPIRY_GRACE_MS } from '../../../gateways/common/expiry';
import { attemptsOf, isLiveAttempt, type AttemptRow } from '../attempts-repo';
import { choiceLabel, ownOrder, type PaymentDeps } from '../context';
import { M } from '../messages';
import { orderById, shortenOrderExpiry } from '../orders-repo';
import { closeOrder } from './close-order';

export type CancelResult = { ok: true; message: string } | { ok: false; message: string; paid?: true };

export async function cancelOrder(deps: PaymentDeps, input: { personId: number; orderNo: string; now: Date }): Promise<CancelResult> {
  const { orderNo, now } = input;
  const order = await ownOrder(deps, input.personId, orderNo);
  if (isSettled(order.status)) return { ok: false, message: M.alreadyPaid(orderNo), paid: true };
  if (!LIVE.includes(order.status)) return { ok: true, message: M.cancelled(orderNo) };
  const r = await closeOrder(deps, { order, now });
  if (r === 'paid') return { ok: false, message: M.alreadyPaid(orderNo), paid: true };
  if (r === 'unknown') return { ok: false, message: M.cannotCloseOther(orderNo) };
  if (r === 'open') {
    // A bank page that cannot be closed: the order is not reported cancelled. It ends with
    // that page (its expiry is brought forward to the page's), settled by the expiry job.
    const untilOf = (a: AttemptRow) => a.expiresAt ?? order.expiresAt;
    const last = (await attemptsOf(deps.db, order.id)).filter(isLiveAttempt).sort((x, y) => untilOf(y).getTime() - untilOf(x).getTime())[0];
    if (!last) {
      // Paid (or settled) between the close and this read: the order says which.
      const fresh = await orderById(deps.db, order.id);
      if (fresh && isSettled(fresh.status)) return { ok: false, message: M.alreadyPaid(orderNo), paid: true };
      return { ok: false, message: M.cannotCloseOther(orderNo) };
    }
    // Plus the grace the expiry job gives an attempt: the bank's clock may run behind ours.
    await shortenOrderExpiry(deps.db, order.id, new Date(untilOf(last).getTime() + EXPIRY_GRACE_MS));
    return { ok: false, message: M.cancelPending(choiceLabel(last.channel), untilOf(last)) };
  }
  return { ok: true, message: M.cancelled(orderNo) };
}
