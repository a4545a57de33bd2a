// The SQL of the ledger check: each query returns the rows that break one rule of the books.
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import { startOfBusinessDay } from '../../domain/business-date';
import type { Decimal } from '../../domain/money';
import { SETTLED } from '../../domain/order-state';

/** `IN (${SETTLED_LIST})` with the settled states as its bindings. */
const SETTLED_LIST = SETTLED.map(() => '?').join(', ');
const settled = [...SETTLED];

export function ledgerCheckRepo(db: Knex) {
  return {
    /** Bills whose stored totals differ from the sums of their ledger entries. */
    async billsOffLedger() {
      const { rows } = await db.raw(`
        SELECT b.id AS bill_id, b.due, b.reduction, b.paid, b.refunded,
               l.due AS l_due, l.reduction AS l_reduction, l.paid AS l_paid, l.refunded AS l_refunded
        FROM bills b
        LEFT JOIN LATERAL (
          SELECT coalesce(sum(amount) FILTER (WHERE kind IN ('charge','adjustment')), 0) AS due,
                 coalesce(sum(amount) FILTER (WHERE kind = 'reduction'), 0) AS reduction,
                 coalesce(sum(amount) FILTER (WHERE kind IN ('payment','loan')), 0) AS paid,
                 coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0) AS refunded
          FROM bill_ledger WHERE bill_id = b.id) l ON true
        WHERE (b.due, b.reduction, b.paid, b.refunded) IS DISTINCT FROM (l.due, l.reduction, l.paid, l.refunded)
        ORDER BY b.id`);
      return rows as Record<string, string | number>[];
    },

    /** Paid orders without a receipt, or whose receipt total is not the order's amount. */
    async paidOrdersWithoutReceipt() {
      const { rows } = await db.raw(`
        SELECT o.order_no, o.amount, r.receipt_no, r.total
        FROM orders o LEFT JOIN receipts r ON r.order_id = o.id
        WHERE o.status IN (${SETTLED_LIST}) AND (r.id IS NULL OR r.total <> o.amount)
        ORDER BY o.id`, settled);
      return rows as Record<string, string>[];
    },

    /** Order lines of paid orders whose payment ledger entries do not add up to the line. */
    async paidLinesOffLedger() {
      const { rows } = await db.raw(`
        SELECT o.order_no, ol.bill_id, ol.amount, coalesce(sum(l.amount), 0) AS credited
        FROM orders o
        JOIN order_lines ol ON ol.order_id = o.id
        LEFT JOIN bill_ledger l ON l.order_id = o.id AND l.bill_id = ol.bill_id AND l.kind = 'payment'
        WHERE o.status IN (${SETTLED_LIST})
        GROUP BY o.id, o.order_no, ol.bill_id, ol.amount
        HAVING coalesce(sum(l.amount), 0) <> ol.amount
        ORDER BY o.order_no`, settled);
      return rows as Record<string, string>[];
    },

    /** Payment entries that name an order which is not paid: money credited twice or too early. */
    async creditsOfUnpaidOrders() {
      const { rows } = await db.raw(`
        SELECT o.order_no, o.status, sum(l.amount) AS credited
        FROM bill_ledger l JOIN orders o ON o.id = l.order_id
        WHERE l.kind = 'payment' AND o.status NOT IN (${SETTLED_LIST})
        GROUP BY o.order_no, o.status`, settled);
      return rows as Record<string, string>[];
    },

    /** Receipts whose lines do not add up to their total. */
    async receiptsOffLines() {
      const { rows } = await db.raw(`
        SELECT r.receipt_no, r.total, coalesce(sum(rl.amount), 0) AS lines
        FROM receipts r LEFT JOIN receipt_lines rl ON rl.receipt_id = r.id
        GROUP BY r.id, r.receipt_no, r.total
        HAVING coalesce(sum(rl.amount), 0) <> r.total`);
      return rows as Record<string, string>[];
    },

    /** Payments we hold as received through a channel on a business day (Asia/Shanghai). */
    async receivedOn(channel: string, day: string): Promise<{ channelOrderId: string | null; orderNo: string; amount: Decimal }[]> {
      const from = startOfBusinessDay(day);
      const rows = await db('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
        .where({ 'a.channel': channel, 'a.status': 'paid' }).where('a.paid_at', '>=', from).where('a.paid_at', '<', new Date(from.getTime() + 24 * 3600_000))
        .orderBy('a.id').select('a.channel_order_id', 'o.order_no', 'a.amount');
      return rows.map((r) => ({ channelOrderId: r.channel_order_id, orderNo: r.order_no, amount: dec(r.amount) }));
    },
  };
}

export type LedgerCheckRepo = ReturnType<typeof ledgerCheckRepo>;
