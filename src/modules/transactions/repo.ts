// 银行交易记录: the person's payment attempts (each submission of an order to a channel), and the
// detail of one order. Every query is scoped by person_id: another person's order is "not found".
import type { Knex } from 'knex';
import { poolOver } from '../../db/connection';
import { count, dec, jsonColumn } from '../../db/rows';
import type { Decimal } from '../../domain/money';
import { PAYER_NAME_SQL } from '../payers/repo';
import { attemptRefundOfJson, attemptRefundsSql, seenRefundsJsonSql, seenRefundsOfJson, type AttemptRefund, type SeenRefund } from '../refunds';

export interface BankRecord {
  attemptId: string;
  orderNo: string;
  createdAt: Date;
  channel: string;
  amount: Decimal; // 订单金额
  fee: Decimal; // 手续费
  paid: boolean;
  orderId: string;
  /** 缴费人: the 授权缴费人 who sent the order to the channel, with their relation; null when the person did. */
  payerName: string | null;
  /** What of a paid attempt went back through its channel; null: nothing did (or it is not paid). */
  refund: AttemptRefund | null;
}

/** 银行交易记录 as its statement reads it: a page of records, how many there are, and every refund of the person. */
export interface BankPage {
  rows: BankRecord[];
  total: number;
  /** The person's refunds below the table, newest first (refundsSeenBy with no filter). */
  refunds: SeenRefund[];
}

/**
 * 银行交易记录 (图23) in one statement, whatever the page: it took four after the session's read
 * (the records, their refunds, the refund list's two reads; six past the end), each costing the
 * process about 0.15-0.2 ms of CPU to build and send. The person's attempts numbered newest first
 * ($1 the person), the page of $3 from offset $2 — or, past the end, the last page, clamped as
 * paginate (src/domain/pagination.ts) clamps it, so no count and second read are needed — with
 * each paid attempt's refund (the refunds module's attemptRefundsSql), and beside them the refunds
 * below the table (its seenRefundsJsonSql). The page's rows are named `o`, the name PAYER_NAME_SQL
 * reads the order's person_id and payer_id under. One row always, the records in json (numerics as
 * text: a json number would reach JavaScript as a float). The refunds are worked out once for
 * the page (MATERIALIZED: inlined, the planner may run them again for each record). Fixed text, so
 * prepared once per connection (src/db/prepared.ts) and never rebuilt by a query builder.
 */
export const bankPageSql = (q: { person: string; offset: string; limit: string }) => `WITH mine AS (
    SELECT a.id, a.order_id, a.created_at, a.channel, a.fee, a.status, o.order_no, o.amount, o.person_id, o.payer_id,
           row_number() OVER (ORDER BY a.created_at DESC, a.id DESC) AS n
      FROM payment_attempts a JOIN orders o ON o.id = a.order_id
     WHERE o.person_id = ${q.person}
  ), counted AS (
    SELECT count(*) AS total FROM mine
  ), page AS (
    SELECT o.*, ${PAYER_NAME_SQL} FROM mine o, counted c
     WHERE o.n > least(${q.offset}::bigint, greatest(c.total - 1, 0) / ${q.limit}::int * ${q.limit}::int)
     ORDER BY o.n LIMIT ${q.limit}::int
  ), paid AS (
    SELECT id AS attempt_id, order_id, channel FROM page WHERE status = 'paid'
  ), handed_back AS MATERIALIZED (
    ${attemptRefundsSql('paid')}
  )
  SELECT c.total,
         (SELECT coalesce(json_agg(json_build_object(
                   'attemptId', p.id::text, 'orderId', p.order_id::text, 'orderNo', p.order_no, 'createdAt', p.created_at, 'channel', p.channel,
                   'amount', p.amount::text, 'fee', p.fee::text, 'paid', p.status = 'paid', 'payerName', p."payerName",
                   'refund', CASE WHEN h.attempt_id IS NULL THEN NULL ELSE json_build_object('amount', h.amount::text, 'at', h.at, 'done', h.done) END
                 ) ORDER BY p.n), '[]'::json)
            FROM page p LEFT JOIN handed_back h ON h.attempt_id = p.id) AS rows,
         ${seenRefundsJsonSql(q.person)} AS refunds
    FROM counted c`;
const BANK_PAGE_SQL = bankPageSql({ person: '$1', offset: '$2', limit: '$3' });

interface BankJsonRow {
  attemptId: string;
  orderId: string;
  orderNo: string;
  createdAt: string;
  channel: string;
  amount: string;
  fee: string;
  paid: boolean;
  payerName: string | null;
  refund: { amount: string; at: string | null; done: boolean } | null;
}

