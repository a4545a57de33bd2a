// The refund-query job's side of a bill refund left pending (an unclear answer, or the channel
// still processing): the channel is asked about it under the same refund number and request
// time, sent again only when it never saw it, and the refund is then posted (once: compare-and-set
// on the pending row) or released.
import { ChannelError } from '../../../gateways/types';
import { refundView } from '../../payment/channel-view';
import type { RefundsDeps } from '../deps';
import { moveFlagRequestOfRefund } from '../overpayments-repo';
import { moveRefundRequest, pendingRefundIds, refundToRecheck, touchRefund } from '../refunds-repo';
import { askAboutRefund } from './send-refund';
import { settleRefund } from './settle-refund';

export type RecheckOutcome = 'succeeded' | 'failed' | 'pending' | 'unanswered' | 'mismatch' | 'skipped';

/** Asks the channel about one pending refund and settles it from the answer. */
export async function recheckRefund(deps: RefundsDeps, refundId: string): Promise<RecheckOutcome> {
  const { db } = deps;
  const row = await refundToRecheck(db, refundId);
  if (!row || row.status !== 'pending' || !row.channel) return 'skipped';
  const channel = deps.gateways?.get(row.channel) ?? null;
  if (!channel) return 'skipped';
  const ref = { refundNo: row.refundNo, amount: row.amount, requestedAt: row.requestedAt };
  let answer: Awaited<ReturnType<typeof askAboutRefund>>;
  try {
    const order = await refundView({ db, config: deps.site }, row.order.id, row.channel);
    answer = await askAboutRefund(channel, order, ref, async (retryAt) => {
      if (!(await moveRefundRequest(db, refundId, ref.requestedAt, retryAt))) return false;
      // A one-click flag waiting on this refund keeps the time of its latest request too.
      await moveFlagRequestOfRefund(db, ref.refundNo, retryAt);
      return true;
    });
  } catch (e) {
    if (!(e instanceof ChannelError)) throw e;
    await touchRefund(db, refundId, e.message);
    return 'unanswered';
  }
  if (answer.status === 'moved') return 'pending';
  if (answer.status === 'succeeded') {
    if (!answer.amount.eq(row.amount)) {
      // The channel refunded something else under our number: finance decides, nothing posted.
      await touchRefund(db, refundId, `渠道退款金额 ${answer.amount.toFixed(2)} 与退费单 ${row.amount.toFixed(2)} 不符`);
      return 'mismatch';
    }
    return (await settleRefund(deps, refundId, answer)) ? 'succeeded' : 'skipped';
  }
  if (answer.status === 'failed') return (await settleRefund(deps, refundId, answer)) ? 'failed' : 'skipped';
  await touchRefund(db, refundId, null);
  return 'pending';
}

/**
 * Every channel refund still pending `afterMinutes` after it was asked for is asked about again
 * (oldest first, a bounded batch per run).
 */
export async function recheckPendingRefunds(deps: RefundsDeps, now: Date, afterMinutes: number, limit = 100): Promise<Record<RecheckOutcome, number>> {
  const out: Record<RecheckOutcome, number> = { succeeded: 0, failed: 0, pending: 0, unanswered: 0, mismatch: 0, skipped: 0 };
  for (const id of await pendingRefundIds(deps.db, new Date(now.getTime() - afterMinutes * 60_000), limit)) out[await recheckRefund(deps, id)]++;
  return out;
}

