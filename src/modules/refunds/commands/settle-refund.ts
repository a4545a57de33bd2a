// A refund's money moving on our books: the `refund` ledger entry that raises the bill's 退费金额,
// the order's own refunded total and state, the overpayment flags the refund covers, and the
// audit row. An immediate success (offline, or a channel that said yes at once) and one the
// refund-query job learned of later go through the same `postRefund`.
import type { Knex } from 'knex';
import { AppError } from '../../../domain/app-error';
import type { Decimal } from '../../../domain/money';
import { BillConstraintError, postLedgerEntry } from '../../billing/repo';
import { BILL_REFUSED } from '../../console/messages';
import { addOrderRefund } from '../../payment/refund-repo';
import { audited, isSystem, type RefundActor, systemActor } from '../actor';
import type { RefundsDeps } from '../deps';
import { closeFlagsCoveredByRefund, settleFlagsOfRefund } from '../overpayments-repo';
import { failRefund, lockBillForRefund, refundToSettle, succeedRefund } from '../refunds-repo';

export interface PostedRefund {
  refundId: string;
  refundNo: string;
  personId: number;
  billId: number;
  amount: Decimal;
  mode: 'offline' | 'channel';
  reason: string;
  /** The order refunded through (channel refunds). */
  orderId: string | null;
}

/** Posts a refund that has happened, inside the caller's transaction and under the bill's lock. */
export async function postRefund(deps: Pick<RefundsDeps, 'audit'>, trx: Knex.Transaction, actor: RefundActor, r: PostedRefund): Promise<void> {
  let bill;
  try {
    bill = await postLedgerEntry(trx, { billId: r.billId, kind: 'refund', amount: r.amount, orderId: r.orderId, actorAccountId: actor.accountId, reason: r.reason });
  } catch (e) {
    if (e instanceof BillConstraintError) throw new AppError('invalid', BILL_REFUSED, 'amount');
    throw e;
  }
  if (r.orderId) await addOrderRefund(trx, r.orderId, r.amount);
  // An overpayment flagged on this bill that the refund has paid back is closed with it.
  await closeFlagsCoveredByRefund(trx, { id: r.billId, ...bill }, r.refundNo);
  await deps.audit.record({
    ...audited(actor), action: `refund.${r.mode}`, targetPersonId: r.personId,
    detail: { refundId: r.refundId, refundNo: r.refundNo, billId: r.billId, amount: r.amount.toFixed(2), reason: r.reason, ...(isSystem(actor) ? { settledBy: actor.job } : {}) },
  }, trx);
}

export type RefundOutcome = { status: 'succeeded'; channelRefundNo: string } | { status: 'failed'; reason: string };

/**
 * Ends a pending channel refund, once (compare-and-set on the pending row, under the bill's
 * lock): a success posts it; a failure releases the reserved amount. A one-click overpayment
 * waiting on it follows. Without an actor, the refund query settles it for its requester.
 */
export async function settleRefund(deps: Pick<RefundsDeps, 'db' | 'audit' | 'logger'>, refundId: string, outcome: RefundOutcome, actor?: RefundActor): Promise<boolean> {
  // The refund as it was settled (null: not by us), for the log line once committed.
  const settled = await deps.db.transaction(async (trx) => {
    const row = await refundToSettle(trx, refundId);
    if (!row) return null;
    const about = { orderNo: row.orderNo, refundNo: row.refundNo, amount: row.amount.toFixed(2) };
    await lockBillForRefund(trx, row.billId);
    const who = actor ?? systemActor('refund-query', row.actorAccountId);
    if (outcome.status === 'succeeded') {
      if (!(await succeedRefund(trx, refundId, outcome.channelRefundNo))) return null;
      await postRefund(deps, trx, who, { refundId, refundNo: row.refundNo, personId: row.personId, billId: row.billId, amount: row.amount, mode: 'channel', reason: row.reason, orderId: row.orderId });
      await settleFlagsOfRefund(trx, row.refundNo, { status: 'refunded' });
      return about;
    }
    if (!(await failRefund(trx, refundId, outcome.reason))) return null;
    await settleFlagsOfRefund(trx, row.refundNo, { status: 'failed', reason: outcome.reason });
    await deps.audit.record({
      ...audited(who), action: 'refund.channel_failed', targetPersonId: row.personId,
      detail: { refundId, refundNo: row.refundNo, billId: row.billId, amount: row.amount.toFixed(2), reason: outcome.reason },
    }, trx);
    return about;
  });
  // Logged once committed, with the order the money went back through.
  if (!settled) return false;
  if (outcome.status === 'succeeded') deps.logger?.info({ ...settled, channelRefundNo: outcome.channelRefundNo }, 'refund succeeded');
  else deps.logger?.warn({ ...settled, reason: outcome.reason }, 'refund refused by the channel');
  return true;
}
