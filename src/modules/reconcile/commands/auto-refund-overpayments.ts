// The overpayment job: flags, then refunds without waiting for a click: every open overpayment
// when OVERPAYMENT_AUTO_REFUND is on; the duplicate payments (a second payment of bills already
// paid) when DUPLICATE_PAYMENT_AUTO_REFUND is on. Each goes back through the flagged payment's
// own channel by the refunds module, once (the flag's compare-and-set), and is audited as the
// platform's.
import type { Knex } from 'knex';
import type { Logger } from '../../../logger';
import type { AuditRepo } from '../../audit/repo';
import { outcomeOf, type RefundsModule, systemActor } from '../../refunds';
import { isDuplicatePayment } from '../overpaid-repo';
import { flagOverpayments } from './flag-overpayments';

export interface AutoRefundDeps {
  db: Knex;
  refunds: Pick<RefundsModule, 'overpayments' | 'refundOverpayment'>;
  audit: AuditRepo;
  logger?: Logger | null;
}

export async function autoRefundOverpayments(deps: AutoRefundDeps, autoRefund: boolean, duplicateAutoRefund = false): Promise<{ flagged: number; refunded: number }> {
  const flagged = await flagOverpayments(deps.db);
  let refunded = 0;
  if (!autoRefund && !duplicateAutoRefund) return { flagged, refunded };
  const platform = systemActor('overpayments');
  for (const op of await deps.refunds.overpayments({ status: ['open'] })) {
    const duplicate = await isDuplicatePayment(deps.db, op);
    if (!autoRefund && !duplicate) continue;
    const r = await outcomeOf(deps.refunds.refundOverpayment(platform, op.id));
    await deps.audit.record({
      actorAccountId: null, action: duplicate ? 'overpayment.duplicate_auto_refund' : 'overpayment.auto_refund', targetPersonId: op.personId, ip: 'job',
      detail: { overpaymentId: op.id, orderNo: op.orderNo, channel: op.channel, amount: op.amount.toFixed(2), kind: op.kind, ok: r.ok, ...(r.ok ? { refundNo: r.refundNo, status: r.status } : { message: r.message }) },
    });
    if (r.ok) refunded++;
    else deps.logger?.warn({ overpayment: op.id, message: r.message }, 'automatic overpayment refund failed');
  }
  return { flagged, refunded };
}
