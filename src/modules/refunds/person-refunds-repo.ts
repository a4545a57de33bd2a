// The refunds of one person, read for the pages that show them: the console's 退费记录 (every
// refund finance made, whatever became of it) and the student's own pages (银行交易记录, its 明细,
// 已缴费信息), which show each refund that moved or is moving money — bill refunds, and second
// payments handed back through their channel (overpayments of kind 'attempt', which never
// reached a bill). The refunds module owns both tables; every query is scoped by person.
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
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

/**
 * The refunds a person sees, newest first: made or under way (a refund that failed moved no
 * money and is not shown). A failed one is finance's business; pending ones say so.
 */
export async function refundsSeenBy(db: Knex, personId: number, f: SeenRefundFilter = {}): Promise<SeenRefund[]> {
  const bills = db('refunds as r').join('bills as b', 'b.id', 'r.bill_id')
    .join('fee_items as fi', 'fi.id', 'b.fee_item_id').join('fee_periods as fp', 'fp.id', 'b.period_id')
    .leftJoin('orders as o', 'o.id', 'r.order_id')
    .where('b.person_id', personId).whereIn('r.status', ['succeeded', 'pending'])
    .select('fp.name as period', 'fi.name as item', 'fi.fee_type as feeType', 'o.order_no as orderNo', 'r.amount', 'r.channel',
      db.raw(`r.status = 'succeeded' AS done`), db.raw('COALESCE(r.settled_at, r.requested_at) AS at'), 'r.purpose as kind',
      'r.reduction_cause as reductionCause', 'r.reduction_amount as reductionAmount');
  if (f.orderNo) bills.where('o.order_no', f.orderNo);
  if (f.feeType) bills.where('fi.fee_type', f.feeType);
  if (f.receiptNo) {
    bills.whereExists(db('receipt_lines as rl').join('receipts as rc', 'rc.id', 'rl.receipt_id')
      .whereRaw('rl.bill_id = r.bill_id').where({ 'rc.receipt_no': f.receiptNo, 'rc.person_id': personId }).select(db.raw('1')));
  }
  // Both at once, each prepared (a shape per filter): 银行交易记录 and 已缴费信息 send them on every load.
  // A second payment belongs to no bill, so to no fee type nor receipt: only the order pages show it.
  const [rows, seconds] = await Promise.all([
    bills.orderBy('r.id', 'desc').options({ prepare: true }),
    f.feeType || f.receiptNo ? [] : secondPaymentsHandedBack(db, personId, f.orderNo),
  ]);
  return [...rows.map((r) => ({
    period: r.period, item: r.item, feeType: r.feeType, orderNo: r.orderNo ?? null, amount: dec(r.amount), channel: r.channel ?? null,
    done: !!r.done, at: new Date(r.at), kind: r.kind, reductionCause: r.reductionCause ?? null,
    reductionAmount: r.reductionAmount === null ? null : dec(r.reductionAmount),
  } satisfies SeenRefund)), ...seconds].sort((a, b) => b.at.getTime() - a.at.getTime()); // stable: newest id first on a tie
}

async function secondPaymentsHandedBack(db: Knex, personId: number, orderNo?: string): Promise<SeenRefund[]> {
  const q = db('overpayments as op').join('orders as o', 'o.id', 'op.order_id')
    .where({ 'op.kind': 'attempt', 'op.person_id': personId }).whereIn('op.status', ['refunded', 'refunding'])
    .select('o.order_no as orderNo', 'op.amount', 'op.channel', db.raw(`op.status = 'refunded' AS done`),
      db.raw('COALESCE(op.resolved_at, op.refund_requested_at, op.created_at) AS at'));
  if (orderNo) q.where('o.order_no', orderNo);
  return (await q.options({ prepare: true })).map((r) => ({
    period: null, item: null, feeType: null, orderNo: r.orderNo, amount: dec(r.amount), channel: r.channel ?? null, done: !!r.done,
    at: new Date(r.at), kind: 'second_payment' as const, reductionCause: null, reductionAmount: null,
  }));
}

/** A paid attempt of 银行交易记录, to find what of it went back through its channel. */
export interface PaidAttemptRef {
  attemptId: string;
  orderId: string;
  channel: string;
}

/**
 * Per paid attempt, the money of it handed back through its channel: a second payment handed
 * back on its own (its attempt flag), else the order's refunds through this attempt's channel
 * (a duplicate order's, or finance's refunds). Absent: nothing went back.
 */
export async function refundsOfAttempts(db: Knex, attempts: PaidAttemptRef[]): Promise<Map<string, { amount: Decimal; at: Date; done: boolean }>> {
  const out = new Map<string, { amount: Decimal; at: Date; done: boolean }>();
  if (!attempts.length) return out;
  // One prepared statement whatever the page holds (arrays, not a list of placeholders per row):
  // the flags of the attempts and the channel refunds of their orders, each group a row.
  const { rows } = await db.raw<{ rows: { src: 'flag' | 'order'; key: string; channel: string | null; amount: string | null; at: Date | null; done: boolean | null }[] }>(
    `SELECT 'flag' AS src, attempt_id::text AS key, NULL::text AS channel,
            sum(amount) FILTER (WHERE status IN ('refunded','refunding')) AS amount,
            max(resolved_at) FILTER (WHERE status IN ('refunded','refunding')) AS at,
            bool_and(status = 'refunded') FILTER (WHERE status IN ('refunded','refunding')) AS done
       FROM overpayments WHERE kind = 'attempt' AND attempt_id = ANY(?::bigint[]) GROUP BY attempt_id
     UNION ALL
     SELECT 'order', order_id::text, channel, sum(amount), max(COALESCE(settled_at, created_at)), bool_and(status = 'succeeded')
       FROM refunds WHERE order_id = ANY(?::bigint[]) AND channel IS NOT NULL AND status IN ('succeeded', 'pending') GROUP BY order_id, channel`,
    [attempts.map((a) => a.attemptId), [...new Set(attempts.map((a) => a.orderId))]],
  ).options({ prepare: true });
  const flagged = rows.filter((r) => r.src === 'flag');
  const withFlag = new Set(flagged.map((f) => f.key));
  for (const f of flagged) if (f.amount !== null) out.set(f.key, { amount: dec(f.amount), at: new Date(f.at!), done: !!f.done });
  for (const a of attempts) {
    if (withFlag.has(a.attemptId)) continue;
    const r = rows.find((x) => x.src === 'order' && x.key === a.orderId && x.channel === a.channel);
    if (r) out.set(a.attemptId, { amount: dec(r.amount!), at: new Date(r.at!), done: !!r.done });
  }
  return out;
}
