// SQL of the `overpayments` flags: a bill credited beyond what it owes (kind 'bill') or a second
// payment of an order already paid (kind 'attempt'). Reconciliation raises them; every move of a
// flag is a compare-and-set on its status, so two clicks (or the job and a click) refund once.
import type { Knex } from 'knex';
import { dec, sameInstant } from '../../db/rows';
import { Decimal } from '../../domain/money';
import type { OverpaymentStatus } from '../../domain/reconcile';

export type { OverpaymentStatus };

export interface OverpaymentRow {
  id: string;
  kind: 'bill' | 'attempt';
  personId: number;
  billId: number | null;
  orderId: string;
  orderNo: string;
  attemptId: string | null;
  channel: string | null;
  amount: Decimal;
  status: OverpaymentStatus;
  refundNo: string | null;
  note: string;
  createdAt: Date;
}

const toOverpayment = (r: Record<string, any>): OverpaymentRow => ({
  id: String(r.id), kind: r.kind, personId: r.person_id, billId: r.bill_id, orderId: String(r.order_id), orderNo: r.order_no,
  attemptId: r.attempt_id === null ? null : String(r.attempt_id), channel: r.channel, amount: dec(r.amount), status: r.status,
  refundNo: r.refund_no, note: r.note, createdAt: new Date(r.created_at),
});

/** Inserts a flag once per cause; true when this call created it. */
export async function flagOverpayment(trx: Knex, f: { kind: 'bill' | 'attempt'; personId: number; billId: number | null; orderId: string; attemptId: string | null; channel: string | null; amount: Decimal; note: string }): Promise<boolean> {
  const target = f.kind === 'bill' ? `(bill_id, order_id) WHERE kind = 'bill'` : `(attempt_id) WHERE kind = 'attempt'`;
  const { rowCount } = await trx.raw(
    `INSERT INTO overpayments (kind, person_id, bill_id, order_id, attempt_id, channel, amount, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT ${target} DO NOTHING`,
    [f.kind, f.personId, f.billId, f.orderId, f.attemptId, f.channel, f.amount.toFixed(2), f.note.slice(0, 300)],
  );
  return rowCount === 1;
}

export async function flaggedOnBill(trx: Knex, billId: number): Promise<{ orderId: string; amount: Decimal; status: OverpaymentStatus }[]> {
  const rows = await trx('overpayments').where({ kind: 'bill', bill_id: billId }).select('order_id', 'amount', 'status');
  return rows.map((r) => ({ orderId: String(r.order_id), amount: dec(r.amount), status: r.status }));
}

export async function listOverpayments(trx: Knex, filter: { status?: OverpaymentStatus[]; id?: string } = {}): Promise<OverpaymentRow[]> {
  const q = trx('overpayments as op').join('orders as o', 'o.id', 'op.order_id').orderBy('op.id', 'desc').limit(500)
    .select('op.*', 'o.order_no');
  if (filter.status) q.whereIn('op.status', filter.status);
  if (filter.id) q.where('op.id', filter.id);
  return (await q).map(toOverpayment);
}

/** Compare-and-set of a flag's status. */
export async function moveOverpayment(trx: Knex, id: string, from: OverpaymentStatus[], to: OverpaymentStatus, extra: { refundNo?: string | null; note?: string; refundRequestedAt?: Date } = {}): Promise<boolean> {
  const n = await trx('overpayments').where({ id }).whereIn('status', from).update({
    status: to, ...(extra.refundNo !== undefined ? { refund_no: extra.refundNo } : {}), ...(extra.note !== undefined ? { note: extra.note.slice(0, 300) } : {}),
    ...(extra.refundRequestedAt ? { refund_requested_at: extra.refundRequestedAt } : {}),
    ...(to === 'refunded' || to === 'dismissed' || to === 'refunding' ? { resolved_at: trx.fn.now() } : {}),
  });
  return n === 1;
}

/** A refunding flag learns its refund number (and request time) before the channel is called. */
export async function setFlagRefund(trx: Knex, id: string, refundNo: string, requestedAt: Date): Promise<void> {
  await trx('overpayments').where({ id, status: 'refunding' }).update({ refund_no: refundNo, refund_requested_at: requestedAt });
}

/** The flag waiting on a bill refund follows it: refunded with it, or failed (open to another click). */
export async function settleFlagsOfRefund(trx: Knex, refundNo: string, outcome: { status: 'refunded' } | { status: 'failed'; reason: string }): Promise<void> {
  const q = trx('overpayments').where({ refund_no: refundNo, status: 'refunding' });
  if (outcome.status === 'refunded') await q.update({ status: 'refunded', resolved_at: trx.fn.now() });
  else await q.update({ status: 'failed', note: `渠道退款失败：${outcome.reason}`.slice(0, 300) });
}

