// 核对退费: what a refund will do to its bill, shown to finance before they confirm it — the
// bill's totals after it, whether it will be owed (and payable, and in the arrears reports)
// again, and which way the money goes. The same checks as the refund itself, read without the
// bill's lock and writing nothing; the refund checks again under the lock when confirmed.
import type { RefundPlan } from '../../../domain/refund-plan';
import type { RefundsDeps } from '../deps';
import { peekBillForRefund } from '../refunds-repo';
import { channelOrderFor, planOrRefuse, type BillRefund } from './refund-bill';

export interface RefundPreview {
  plan: RefundPlan;
  /** The bill's version read: confirming refunds only if the bill is still as shown. */
  billVersion: number;
  /** A channel refund: the channel and order the money goes back through. */
  channel: string | null;
  orderNo: string | null;
}

export async function previewRefund(deps: RefundsDeps, collegeScope: number | null, r: BillRefund): Promise<RefundPreview> {
  const { version: billVersion, ...plan } = planOrRefuse(await peekBillForRefund(deps.db, r.billId), r, collegeScope);
  if (r.mode === 'offline') return { plan, billVersion, channel: null, orderNo: null };
  const { order } = await channelOrderFor(deps, deps.db, r);
  return { plan, billVersion, channel: order.channel, orderNo: order.orderNo };
}
