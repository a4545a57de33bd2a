// 取消交费 / 取消: the order is closed at its channel and here. When it cannot be, the command
// refuses (AppError 'conflict', shown on 图12 again); one already paid says so in `details.paid`,
// for the page to show the 银行支付结果 instead.
import { AppError } from '../../../domain/app-error';
import { isSettled, LIVE } from '../../../domain/order-state';
import { EXPIRY_GRACE_MS } from '../../../gateways/common/expiry';
import { attemptsOf, isLiveAttempt, type AttemptRow } from '../attempts-repo';
import { choiceLabel, ownOrder, type PaymentDeps } from '../context';
import { M } from '../messages';
import { orderById, shortenOrderExpiry } from '../orders-repo';
import { closeOrder } from './close-order';

/** The notice 应交款明细表 shows after 取消. */
export interface Cancelled { message: string }

const refused = (message: string) => new AppError('conflict', message);

export async function cancelOrder(deps: PaymentDeps, input: { personId: number; orderNo: string; now: Date }): Promise<Cancelled> {
  const { orderNo, now } = input;
  const alreadyPaid = () => new AppError('conflict', M.alreadyPaid(orderNo), '_', { paid: true });
  const order = await ownOrder(deps, input.personId, orderNo);
  if (isSettled(order.status)) throw alreadyPaid();
  if (!LIVE.includes(order.status)) return { message: M.cancelled(orderNo) };
  const r = await closeOrder(deps, { order, now });
  if (r === 'paid') throw alreadyPaid();
  if (r === 'unknown') throw refused(M.cannotCloseOther(orderNo));
  if (r === 'open') {
    // A bank page that cannot be closed: the order is not reported cancelled. It ends with
    // that page (its expiry is brought forward to the page's), settled by the expiry job.
    const untilOf = (a: AttemptRow) => a.expiresAt ?? order.expiresAt;
    const last = (await attemptsOf(deps.db, order.id)).filter(isLiveAttempt).sort((x, y) => untilOf(y).getTime() - untilOf(x).getTime())[0];
    if (!last) {
      // Paid (or settled) between the close and this read: the order says which.
      const fresh = await orderById(deps.db, order.id);
      if (fresh && isSettled(fresh.status)) throw alreadyPaid();
      throw refused(M.cannotCloseOther(orderNo));
    }
    // Plus the grace the expiry job gives an attempt: the bank's clock may run behind ours.
    await shortenOrderExpiry(deps.db, order.id, new Date(untilOf(last).getTime() + EXPIRY_GRACE_MS));
    throw refused(M.cancelPending(choiceLabel(last.channel), untilOf(last)));
  }
  return { message: M.cancelled(orderNo) };
}
