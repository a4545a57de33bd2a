// 报名: one transaction under the 报名项目's row lock (SELECT … FOR UPDATE), so sign-ups of one
// 报名项目 queue and each counts the seats the ones before it took: the lapsed holds are settled
// first (released, or extended while a payment is in progress — ./holds.ts), then the seats are
// counted, then the sign-up and its bill are written. The partial unique index backs up "one live
// sign-up per person" against anything that does not take the lock.
import type { Knex } from 'knex';
import { AppError } from '../../../domain/app-error';
import { audienceAdmits, projectOpen } from '../../../domain/enrolment';
import { ZERO } from '../../../domain/money';
import { M } from '../messages';
import { enrolmentRepo as repo } from '../repo';
import { billToOwe, settleHoldsOf } from './holds';

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';

export async function signUp(db: Knex, input: { personId: number; projectId: number; answers: Record<string, string>; now: Date }): Promise<{ signupId: string; paid: boolean }> {
  const { personId, projectId, answers, now } = input;
  try {
    return await db.transaction(async (trx) => {
      const p = await repo.lockProject(trx, projectId);
      if (!p || p.status === 'draft') throw new AppError('not_found', M.notOpen);
      if (!projectOpen(p, now)) throw new AppError('conflict', M.notOpen);
      const kind = await repo.personKind(trx, personId);
      if (!kind || !audienceAdmits(p.audience, kind)) throw new AppError('forbidden', M.notForYou);
      if (await repo.liveSignupOf(trx, p.id, personId)) throw new AppError('conflict', M.already);
      if (await repo.refundDueOf(trx, p.id, personId)) throw new AppError('conflict', M.refundPending);
      await settleHoldsOf(trx, p, now);
      if ((await repo.seatsTaken(trx, p.id, now)) >= p.quota) throw new AppError('conflict', M.full);

      if (!p.amount) {
        const signupId = await repo.insertSignup(trx, { projectId: p.id, personId, status: 'confirmed', billId: null, holdUntil: null, answers, now });
        return { signupId, paid: true };
      }
      // A second sign-up of the same person (after a release or a cancellation) bills the same
      // bill again: it is made to owe the fee once more, beside what its ledger already holds.
      const before = await repo.lockBill(trx, personId, p.periodId!, p.feeItemId!);
      await billToOwe(trx, p, personId, before ?? { due: ZERO, reduction: ZERO, paid: ZERO, refunded: ZERO }, p.amount, `报名：${p.name}`);
      const bill = (await repo.lockBill(trx, personId, p.periodId!, p.feeItemId!))!;
      const holdUntil = new Date(now.getTime() + p.holdMinutes * 60_000);
      const signupId = await repo.insertSignup(trx, { projectId: p.id, personId, status: 'holding', billId: bill.id, holdUntil, answers, now });
      return { signupId, paid: false };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError('conflict', M.already);
    throw e;
  }
}