export interface OrderLine {
  periodName: string;
  itemName: string;
  amount: Decimal;
}

export interface AttemptEvent {
  kind: string;
  verified: boolean;
  outcome: string;
  createdAt: Date;
}

export interface Attempt {
  id: string;
  channel: string;
  channelOrderId: string | null;
  channelTradeNo: string | null;
  amount: Decimal;
  fee: Decimal;
  status: string;
  createdAt: Date;
  paidAt: Date | null;
  events: AttemptEvent[];
}

/** The one row of bankPageSql, from the driver or as json in a page read (./page-reads.ts). */
export function toBankPage(row: { total: string | number; rows: unknown; refunds: unknown }): BankPage {
  return {
    total: count(row.total),
    rows: jsonColumn<BankJsonRow[]>(row.rows, []).map((r) => ({
      attemptId: r.attemptId, orderId: r.orderId, orderNo: r.orderNo, createdAt: new Date(r.createdAt), channel: r.channel, amount: dec(r.amount), fee: dec(r.fee),
      paid: !!r.paid, payerName: r.payerName ?? null, refund: attemptRefundOfJson(r.refund),
    })),
    refunds: seenRefundsOfJson(row.refunds),
  };
}

export function transactionsRepo(db: Knex) {
  // 银行交易记录's statement goes to the driver as it is (src/db/connection.ts poolOver): a knex raw
  // would only copy its text looking for bindings on every load.
  const pool = poolOver(db);

  return {
    /** The page of records at `offset` (the last page when that is past the end), how many there are, and the person's refunds. */
    async bankPage(personId: number, offset: number, limit: number): Promise<BankPage> {
      const { rows: [row] } = await pool.query({ text: BANK_PAGE_SQL, values: [personId, offset, limit], prepare: true });
      return toBankPage(row);
    },

    async order(personId: number, orderNo: string) {
      const o = await db('orders as o').where({ 'o.person_id': personId, 'o.order_no': orderNo })
        .first('o.id', 'o.order_no as orderNo', 'o.status', 'o.category', 'o.amount', 'o.fee', 'o.total', 'o.channel', 'o.created_at as createdAt', 'o.paid_at as paidAt', db.raw(PAYER_NAME_SQL));
      if (!o) return undefined;
      const [lines, attempts, events, receipt] = await Promise.all([
        db('order_lines as l')
          .join('bills as b', 'b.id', 'l.bill_id')
          .join('fee_periods as p', 'p.id', 'b.period_id')
          .join('fee_items as i', 'i.id', 'b.fee_item_id')
          .where('l.order_id', o.id)
          .orderBy([{ column: 'p.sort_order', order: 'desc' }, { column: 'i.sort_order' }, { column: 'l.id' }])
          .select('p.name as periodName', 'i.name as itemName', 'l.amount'),
        db('payment_attempts').where('order_id', o.id).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
          .select('id', 'channel', 'channel_order_id as channelOrderId', 'channel_trade_no as channelTradeNo', 'amount', 'fee', 'status', 'created_at as createdAt', 'paid_at as paidAt'),
        // Only what a payer may see of the channel traffic: when, what, and whether it checked out.
        db('channel_events as e').join('payment_attempts as a', 'a.id', 'e.attempt_id').where('a.order_id', o.id)
          .orderBy([{ column: 'e.created_at' }, { column: 'e.id' }])
          .select('e.attempt_id as attemptId', 'e.kind', 'e.verified', 'e.outcome', 'e.created_at as createdAt'),
        db('receipts').where({ order_id: o.id, person_id: personId }).first('receipt_no as receiptNo'),
      ]);
      return {
        orderNo: o.orderNo as string,
        status: o.status as string,
        category: o.category as string,
        amount: dec(o.amount),
        fee: dec(o.fee),
        total: dec(o.total),
        createdAt: o.createdAt as Date,
        paidAt: (o.paidAt ?? null) as Date | null,
        payerName: (o.payerName ?? null) as string | null,
        receiptNo: (receipt?.receiptNo ?? null) as string | null,
        lines: lines.map((l): OrderLine => ({ periodName: l.periodName, itemName: l.itemName, amount: dec(l.amount) })),
        attempts: attempts.map((a): Attempt => ({
          ...a,
          id: String(a.id),
          amount: dec(a.amount),
          fee: dec(a.fee),
          events: events.filter((e) => String(e.attemptId) === String(a.id)).map((e) => ({ kind: e.kind, verified: e.verified, outcome: e.outcome, createdAt: e.createdAt })),
        })),
      };
    },
  };
}

export type TransactionsRepo = ReturnType<typeof transactionsRepo>;
export type OrderDetail = NonNullable<Awaited<ReturnType<TransactionsRepo['order']>>>;
