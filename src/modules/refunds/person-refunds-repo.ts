// The refunds of one person, read for the pages that show them: the console's 退费记录 (every
// refund finance made, whatever became of it) and the student's own pages (银行交易记录, its 明细,
// 已缴费信息), which show each refund that moved or is moving money — bill refunds, and second
// payments handed back through their channel (overpayments of kind 'attempt', which never
// reached a bill). The refunds module owns both tables; every query is scoped by person.
import type { Knex } from 'knex';
import { dec, jsonColumn } from '../../db/rows';
import type { Decimal } from '../../domain/money';
import type { ReductionCause, RefundPurpose } from '../../domain/refund-plan';
import type { RefundStatus } from './refunds-repo';

export interface RefundRecord {
  refundNo: string;
  period: string;
  item: string;
  amount: Decimal;
  channel: string | null;
  status: RefundStatus;
  reason: string;
  purpose: RefundPurpose;
  reductionCause: ReductionCause | null;
  reductionAmount: Decimal | null;
  createdAt: Date;
}

/** The console's 退费记录 of a person: their latest refunds, in every state. */
export async function refundRecords(db: Knex, personId: number, limit = 50): Promise<RefundRecord[]> {
  const rows = await db('refunds as r').join('bills as b', 'b.id', 'r.bill_id')
    .join('fee_items as fi', 'fi.id', 'b.fee_item_id').join('fee_periods as fp', 'fp.id', 'b.period_id')
    .where('b.person_id', personId).orderBy('r.id', 'desc').limit(limit)
    .select('r.refund_no as refundNo', 'fp.name as period', 'fi.name as item', 'r.amount', 'r.channel', 'r.status', 'r.reason',
      'r.purpose', 'r.reduction_cause as reductionCause', 'r.reduction_amount as reductionAmount', 'r.created_at as createdAt');
  return rows.map((r) => ({ ...r, amount: dec(r.amount), reductionAmount: r.reductionAmount === null ? null : dec(r.reductionAmount) }));
}

/** A refund as the student sees it. */
export interface SeenRefund {
  /** The fee it belongs to; null for a second payment handed back (it paid no bill). */
  period: string | null;
  item: string | null;
  feeType: string | null;
  /** The order it went back through, or the order of a second payment; null for an offline refund. */
  orderNo: string | null;
  amount: Decimal;
  /** The channel it went back through; null: handed back by the finance office. */
  channel: string | null;
  done: boolean;
  /** When it was made (done) or asked for (still with the channel). */
  at: Date;
  kind: 'money_back' | 'fee_reduced' | 'second_payment';
  reductionCause: ReductionCause | null;
  reductionAmount: Decimal | null;
}

export interface SeenRefundFilter {
  /** Only refunds through, or of a second payment of, this order. */
  orderNo?: string;
  /** Only refunds of bills of this fee type (学费 / 其他费用). */
  feeType?: string;
  /** Only refunds of bills on this receipt. */
  receiptNo?: string;
}

// What the student's pages count as a refund they see, and when it happened, in one place for the
// knex queries of refundsSeenBy and the fixed SQL that 银行交易记录 composes (seenRefundsJsonSql).
const BILL_REFUND_SEEN = ['succeeded', 'pending'];
const BILL_REFUND_DONE = `r.status = 'succeeded'`;
const BILL_REFUND_AT = 'COALESCE(r.settled_at, r.requested_at)';
const SECOND_PAYMENT_SEEN = ['refunded', 'refunding'];
const SECOND_PAYMENT_DONE = `op.status = 'refunded'`;
const SECOND_PAYMENT_AT = 'COALESCE(op.resolved_at, op.refund_requested_at, op.created_at)';
const sqlList = (values: string[]) => values.map((v) => `'${v}'`).join(', ');

/** A seen refund's row as either query reads it: numerics as strings, `at` a Date (knex) or an ISO string (json). */
interface SeenRow {
  period?: string | null;
  item?: string | null;
  feeType?: string | null;
  orderNo?: string | null;
  amount: string;
  channel?: string | null;
  done: boolean;
  at: Date | string;
  kind: SeenRefund['kind'];
  reductionCause?: ReductionCause | null;
  reductionAmount?: string | null;
}

