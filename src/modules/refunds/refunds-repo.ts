// SQL of the `refunds` table and of refund numbers (TF + date + 8-digit sequence, shared by bill
// refunds and second-payment refunds). Every status move is a compare-and-set on 'pending', so
// the console, the refund-query job and a second instance of it settle one refund once.
import type { Knex } from 'knex';
import { dec, sameInstant } from '../../db/rows';
import { orderDatePart, startOfBusinessDay } from '../../domain/business-date';
import type { Decimal } from '../../domain/money';
import type { BillForRefund, ReductionCause, RefundMeaning } from '../../domain/refund-plan';

export type RefundStatus = 'pending' | 'succeeded' | 'failed';

const sumOf = async (q: Knex.QueryBuilder, trx: Knex): Promise<Decimal> => {
  const [row] = await q.select(trx.raw('COALESCE(sum(amount), 0) AS total'));
  return dec(row.total);
};

/** A new refund number; both kinds of refund take theirs from the one sequence. */
export async function nextRefundNo(trx: Knex): Promise<string> {
  const { rows } = await trx.raw(`SELECT lpad(nextval('refund_no_seq')::text, 8, '0') AS n`);
  return `TF${orderDatePart()}${rows[0].n as string}`;
}

/** A bill as a refund of it is planned: its totals and what pending channel refunds reserve. */
export interface RefundableBill extends BillForRefund {
  personId: number;
  collegeId: number | null;
  /** Raised by every change of the bill's totals: what finance read is what they confirm. */
  version: number;
}

async function billForRefund(trx: Knex, billId: number, lock: boolean): Promise<RefundableBill | null> {
  const q = trx('bills as b').join('people as p', 'p.id', 'b.person_id').where('b.id', billId)
    .first('b.id', 'b.person_id as personId', 'p.college_id as collegeId', 'b.due', 'b.reduction', 'b.paid', 'b.refunded', 'b.version');
  const b = await (lock ? q.forUpdate('b') : q);
  if (!b) return null;
  const [pending] = await trx('refunds').where({ bill_id: billId, status: 'pending' })
    .select(trx.raw('COALESCE(sum(amount), 0) AS refunds'), trx.raw('COALESCE(sum(reduction_amount), 0) AS reductions'));
  return {
    personId: b.personId as number, collegeId: b.collegeId as number | null, version: Number(b.version),
    due: dec(b.due), reduction: dec(b.reduction), paid: dec(b.paid), refunded: dec(b.refunded),
    pendingRefunds: dec(pending.refunds), pendingReductions: dec(pending.reductions),
  };
}

/**
 * The bill under its row lock, with what pending channel refunds have reserved of it. The lock
 * serialises every refund (and payment) on the bill; refunds are checked against it.
 */
export const lockBillForRefund = (trx: Knex, billId: number) => billForRefund(trx, billId, true);

/** The same without the lock: what the console's 核对 step shows before finance confirms. */
export const peekBillForRefund = (db: Knex, billId: number) => billForRefund(db, billId, false);

/** What pending fee-reduced refunds will still reduce of a bill (a 减免 or 更正 must leave room for it). */
export async function pendingReductionOn(trx: Knex, billId: number): Promise<Decimal> {
  const [row] = await trx('refunds').where({ bill_id: billId, status: 'pending' }).select(trx.raw('COALESCE(sum(reduction_amount), 0) AS total'));
  return dec(row.total);
}

/** What pending refunds have reserved of an order. */
export async function pendingOnOrder(trx: Knex, orderId: string): Promise<Decimal> {
  return sumOf(trx('refunds').where({ order_id: orderId, status: 'pending' }), trx);
}

/** What is refunded or reserved on one bill's line of an order. */
export async function takenOnLine(trx: Knex, orderId: string, billId: number): Promise<Decimal> {
  return sumOf(trx('refunds').where({ order_id: orderId, bill_id: billId }).whereIn('status', ['pending', 'succeeded']), trx);
}

export async function insertRefund(trx: Knex, r: {
  refundNo: string; orderId: string | null; billId: number; amount: Decimal; channel: string | null; status: RefundStatus; reason: string; actorAccountId: number | null;
  meaning: RefundMeaning;
}): Promise<{ id: string; requestedAt: Date }> {
  const m = r.meaning;
  const [row] = await trx('refunds').insert({
    refund_no: r.refundNo, ...(r.orderId ? { order_id: r.orderId } : {}), bill_id: r.billId, amount: r.amount.toFixed(2), channel: r.channel,
    status: r.status, reason: r.reason, actor_account_id: r.actorAccountId, purpose: m.purpose,
    ...(m.purpose === 'fee_reduced' ? { reduction_cause: m.cause, reduction_amount: m.reduction.toFixed(2) } : {}),
  }).returning(['id', 'requested_at']);
  return { id: String(row.id), requestedAt: new Date(row.requested_at) };
}

/** The channel's unclear answer, kept on the refund for finance (it stays pending). */
export async function noteRefundError(trx: Knex, id: string, error: string): Promise<void> {
  await trx('refunds').where({ id, status: 'pending' }).update({ last_error: error.slice(0, 300) });
}

