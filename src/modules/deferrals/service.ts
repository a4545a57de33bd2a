// 缓缴 and student loans, as the console and 当前费用 use them: one object built once by the
// composition root (src/services.ts).
import type { Knex } from 'knex';
import { AppError } from '../../domain/app-error';
import { businessDate } from '../../domain/business-date';
import type { LoanKind } from '../../domain/deferral';
import type { Decimal } from '../../domain/money';
import type { AuditRepo } from '../audit/repo';
import type { Actor, Scope } from '../console/context';
import { applyDisbursement } from './disburse';
import { expireDeferrals } from './expiry';
import { decideRequest, grantDeferrals } from './grant';
import { loanImports } from './loan-import';
import { batchFile, batchList, disbursementRecords, loanRefundList, personForLoan, type RefundStatus } from './loans-repo';
import { M } from './messages';
import { refundBatches } from './refund-batches';
import { type DeferralStatus, deferralList, deferralRecords } from './repo';
import type { DeferralInput } from './schemas';

const LIST_LIMIT = 200;

export function deferralsService(deps: { db: Knex; audit: AuditRepo; bankCardKey: Buffer; schoolName: string }) {
  const { db, audit } = deps;
  const batches = refundBatches(deps);
  return {
    grant: (actor: Actor, scope: Scope, personId: number, input: DeferralInput, now = new Date()) =>
      grantDeferrals({ db, audit }, actor, scope.collegeId, personId, input, businessDate(now)),

    decide: (actor: Actor, id: number, decision: 'approve' | 'reject') => decideRequest({ db, audit }, actor, id, decision),

    /** 手工登记 of a loan that arrived: the same key as a file's row, so the file later skips it. */
    async recordLoan(actor: Actor, personId: number, input: { kind: LoanKind; amount: Decimal; arrived: string }) {
      const person = await personForLoan(db, personId);
      if (!person) throw new AppError('not_found', M.notFound);
      if (person.kind !== 'student') throw new AppError('invalid', M.notStudent);
      if (input.arrived > businessDate()) throw new AppError('invalid', '到账日期不能晚于今天', 'arrived');
      const out = await db.transaction((trx) => applyDisbursement(trx, audit, {
        personId, number: person.number, kind: input.kind, amount: input.amount, arrivedOn: input.arrived, source: 'manual', actorAccountId: actor.accountId, ip: actor.ip,
      }));
      if (out.status === 'duplicate') throw new AppError('conflict', M.duplicateLoan);
      return out;
    },

    list: (scope: Scope, status: DeferralStatus | undefined) => deferralList(db, scope, status, LIST_LIMIT),
    ofPerson: (personId: number) => deferralRecords(db, personId),
    disbursements: (personId: number) => disbursementRecords(db, personId),

    refunds: async (status: RefundStatus | undefined) => ({ refunds: await loanRefundList(db, status, LIST_LIMIT), batches: await batchList(db, 20) }),
    exportBatch: batches.exportBatch,
    setRefundState: batches.setState,
    batchFile: (id: number) => batchFile(db, id),

    expire: (now: Date) => expireDeferrals({ db, audit, schoolName: deps.schoolName }, now),
    imports: loanImports({ db, audit }),
  };
}

export type DeferralsService = ReturnType<typeof deferralsService>;