const toSeenRefund = (r: SeenRow): SeenRefund => ({
  period: r.period ?? null, item: r.item ?? null, feeType: r.feeType ?? null, orderNo: r.orderNo ?? null, amount: dec(r.amount), channel: r.channel ?? null,
  done: !!r.done, at: new Date(r.at), kind: r.kind, reductionCause: r.reductionCause ?? null,
  reductionAmount: r.reductionAmount === null || r.reductionAmount === undefined ? null : dec(r.reductionAmount),
});

/** Bill refunds (newest id first) then second payments (newest id first), newest first: the sort is stable, so a tie keeps that order. */
const newestFirst = (list: SeenRefund[]) => list.sort((a, b) => b.at.getTime() - a.at.getTime());

/**
 * The refunds a person sees, newest first: made or under way (a refund that failed moved no
 * money and is not shown). A failed one is finance's business; pending ones say so.
 */
export async function refundsSeenBy(db: Knex, personId: number, f: SeenRefundFilter = {}): Promise<SeenRefund[]> {
  const bills = db('refunds as r').join('bills as b', 'b.id', 'r.bill_id')
    .join('fee_items as fi', 'fi.id', 'b.fee_item_id').join('fee_periods as fp', 'fp.id', 'b.period_id')
    .leftJoin('orders as o', 'o.id', 'r.order_id')
    .where('b.person_id', personId).whereIn('r.status', BILL_REFUND_SEEN)
    .select('fp.name as period', 'fi.name as item', 'fi.fee_type as feeType', 'o.order_no as orderNo', 'r.amount', 'r.channel',
      db.raw(`${BILL_REFUND_DONE} AS done`), db.raw(`${BILL_REFUND_AT} AS at`), 'r.purpose as kind',
      'r.reduction_cause as reductionCause', 'r.reduction_amount as reductionAmount');
  if (f.orderNo) bills.where('o.order_no', f.orderNo);
  if (f.feeType) bills.where('fi.fee_type', f.feeType);
  if (f.receiptNo) {
    bills.whereExists(db('receipt_lines as rl').join('receipts as rc', 'rc.id', 'rl.receipt_id')
      .whereRaw('rl.bill_id = r.bill_id').where({ 'rc.receipt_no': f.receiptNo, 'rc.person_id': personId }).select(db.raw('1')));
  }
  // Both at once, each prepared (a shape per filter): 明细 and 已缴费信息 send them on every load.
  // A second payment belongs to no bill, so to no fee type nor receipt: only the order pages show it.
  const [rows, seconds] = await Promise.all([
    bills.orderBy('r.id', 'desc').options({ prepare: true }),
    f.feeType || f.receiptNo ? [] : secondPaymentsHandedBack(db, personId, f.orderNo),
  ]);
  return newestFirst([...rows.map(toSeenRefund), ...seconds]);
}

async function secondPaymentsHandedBack(db: Knex, personId: number, orderNo?: string): Promise<SeenRefund[]> {
  const q = db('overpayments as op').join('orders as o', 'o.id', 'op.order_id')
    .where({ 'op.kind': 'attempt', 'op.person_id': personId }).whereIn('op.status', SECOND_PAYMENT_SEEN)
    .select('o.order_no as orderNo', 'op.amount', 'op.channel', db.raw(`${SECOND_PAYMENT_DONE} AS done`), db.raw(`${SECOND_PAYMENT_AT} AS at`));
  if (orderNo) q.where('o.order_no', orderNo);
  return (await q.orderBy('op.id', 'desc').options({ prepare: true })).map((r) => toSeenRefund({ ...r, kind: 'second_payment' }));
}

/**
 * refundsSeenBy of a person with no filter (银行交易记录's list below the table), as a SQL expression
 * of one json array for a statement that reads it beside its own rows; `personId` is the SQL of the
 * person's id (a parameter). seenRefundsOfJson reads the array. Numerics go as text: a json number
 * would reach JavaScript as a float.
 */
