// 退费: the refunds module owns the `refunds` rows, the `overpayments` flags and refund numbers.
// Every refund the platform makes goes through it: a bill refund from the console (offline or
// through the channel), the 一键退款 of an overpayment reconciliation found, the overpayment
// job's automatic refunds, and the refund query that settles what a channel left unclear. Built
// once (refundsModule) and handed to the console, reconciliation and the jobs.
import type { Knex } from 'knex';
import type { Logger } from '../../logger';
import { auditRepo, type AuditRepo } from '../audit/repo';
import type { RefundActor } from './actor';
import { recheckPendingRefunds, recheckRefund } from './commands/recheck-refund';
import { previewRefund } from './commands/preview-refund';
import { refundBill, type BillRefund } from './commands/refund-bill';
import { refundOverpayment } from './commands/refund-overpayment';
import { dismissOverpayment } from './commands/dismiss-overpayment';
import { settleRefundingFlags } from './commands/settle-refunding-flags';
import type { AttemptOrders, RefundGateways, RefundsDeps } from './deps';
import { listOverpayments, type OverpaymentStatus } from './overpayments-repo';
import { refundsOn } from './refunds-repo';

export type { RefundActor, StaffActor, SystemActor } from './actor';
export { isSystem, systemActor } from './actor';
export { attemptOrders } from './attempt-orders';
export type { BillRefund } from './commands/refund-bill';
export type { RefundPreview } from './commands/preview-refund';
export type { RecheckOutcome } from './commands/recheck-refund';
export { outcomeOf, type OverpaymentRefunded, type OverpaymentRefundOutcome } from './commands/refund-overpayment';
export type { AttemptOrders, RefundChannel, RefundGateways } from './deps';
export { RefundUncertainError } from './errors';
export { refundLine, seenRefunds, type RefundLine, type SeenRefunds } from './seen-refunds';
// 银行交易记录 reads its refunds in its own statement (transactions/repo.ts): the SQL is this module's.
export { attemptRefundOfJson, attemptRefundsSql, seenRefundsJsonSql, seenRefundsOfJson, type AttemptRefund, type SeenRefund } from './person-refunds-repo';
export type { OverpaymentRow, OverpaymentStatus } from './overpayments-repo';

export function refundsModule(input: {
  db: Knex;
  audit?: AuditRepo;
  /** The channels' refund APIs (the gateway registry); none: only offline refunds. */
  gateways?: RefundGateways | null;
  publicUrl?: string;
  schoolName?: string;
  /** The payment module's view of a second payment; none: those are refunded at the channel's portal. */
  attempts?: AttemptOrders | null;
  logger?: Logger | null;
}) {
  const deps: RefundsDeps = {
    db: input.db, audit: input.audit ?? auditRepo(input.db), gateways: input.gateways ?? null, site: { publicUrl: input.publicUrl ?? '', schoolName: input.schoolName ?? '' },
    attempts: input.attempts ?? null, logger: input.logger ?? null,
  };
  const { db } = deps;
  return {
    /** A bill refund; `collegeScope` is the staff member's department (null: every college). */
    refund: (actor: RefundActor, collegeScope: number | null, r: BillRefund) => refundBill(deps, actor, collegeScope, r),
    /** What a bill refund would do, for finance to read before confirming (AppError when it would be refused). */
    preview: (collegeScope: number | null, r: BillRefund) => previewRefund(deps, collegeScope, r),
    /** The refund query: one pending bill refund, or every one due. */
    recheck: (refundId: string) => recheckRefund(deps, refundId),
    recheckPending: (now: Date, afterMinutes: number, limit?: number) => recheckPendingRefunds(deps, now, afterMinutes, limit),
    /** 一键退款 of an overpayment flag (AppError when refused). */
    refundOverpayment: (actor: RefundActor, id: string) => refundOverpayment(deps, actor, id),
    dismissOverpayment: (actor: RefundActor, id: string, reason: string) => dismissOverpayment(deps, actor, id, reason),
    /** The refund query's side of second payments handed back through their channel. */
    settleRefundingFlags: (now: Date, afterMinutes: number) => settleRefundingFlags(deps, now, afterMinutes),
    overpayments: (filter?: { status?: OverpaymentStatus[]; id?: string }) => listOverpayments(db, filter),
    /** Our refunds through a channel on a business day, per order, for the statement's refund lines. */
    refundsOn: (channel: string, day: string) => refundsOn(db, channel, day),
  };
}

export type RefundsModule = ReturnType<typeof refundsModule>;