/** A bill refund sent again under a new request time: the flag waiting on it keeps the same time. */
export async function moveFlagRequestOfRefund(trx: Knex, refundNo: string, retryAt: Date): Promise<void> {
  await trx('overpayments').where({ refund_no: refundNo, status: 'refunding' }).update({ refund_requested_at: retryAt });
}

/**
 * Second payments handed back through their channel whose answer is still awaited, asked for
 * at or before `askedBefore`: a refund just sent may not be processed yet (UnionPay answers 34
 * until it is), and a retry then would be a second request beside the first.
 */
export async function refundingAttemptFlags(trx: Knex, askedBefore: Date, limit = 100): Promise<(OverpaymentRow & { refundRequestedAt: Date | null })[]> {
  const rows = await trx('overpayments as op').join('orders as o', 'o.id', 'op.order_id')
    .where({ 'op.kind': 'attempt', 'op.status': 'refunding' }).whereNotNull('op.refund_no')
    .whereRaw('COALESCE(op.refund_requested_at, op.created_at) <= ?', [askedBefore.toISOString()])
    .orderBy('op.id').limit(limit).select('op.*', 'o.order_no');
  return rows.map((r) => ({ ...toOverpayment(r), refundRequestedAt: r.refund_requested_at ? new Date(r.refund_requested_at) : null }));
}

/**
 * Moves a refunding flag's request time from the one its query asked about to the retry's;
 * true only for the one caller that moved it (the others must not send).
 */
export async function retryFlagRefund(trx: Knex, id: string, askedAbout: Date | null, retryAt: Date): Promise<boolean> {
  const q = trx('overpayments').where({ id, status: 'refunding' });
  if (askedAbout) q.where(sameInstant('refund_requested_at', askedAbout));
  else q.whereNull('refund_requested_at');
  return (await q.update({ refund_requested_at: retryAt })) === 1;
}

/** A bill flag follows its refund once that refund is settled (should the two ever part). */
export async function syncBillFlagsWithRefunds(trx: Knex): Promise<number> {
  const { rowCount } = await trx.raw(`
    UPDATE overpayments op SET status = CASE r.status WHEN 'succeeded' THEN 'refunded' ELSE 'failed' END, resolved_at = now()
    FROM refunds r WHERE op.kind = 'bill' AND op.status = 'refunding' AND r.refund_no = op.refund_no AND r.status IN ('succeeded','failed')`);
  return rowCount ?? 0;
}

/**
 * After a refund on a bill (offline, or through the channel from the person's page), the open
 * overpayment flags it covers are closed, so 对账 stops offering money that is already back:
 * flags still waiting on the bill beyond its remaining excess are marked refunded by that
 * refund (or, when it covered only part, reduced to what is still owed back). The flag the
 * refund itself was made for (one-click, `refund_no` = this refund) is settled by its caller.
 * Runs inside the refund's transaction, under the bill's row lock.
 */
export async function closeFlagsCoveredByRefund(trx: Knex.Transaction, bill: { id: number; due: Decimal; reduction: Decimal; paid: Decimal; refunded: Decimal }, refundNo: string): Promise<number> {
  const excess = Decimal.max(0, bill.paid.minus(bill.refunded).minus(bill.due.minus(bill.reduction)));
  const flags = await trx('overpayments').where({ kind: 'bill', bill_id: bill.id }).whereIn('status', ['open', 'failed', 'refunding'])
    .where((q) => q.whereNull('refund_no').orWhereNot('refund_no', refundNo)).orderBy('id', 'desc').forUpdate().select('id', 'amount', 'status');
  let live = flags.reduce((t, f) => t.plus(dec(f.amount)), new Decimal(0));
  let closed = 0;
  for (const f of flags) {
    if (live.lte(excess)) break;
    if (f.status === 'refunding') continue;
    const amount = dec(f.amount);
    const over = live.minus(excess);
    if (over.gte(amount)) {
      await trx('overpayments').where({ id: f.id }).update({ status: 'refunded', refund_no: refundNo, note: `已由退费单 ${refundNo} 退回`, resolved_at: trx.fn.now() });
      live = live.minus(amount);
      closed++;
    } else {
      await trx('overpayments').where({ id: f.id }).update({ amount: amount.minus(over).toFixed(2), note: `退费单 ${refundNo} 已退回 ${over.toFixed(2)} 元，余额待退` });
      live = live.minus(over);
    }
  }
  return closed;
}
