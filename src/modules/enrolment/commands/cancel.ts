// 取消报名 by finance. The sign-up is moved to cancelled by one compare-and-set under the
// 报名项目's lock, and what its bill still owes is closed, in one transaction; then, if money was
// kept on the bill, it goes back through the refunds module's one path (refundBill → sendRefund),
// outside that transaction, as every channel call is. Pressed twice or at once, the refund is
// still made once: refundBill reserves what it refunds under the bill's lock, so a second request
// finds nothing left to refund. A refund the channel refused can be asked for again the same way.
import type { Knex } from 'knex';
import { AppError, isAppError } from '../../../domain/app-error';
import { netPaid } from '../../../domain/arrears';
import { Decimal, ZERO } from '../../../domain/money';
import type { RefundMeaning } from '../../../domain/refund-plan';
import type { AuditRepo } from '../../audit/repo';
import type { Actor } from '../../console/context';
import type { RefundsModule } from '../../refunds';
import { M } from '../messages';
import { enrolmentRepo as repo } from '../repo';
import { billToOwe } from './holds';

export type CancelResult = { refunded: 'none' | 'succeeded' | 'pending'; refundNo?: string };

export async function cancelSignup(
  deps: { db: Knex; audit: AuditRepo; refunds: RefundsModule },
  actor: Actor, collegeScope: number | null, projectId: number, signupId: string, reason: string, now: Date,
): Promise<CancelResult> {
  const refund = await deps.db.transaction(async (trx) => {
    const p = await repo.lockProject(trx, projectId);
    if (!p || (collegeScope !== null && p.collegeId !== collegeScope)) throw new AppError('not_found', M.notFound);
    const s = await repo.lockSignup(trx, signupId);
    if (!s || s.projectId !== p.id) throw new AppError('not_found', M.signupNotFound);
    const moved = await repo.casSignup(trx, s.id, ['holding', 'confirmed', 'refund_due', 'released'], 'cancelled', { now, endReason: reason });
    if (!moved && s.status !== 'cancelled') throw new AppError('conflict', M.cannotCancel);
    if (s.billId === null) return null;
    const bill = (await repo.lockBillById(trx, s.billId))!;
    const kept = netPaid(bill);
    // Nothing more is owed on a cancelled sign-up: it cannot be paid any more.
    if (bill.due.minus(bill.reduction).greaterThan(kept)) await billToOwe(trx, p, s.personId, bill, ZERO, `取消报名：${p.name}`);
    if (moved) await deps.audit.record({ actorAccountId: actor.accountId, action: 'enrolment.cancel', targetPersonId: s.personId, ip: actor.ip, detail: { projectId: p.id, signupId: s.id, reason, kept: kept.toFixed(2) } }, trx);
    if (!kept.greaterThan(0)) return null;
    // A paid fee is waived with its refund (the bill stays settled, not owed again); money held
    // beyond what the bill owes (paid after a release) simply goes back.
    const owed = Decimal.max(ZERO, bill.due.minus(bill.reduction));
    const meaning: RefundMeaning = owed.greaterThan(0) ? { purpose: 'fee_reduced', cause: 'waiver', reduction: Decimal.min(owed, kept) } : { purpose: 'money_back' };
    return { personId: s.personId, billId: s.billId, amount: kept, meaning, again: !moved };
  });
  if (!refund) return { refunded: 'none' };
  try {
    const r = await deps.refunds.refund(actor, collegeScope, { personId: refund.personId, billId: refund.billId, amount: refund.amount, mode: 'channel', reason: `取消报名：${reason}`, meaning: refund.meaning });
    return { refunded: r.status, refundNo: r.refundNo };
  } catch (e) {
    // Pressed again while the first refund is reserved or done: nothing left to refund, and that is the answer.
    if (refund.again && isAppError(e) && e.field === 'amount') return { refunded: 'pending' };
    if (isAppError(e)) throw new AppError(e.code, M.refundRefused(e.message));
    throw e;
  }
}
