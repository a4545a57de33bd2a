// The refund query's side of second payments handed back through their channel whose answer was
// unclear or "processing": asked about under the same refund number; sent again under it only if
// the channel never saw it; the flag ends refunded or failed (open to another click). Bill flags
// follow their refund, which ./recheck-refund.ts settles.
import { ChannelError } from '../../../gateways/types';
import type { RefundsDeps } from '../deps';
import { M } from '../messages';
import { moveOverpayment, refundingAttemptFlags, retryFlagRefund, syncBillFlagsWithRefunds } from '../overpayments-repo';
import { secondPaymentOf } from './refund-second-payment';
import { askAboutRefund } from './send-refund';

export async function settleRefundingFlags(deps: RefundsDeps, now: Date, afterMinutes: number): Promise<{ refunded: number; failed: number; waiting: number }> {
  const { db } = deps;
  const out = { refunded: 0, failed: 0, waiting: 0 };
  await syncBillFlagsWithRefunds(db);
  // Only flags asked for `afterMinutes` ago, as the bill refunds (recheckPendingRefunds).
  for (const op of await refundingAttemptFlags(db, new Date(now.getTime() - afterMinutes * 60_000))) {
    const paid = await secondPaymentOf(deps, op);
    if (!paid || !op.refundNo) continue;
    const ref = { refundNo: op.refundNo, amount: paid.attempt.amount, requestedAt: op.refundRequestedAt ?? op.createdAt };
    try {
      const q = await askAboutRefund(paid.channel, await paid.channelOrder(), ref, (retryAt) => retryFlagRefund(db, op.id, op.refundRequestedAt, retryAt));
      if (q.status === 'succeeded' && q.amount.eq(ref.amount)) {
        if (await moveOverpayment(db, op.id, ['refunding'], 'refunded')) {
          out.refunded++;
          deps.logger?.info({ orderNo: op.orderNo, refundNo: op.refundNo, amount: ref.amount.toFixed(2) }, 'second payment refunded');
        }
      } else if (q.status === 'failed') {
        if (await moveOverpayment(db, op.id, ['refunding'], 'failed', { note: M.channelFailed(q.reason) })) {
          out.failed++;
          deps.logger?.warn({ orderNo: op.orderNo, refundNo: op.refundNo, reason: q.reason }, 'second payment refund refused by the channel');
        }
      } else out.waiting++;
    } catch (e) {
      if (!(e instanceof ChannelError)) throw e;
      out.waiting++;
      deps.logger?.warn({ orderNo: op.orderNo, overpayment: op.id, refundNo: op.refundNo, err: e.message }, 'refund query unanswered');
    }
  }
  return out;
}
