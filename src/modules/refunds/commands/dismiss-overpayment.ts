// Finance closes a flag without a refund through the platform (handed back at the channel's
// merchant portal, settled with the payer otherwise): a reason is required and audited.
import { AppError } from '../../../domain/app-error';
import { audited, type RefundActor } from '../actor';
import type { RefundsDeps } from '../deps';
import { M } from '../messages';
import { listOverpayments, moveOverpayment } from '../overpayments-repo';

export async function dismissOverpayment(deps: Pick<RefundsDeps, 'db' | 'audit'>, actor: RefundActor, id: string, reason: string): Promise<void> {
  const [op] = await listOverpayments(deps.db, { id });
  if (!op) throw new AppError('not_found', M.flagNotFound);
  if (!(await moveOverpayment(deps.db, id, ['open', 'failed'], 'dismissed', { note: `财务标记已处理：${reason}` }))) throw new AppError('conflict', M.flagBusyDismiss(op.status));
  await deps.audit.record({
    ...audited(actor), action: 'overpayment.dismiss', targetPersonId: op.personId,
    detail: { overpaymentId: id, orderNo: op.orderNo, amount: op.amount.toFixed(2), kind: op.kind, reason },
  });
}
