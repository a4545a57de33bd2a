// A refund's money moving on our books: the `refund` ledger entry that raises the bill's 退费金额
// (with, for a fee-reduced refund, the `reduction` entry that lowers what is owed),
// the order's own refunded total and state, the overpayment flags the refund covers, and the
// audit row. An immediate success (offline, or a channel that said yes at once) and one the
// refund-query job learned of later go through the same `postRefund`.
import type { Knex } from 'knex';
import { AppError } from '../../../domain/app-error';
import { REDUCTION_CAUSE_LABEL } from '../../../domain/labels';
import { Decimal } from '../../../domain/money';
import type { RefundMeaning } from '../../../domain/refund-plan';
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
  meaning: RefundMeaning;
}

/** What the audit log keeps of a refund's meaning. */
export function meaningDetail(m: RefundMeaning): Record<string, string> {
  return m.purpose === 'fee_reduced' ? { purpose: m.purpose, cause: m.cause, reduction: m.reduction.toFixed(2) } : { purpose: m.purpose };
}

/** The ledger's reason for the reduction a fee-reduced refund posts: the cause, finance's words, the refund. */
const reductionReason = (m: Extract<RefundMeaning, { purpose: 'fee_reduced' }>, r: PostedRefund) =>
  `${REDUCTION_CAUSE_LABEL[m.cause]}退费减免：${r.reason}（退费单 ${r.refundNo}）`.slice(0, 200);

/**
 * Posts a refund that has happened, inside the caller's transaction and under the bill's lock:
 * the refund entry and, for a fee-reduced refund, its reduction entry, so that either both are
 * on the books or neither is.
 */
export async function postRefund(deps: Pick<RefundsDeps, 'audit' | 'logger'>, trx: Knex.Transaction, actor: RefundActor, r: PostedRefund): Promise<void> {
  let bill;
  let short: Decimal | null = null;
  try {
    bill = await postLedgerEntry(trx, { billId: r.billId, kind: 'refund', amount: r.amount, orderId: r.orderId, actorAccountId: actor.accountId, reason: r.reason });
    const m = r.meaning;
    if (m.purpose === 'fee_reduced') {
      // The plan made room for this reduction when the refund was asked for, and a 减免 or 更正
      // since then had to leave it. Should the due still have fallen below it (an import
      // lowering it), the money is back at the channel all the same: the refund is posted with
      // the reduction that fits, and the shortfall goes to the audit log for finance.
      const fits = Decimal.min(m.reduction, bill.due.minus(bill.reduction));
      if (fits.lessThan(m.reduction)) short = m.reduction.minus(fits);
      if (fits.isPositive()) bill = await postLedgerEntry(trx, { billId: r.billId, kind: 'reduction', amount: fits, actorAccountId: actor.accountId, reason: reductionReason(m, r) });
    }
  } catch (e) {
    if (e instanceof BillConstraintError) throw new AppError('invalid', BILL_REFUSED, 'amount');
    throw e;
  }
  if (short) deps.logger?.warn({ refundNo: r.refundNo, billId: r.billId, short: short.toFixed(2) }, 'fee-reduced refund posted with a smaller reduction');
  if (r.orderId) await addOrderRefund(trx, r.orderId, r.amount);
  // An overpayment flagged on this bill that the refund has paid back is closed with it.
  await closeFlagsCoveredByRefund(trx, { id: r.billId, ...bill }, r.refundNo);
  await deps.audit.record({
    ...audited(actor), action: `refund.${r.mode}`, targetPersonId: r.personId,
    detail: {
      refundId: r.refundId, refundNo: r.refundNo, billId: r.billId, amount: r.amount.toFixed(2), reason: r.reason, ...meaningDetail(r.meaning),
      ...(short ? { reductionShort: short.toFixed(2) } : {}), ...(isSystem(actor) ? { settledBy: actor.job } : {}),
    },
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
      await postRefund(deps, trx, who, { refundId, refundNo: row.refundNo, personId: row.personId, billId: row.billId, amount: row.amount, mode: 'channel', reason: row.reason, orderId: row.orderId, meaning: row.meaning });
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
