// 缓缴: finance grants a deferral on chosen bills (in force at once); a college's staff asks for
// one for their own college's students (申请), which takes effect only when finance approves it
// (申请 → 已批准 / 已驳回). Each step is a compare-and-set in one transaction with its audit entry.
import type { Knex } from 'knex';
import { AppError } from '../../domain/app-error';
import { arrears } from '../../domain/arrears';
import { dec } from '../../db/rows';
import { DEFERRAL_KIND_LABEL } from '../../domain/deferral-labels';
import type { AuditRepo } from '../audit/repo';
import type { Actor } from '../console/context';
import { billsForCounter } from '../console/counter/repo';
import { decideDeferral, insertDeferrals, lockDeferral } from './repo';
import { M } from './messages';
import type { DeferralInput } from './schemas';

export interface DeferralDeps {
  db: Knex;
  audit: AuditRepo;
}

const owedOf = (b: { due: string; reduction: string; paid: string; refunded: string }) =>
  arrears({ due: dec(b.due), reduction: dec(b.reduction), paid: dec(b.paid), refunded: dec(b.refunded) });

/**
 * `collegeScope` null: finance, whose deferral is in force at once; a college id: that college's
 * staff, whose deferral waits for finance. `today` is the business day (the expected date may not
 * be before it: such a deferral would only expire).
 */
export async function grantDeferrals(deps: DeferralDeps, actor: Actor, collegeScope: number | null, personId: number, input: DeferralInput, today: string) {
  if (!input.lines.length) throw new AppError('invalid', M.noLines, 'lines');
  if (input.expected < today) throw new AppError('invalid', M.pastDate, 'expected');
  const status = collegeScope === null ? 'approved' as const : 'requested' as const;
  return deps.db.transaction(async (trx) => {
    // The bills locked in id order (as every writer of several bills locks them): what they owe
    // cannot move between this check and the insert.
    const bills = new Map((await billsForCounter(trx, input.lines.map((l) => l.billId))).map((b) => [Number(b.id), b]));
    for (const l of input.lines) {
      const b = bills.get(l.billId);
      if (!b || b.personId !== personId || (collegeScope !== null && b.collegeId !== collegeScope)) throw new AppError('invalid', M.billGone, 'lines');
      const owed = owedOf(b);
      if (l.amount.greaterThan(owed)) throw new AppError('invalid', M.overOwed(b.name, owed), `defer_${l.billId}`);
    }
    const ids = await insertDeferrals(trx, input.lines.map((l) => ({
      billId: l.billId, personId, kind: input.kind, amount: l.amount, expectedOn: input.expected, status, reason: input.reason, requestedBy: actor.accountId,
    })));
    if (!ids) throw new AppError('conflict', M.alreadyDeferred, 'lines');
    await deps.audit.record({
      actorAccountId: actor.accountId, action: status === 'approved' ? 'deferral.grant' : 'deferral.request', targetPersonId: personId, ip: actor.ip,
      detail: { id: ids, kind: DEFERRAL_KIND_LABEL[input.kind], expectedOn: input.expected, reason: input.reason, lines: input.lines.map((l) => ({ billId: l.billId, amount: l.amount.toFixed(2) })) },
    }, trx);
    return { status, ids };
  });
}

/** Finance's answer to a request. Approving checks again that the bill still owes the amount asked. */
export async function decideRequest(deps: DeferralDeps, actor: Actor, id: number, decision: 'approve' | 'reject') {
  return deps.db.transaction(async (trx) => {
    const d = await lockDeferral(trx, id);
    if (!d) throw new AppError('not_found', M.notFound);
    if (d.status !== 'requested') throw new AppError('conflict', M.decided);
    if (decision === 'approve') {
      const [b] = await billsForCounter(trx, [d.billId]);
      const owed = owedOf(b!);
      if (d.amount.greaterThan(owed)) throw new AppError('conflict', M.approveOverOwed(owed));
    }
    if (!(await decideDeferral(trx, id, decision === 'approve' ? 'approved' : 'rejected', actor.accountId))) throw new AppError('conflict', M.decided);
    await deps.audit.record({
      actorAccountId: actor.accountId, action: decision === 'approve' ? 'deferral.approve' : 'deferral.reject', targetPersonId: d.personId, ip: actor.ip,
      detail: { id, billId: d.billId, amount: d.amount.toFixed(2), kind: DEFERRAL_KIND_LABEL[d.kind], expectedOn: d.expectedOn },
    }, trx);
    return { personId: d.personId, decision };
  });
}
