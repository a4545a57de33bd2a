// Who refunds: a member of staff from the console (their account and address go in the ledger
// and the audit log), or one of the platform's jobs acting on its own. A job has no account of
// its own: it carries the account whose request it completes (a pending refund's requester),
// or none, which the audit log shows as 系统.
import type { Actor as StaffActor } from '../console/context';

export type { StaffActor };

export interface SystemActor {
  readonly kind: 'system';
  /** The job acting: the refund query settling an unclear refund, or the overpayment job. */
  readonly job: 'refund-query' | 'overpayments';
  readonly accountId: number | null;
}

export type RefundActor = StaffActor | SystemActor;

export const isSystem = (a: RefundActor): a is SystemActor => 'kind' in a && a.kind === 'system';

export const systemActor = (job: SystemActor['job'], accountId: number | null = null): SystemActor => ({ kind: 'system', job, accountId });

/** The audit log's actor and address for an action: a job is recorded from the address 'job'. */
export function audited(a: RefundActor): { actorAccountId: number | null; ip: string } {
  return { actorAccountId: a.accountId, ip: isSystem(a) ? 'job' : a.ip };
}
