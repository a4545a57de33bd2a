// The one way a refund goes to a channel, for a bill refund and for a second payment alike:
// the number and request time are kept before the call (so a lost answer can be asked about),
// the channel is called outside any transaction, and an answer it did not give clearly is
// reported as 'unanswered', never guessed. Asking again goes by the same number: sent again
// only when the channel never saw it, as a new request of the current time, and only by the one
// caller that moved the stored request time (two instances that both heard "never seen" send
// one new request, not two).
import { AppError } from '../../../domain/app-error';
import type { Decimal } from '../../../domain/money';
import type { ChannelOrder, RefundQueryResult, RefundRef, RefundResult } from '../../../gateways/types';
import type { RefundChannel } from '../deps';
import { M } from '../messages';

export type SendOutcome = RefundResult | { status: 'unanswered'; error: string };

export async function sendRefund(channel: RefundChannel, order: ChannelOrder, amount: Decimal, refundNo: string, requestedAt: Date): Promise<SendOutcome> {
  try {
    return await channel.refund(order, amount, refundNo, requestedAt);
  } catch (e) {
    // Unknown outcome (timeout, 5xx …): the channel may have refunded. Refunding again another
    // way now could pay twice.
    return { status: 'unanswered', error: String((e as Error).message) };
  }
}

/** A clear no from the channel, as the refusal finance reads. */
export function refusalOf(r: SendOutcome, unsupported = M.unsupported, field = 'mode'): AppError {
  return new AppError('conflict', r.status === 'failed' ? M.refused(r.reason) : unsupported, field);
}

/**
 * What the channel says now of a refund we asked for. `moveRequest(retryAt)` stores the retry's
 * time (compare-and-set on the time asked about) and is true only for the caller that moved it;
 * 'moved' means another caller is sending. A ChannelError (no clear answer) is thrown.
 */
export async function askAboutRefund(
  channel: RefundChannel, order: ChannelOrder, ref: RefundRef, moveRequest: (retryAt: Date) => Promise<boolean>,
): Promise<Exclude<RefundQueryResult, { status: 'not_found' }> | { status: 'moved' }> {
  const answer = await channel.queryRefund(order, ref);
  if (answer.status !== 'not_found') return answer;
  // The channel never saw it: ask again under the same number, as a new request of the current
  // time (UnionPay names a transaction by orderId + txnTime and wants txnTime to be now). The time
  // is kept before the call, so the next query asks about this request.
  const retryAt = new Date();
  if (!(await moveRequest(retryAt))) return { status: 'moved' };
  const again = await channel.refund(order, ref.amount, ref.refundNo, retryAt);
  if (again.status === 'succeeded') return { status: 'succeeded', channelRefundNo: again.channelRefundNo, amount: ref.amount };
  if (again.status === 'failed') return again;
  return again.status === 'pending' ? { status: 'pending' } : { status: 'unsupported' };
}
