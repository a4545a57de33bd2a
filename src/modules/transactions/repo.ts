// 银行交易记录: the person's payment attempts (each submission of an order to a channel), and the
// detail of one order. Every query is scoped by person_id: another person's order is "not found".
import type { Knex } from 'knex';
import { count, dec } from '../../db/rows';
import type { Decimal } from '../../domain/money';
import { PAYER_NAME_SQL } from '../payers/repo';

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

export function transactionsRepo(db: Knex) {
  const attemptsOf = (personId: number) =>
    db('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id').where('o.person_id', personId);

  return {
    async countBankRecords(personId: number): Promise<number> {
      const row = await attemptsOf(personId).count<{ n: string }[]>('* as n').first();
      return count(row?.n);
    },

    /**
     * One page of the records and, beside each row, how many there are in all (a window count,
     * taken before the page is cut): one statement for 图23. No rows: the page is past the end
     * (or there are none), and the total is unknown.
     */
    async bankRecords(personId: number, offset: number, limit: number): Promise<{ rows: BankRecord[]; total: number | null }> {
      const rows = await attemptsOf(personId)
        .orderBy([{ column: 'a.created_at', order: 'desc' }, { column: 'a.id', order: 'desc' }])
        .offset(offset)
        .limit(limit)
        .options({ prepare: true })
        .select(db.raw('count(*) OVER () AS total'), 'a.id as attemptId', 'a.order_id as orderId', 'o.order_no as orderNo', 'a.created_at as createdAt', 'a.channel', 'o.amount', 'a.fee', 'a.status', db.raw(PAYER_NAME_SQL));
      return {
        total: rows.length ? count(rows[0].total) : null,
        rows: rows.map(({ total: _total, ...r }) => ({ ...r, attemptId: String(r.attemptId), orderId: String(r.orderId), amount: dec(r.amount), fee: dec(r.fee), paid: r.status === 'paid' })),
      };
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