export function seenRefundsJsonSql(personId: string): string {
  return `(SELECT coalesce(json_agg(x.j ORDER BY x.src, x.id DESC), '[]'::json) FROM (
      SELECT 0 AS src, r.id, json_build_object('period', fp.name, 'item', fi.name, 'feeType', fi.fee_type, 'orderNo', o.order_no,
               'amount', r.amount::text, 'channel', r.channel, 'done', ${BILL_REFUND_DONE}, 'at', ${BILL_REFUND_AT}, 'kind', r.purpose,
               'reductionCause', r.reduction_cause, 'reductionAmount', r.reduction_amount::text) AS j
        FROM refunds r JOIN bills b ON b.id = r.bill_id JOIN fee_items fi ON fi.id = b.fee_item_id JOIN fee_periods fp ON fp.id = b.period_id
        LEFT JOIN orders o ON o.id = r.order_id
       WHERE b.person_id = ${personId} AND r.status IN (${sqlList(BILL_REFUND_SEEN)})
      UNION ALL
      SELECT 1, op.id, json_build_object('orderNo', o.order_no, 'amount', op.amount::text, 'channel', op.channel, 'done', ${SECOND_PAYMENT_DONE},
               'at', ${SECOND_PAYMENT_AT}, 'kind', 'second_payment')
        FROM overpayments op JOIN orders o ON o.id = op.order_id
       WHERE op.kind = 'attempt' AND op.person_id = ${personId} AND op.status IN (${sqlList(SECOND_PAYMENT_SEEN)})
    ) x)`;
}

/** The array of seenRefundsJsonSql (parsed by the driver, or its text), as refundsSeenBy returns it. */
export function seenRefundsOfJson(value: unknown): SeenRefund[] {
  const rows = jsonColumn<SeenRow[]>(value, []);
  return newestFirst(rows.map(toSeenRefund));
}

/** What of a paid attempt went back through its channel. */
export interface AttemptRefund {
  amount: Decimal;
  at: Date;
  done: boolean;
}

/**
 * Per paid attempt of `paid` — a relation of the caller's statement with columns attempt_id,
 * order_id and channel — the money of it handed back through its channel: a second payment
 * handed back on its own (its attempt flag, at most one: overpayments_attempt_uq), else the
 * order's refunds through this attempt's channel (a duplicate order's, or finance's refunds);
 * a flagged attempt is the flag's alone, even when nothing of it went back (yet). A
 * SELECT of (attempt_id, amount, at, done), a row only for an attempt something went back for;
 * each table is read once for all of `paid` (refunds has no index on order_id: one pass, not one
 * per attempt). attemptRefundOfJson reads a row put into json.
 */
export function attemptRefundsSql(paid: string): string {
  return `SELECT pa.attempt_id, COALESCE(f.amount, r.amount) AS amount, COALESCE(f.at, r.at) AS at, COALESCE(f.done, r.done) AS done
      FROM ${paid} pa
      LEFT JOIN (SELECT attempt_id,
                        sum(amount) FILTER (WHERE status IN (${sqlList(SECOND_PAYMENT_SEEN)})) AS amount,
                        max(resolved_at) FILTER (WHERE status IN (${sqlList(SECOND_PAYMENT_SEEN)})) AS at,
                        bool_and(status = 'refunded') FILTER (WHERE status IN (${sqlList(SECOND_PAYMENT_SEEN)})) AS done
                   FROM overpayments WHERE kind = 'attempt' AND attempt_id IN (SELECT attempt_id FROM ${paid}) GROUP BY attempt_id) f
        ON f.attempt_id = pa.attempt_id
      LEFT JOIN (SELECT order_id, channel, sum(amount) AS amount, max(COALESCE(settled_at, created_at)) AS at, bool_and(status = 'succeeded') AS done
                   FROM refunds WHERE order_id IN (SELECT order_id FROM ${paid}) AND channel IS NOT NULL AND status IN (${sqlList(BILL_REFUND_SEEN)})
                  GROUP BY order_id, channel) r
        ON f.attempt_id IS NULL AND r.order_id = pa.order_id AND r.channel = pa.channel
     WHERE COALESCE(f.amount, r.amount) IS NOT NULL`;
}

/** A row of attemptRefundsSql as json ({ amount: text, at, done }), or null: nothing went back. */
export function attemptRefundOfJson(r: { amount: string; at: string | null; done: boolean } | null): AttemptRefund | null {
  return r ? { amount: dec(r.amount), at: new Date(r.at!), done: !!r.done } : null;
}