export async function succeedRefund(trx: Knex, id: string, channelRefundNo: string): Promise<boolean> {
  const n = await trx('refunds').where({ id, status: 'pending' }).update({ status: 'succeeded', channel_refund_no: channelRefundNo.slice(0, 64), settled_at: trx.fn.now(), last_error: null });
  return n === 1;
}

export async function failRefund(trx: Knex, id: string, reason: string): Promise<boolean> {
  const n = await trx('refunds').where({ id, status: 'pending' }).update({ status: 'failed', settled_at: trx.fn.now(), last_error: reason.slice(0, 300) });
  return n === 1;
}

/** The meaning stored with a refund row. */
export function meaningOf(r: { purpose: string; reduction_cause: string | null; reduction_amount: string | null }): RefundMeaning {
  return r.purpose === 'fee_reduced' && r.reduction_amount !== null
    ? { purpose: 'fee_reduced', cause: r.reduction_cause as ReductionCause, reduction: dec(r.reduction_amount) }
    : { purpose: 'money_back' };
}

/** A refund with the person of its bill, to settle it. */
export async function refundToSettle(trx: Knex, id: string) {
  const r = await trx('refunds as r').join('bills as b', 'b.id', 'r.bill_id').leftJoin('orders as o', 'o.id', 'r.order_id').where('r.id', id)
    .first('r.refund_no', 'r.order_id', 'r.bill_id', 'r.amount', 'r.reason', 'r.actor_account_id', 'r.purpose', 'r.reduction_cause', 'r.reduction_amount', 'b.person_id', 'o.order_no');
  if (!r) return null;
  return {
    refundNo: r.refund_no as string, orderId: String(r.order_id), billId: r.bill_id as number, amount: dec(r.amount), reason: r.reason as string,
    actorAccountId: r.actor_account_id as number | null, personId: r.person_id as number, orderNo: (r.order_no ?? null) as string | null,
    meaning: meaningOf(r),
  };
}

/** A refund with its order, as the channel is asked about it. */
export async function refundToRecheck(trx: Knex, id: string) {
  const r = await trx('refunds as r').join('orders as o', 'o.id', 'r.order_id').where('r.id', id)
    .first('r.status', 'r.refund_no as refundNo', 'r.amount', 'r.requested_at as requestedAt', 'r.channel as refundChannel',
      'o.id', 'o.order_no as orderNo', 'o.total', 'o.category', 'o.created_at as createdAt', 'o.expires_at as expiresAt');
  if (!r) return null;
  return {
    status: r.status as RefundStatus, refundNo: r.refundNo as string, amount: dec(r.amount), requestedAt: new Date(r.requestedAt), channel: r.refundChannel as string | null,
    order: { id: String(r.id), orderNo: r.orderNo as string, total: r.total as string, category: r.category as string, createdAt: r.createdAt as Date, expiresAt: r.expiresAt as Date },
  };
}

/** One more question asked about a pending refund, with the unclear answer if there was one. */
export async function touchRefund(trx: Knex, id: string, error: string | null): Promise<void> {
  await trx('refunds').where({ id, status: 'pending' })
    .update({ checks: trx.raw('checks + 1'), last_checked_at: trx.fn.now(), ...(error === null ? {} : { last_error: error.slice(0, 300) }) });
}

/** Moves a pending refund's request time from the one asked about to the retry's; true only for the one caller that moved it. */
export async function moveRefundRequest(trx: Knex, id: string, askedAbout: Date, retryAt: Date): Promise<boolean> {
  return (await trx('refunds').where({ id, status: 'pending' }).where(sameInstant('requested_at', askedAbout)).update({ requested_at: retryAt })) === 1;
}

/** Channel refunds still pending that were asked for at or before `askedBefore`, oldest first. */
export async function pendingRefundIds(trx: Knex, askedBefore: Date, limit: number): Promise<string[]> {
  const ids = await trx('refunds').where('status', 'pending').whereNotNull('channel').whereNotNull('order_id')
    .where('requested_at', '<=', askedBefore).orderBy('requested_at').limit(limit).pluck('id');
  return ids.map(String);
}

/**
 * Refunds we sent through this channel on this business day, per order: the bill refunds, and
 * second payments handed back from an overpayment (those never touched a bill).
 */
export async function refundsOn(trx: Knex, channel: string, day: string): Promise<{ orderId: string; orderNo: string; amount: Decimal; pending: boolean }[]> {
  const from = startOfBusinessDay(day);
  const to = new Date(from.getTime() + 24 * 3600_000);
  const { rows } = await trx.raw(`
    SELECT r.order_id, o.order_no, r.amount, r.status = 'pending' AS pending
    FROM refunds r JOIN orders o ON o.id = r.order_id
    WHERE r.channel = ? AND r.status IN ('succeeded','pending') AND r.created_at >= ? AND r.created_at < ?
    UNION ALL
    SELECT op.order_id, o.order_no, op.amount, op.status = 'refunding' AS pending
    FROM overpayments op JOIN orders o ON o.id = op.order_id
    WHERE op.kind = 'attempt' AND op.channel = ? AND op.status IN ('refunded','refunding') AND op.resolved_at >= ? AND op.resolved_at < ?`,
  [channel, from, to, channel, from, to]);
  return rows.map((r: Record<string, any>) => ({ orderId: String(r.order_id), orderNo: r.order_no, amount: dec(r.amount), pending: !!r.pending }));
}
