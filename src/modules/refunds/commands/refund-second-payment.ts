// A second payment of an order already paid (overpayment kind 'attempt') goes back through the
// channel that took it. It never reached a bill, so there is no `refunds` row: the flag itself
// keeps the refund number and request time, and the refund query (./settle-refunding-flags.ts)
// settles it from the channel's word.
import { AppError } from '../../../domain/app-error';
import type { RefundsDeps } from '../deps';
import { M } from '../messages';
import { moveOverpayment, type OverpaymentRow } from '../overpayments-repo';
import { nextRefundNo } from '../refunds-repo';
import { refusalOf, sendRefund } from './send-refund';

/** The flag left 'refunding' under us (dismissed, settled elsewhere): nothing was sent. */
export class FlagMovedError extends AppError {
  constructor() {
    super('conflict', M.flagMoved);
  }
}

/** The flagged payment with its channel, order and attempt, or null when it cannot go back through the platform. */
export async function secondPaymentOf(deps: Pick<RefundsDeps, 'gateways' | 'attempts'>, op: Pick<OverpaymentRow, 'channel' | 'orderId' | 'attemptId'>) {
  const channel = op.channel ? deps.gateways?.get(op.channel) ?? null : null;
  if (!channel || !deps.attempts) return null;
  const order = await deps.attempts.orderById(op.orderId);
  const attempt = order ? (await deps.attempts.attemptsOf(order.id)).find((x) => x.id === op.attemptId) : undefined;
  if (!order || !attempt?.channelOrderId) return null;
  return { channel, order, attempt, channelOrder: () => deps.attempts!.attemptOrder(order, attempt) };
}

/** Sends the flagged second payment back; the flag is already 'refunding' (the caller moved it). */
export async function refundSecondPayment(deps: RefundsDeps, op: OverpaymentRow): Promise<{ status: 'refunded' | 'refunding'; refundNo: string }> {
  const paid = await secondPaymentOf(deps, op);
  if (!paid) throw new AppError('unavailable', M.noAttemptRefundApi);
  const refundNo = await nextRefundNo(deps.db);
  const requestedAt = new Date();
  // The number and time are kept before the call: if the answer is lost, the refund query asks
  // about it (and asks again with it) as the same refund.
  if (!(await moveOverpayment(deps.db, op.id, ['refunding'], 'refunding', { refundNo, refundRequestedAt: requestedAt }))) throw new FlagMovedError();
  const sent = await sendRefund(paid.channel, await paid.channelOrder(), paid.attempt.amount, refundNo, requestedAt);
  deps.logger?.info({ orderNo: paid.order.orderNo, refundNo, amount: paid.attempt.amount.toFixed(2), outcome: sent.status }, 'second payment refund sent');
  if (sent.status === 'unanswered') throw new AppError('uncertain', sent.error);
  if (sent.status === 'succeeded') return { status: 'refunded', refundNo };
  if (sent.status === 'pending') return { status: 'refunding', refundNo };
  throw refusalOf(sent, M.unsupportedAttempt, '_');
}
