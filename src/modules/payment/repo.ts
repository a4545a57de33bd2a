// SQL of the payment module. Every status change is a compare-and-set (UPDATE … WHERE status IN
// (…)) whose row count the caller checks: a duplicate notification, a double click or a second
// instance racing us finds the row already moved and changes nothing.
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import type { OrderStatus } from '../../domain/order-state';
import type { Decimal } from '../../domain/money';
import type { Category } from '../../domain/payment-selection';
import { MAX_DAILY_SERIAL } from '../../domain/order-number';

/** The advisory-lock class of order building (the second key is the person's id). */
export const ORDER_BUILDING_LOCK = 0x4f524452; // 'ORDR'

export interface OrderRow {
  id: string;
  orderNo: string;
  personId: number;
  category: Category;
  status: OrderStatus;
  amount: Decimal;
  fee: Decimal;
  total: Decimal;
  channel: string | null;
  notifyMobile: string;
  createdAt: Date;
  expiresAt: Date;
  paidAt: Date | null;
  closedAt: Date | null;
}

export interface OrderLineRow {
  billId: number;
  amount: Decimal;
  periodName: string;
  itemName: string;
  itemCode: string;
}

export type AttemptStatus = 'created' | 'sent' | 'paid' | 'closed' | 'failed';

export interface AttemptRow {
  id: string;
  orderId: string;
  channel: string;
  channelOrderId: string | null;
  channelTradeNo: string | null;
  amount: Decimal;
  fee: Decimal;
  status: AttemptStatus;
  payUrl: string | null;
  createdAt: Date;
  /** The attempt's expiry at its channel; null on rows written without one: its order's expiry. */
  expiresAt: Date | null;
}

/** A live attempt that may still be paid, with its order, for the switching warning. */
export interface LiveAttemptRow {
  attemptId: string;
  orderId: string;
  orderNo: string;
  channel: string;
  status: AttemptStatus;
  expiresAt: Date;
}

export interface PayerRow {
  personId: number;
  number: string;
  name: string;
  mobile: string;
}

const ORDER_COLUMNS = [
  'o.id', 'o.order_no', 'o.person_id', 'o.category', 'o.status', 'o.amount', 'o.fee', 'o.total', 'o.channel',
  'o.notify_mobile', 'o.created_at', 'o.expires_at', 'o.paid_at', 'o.closed_at',
];

const toOrder = (r: Record<string, any>): OrderRow => ({
  id: String(r.id), orderNo: r.order_no, personId: r.person_id, category: r.category, status: r.status,
  amount: dec(r.amount), fee: dec(r.fee), total: dec(r.total), channel: r.channel, notifyMobile: r.notify_mobile,
  createdAt: new Date(r.created_at), expiresAt: new Date(r.expires_at),
  paidAt: r.paid_at ? new Date(r.paid_at) : null, closedAt: r.closed_at ? new Date(r.closed_at) : null,
});

const toAttempt = (r: Record<string, any>): AttemptRow => ({
  id: String(r.id), orderId: String(r.order_id), channel: r.channel, channelOrderId: r.channel_order_id,
  channelTradeNo: r.channel_trade_no, amount: dec(r.amount), fee: dec(r.fee), status: r.status, payUrl: r.pay_url,
  createdAt: new Date(r.created_at), expiresAt: r.expires_at ? new Date(r.expires_at) : null,
});

export function paymentRepo(db: Knex) {
  return {
    /**
     * The next serial of a business day, atomically, on any number of instances; null once the
     * day's six digits are used up (the counter then stays at its end rather than running past it).
     */
    async nextOrderSerial(day: string, trx: Knex = db): Promise<number | null> {
      const { rows } = await trx.raw(
        `INSERT INTO order_serials(day, last) VALUES (?, 1)
         ON CONFLICT (day) DO UPDATE SET last = order_serials.last + 1 WHERE order_serials.last < ?
         RETURNING last`,
        [day, MAX_DAILY_SERIAL],
      );
      return rows.length ? Number(rows[0].last) : null;
    },

    async insertOrder(
      trx: Knex.Transaction,
      o: { orderNo: string; personId: number; category: Category; amount: Decimal; notifyMobile: string; expiresAt: Date; lines: { billId: number; amount: Decimal }[] },
    ): Promise<string> {
      const [row] = await trx('orders')
        .insert({
          order_no: o.orderNo, person_id: o.personId, category: o.category, status: 'created', amount: o.amount.toFixed(2),
          fee: '0.00', total: o.amount.toFixed(2), notify_mobile: o.notifyMobile, expires_at: o.expiresAt,
        })
        .returning('id');
      const id = String(row.id);
      await trx('order_lines').insert(o.lines.map((l) => ({ order_id: id, bill_id: l.billId, amount: l.amount.toFixed(2) })));
      return id;
    },

    async orderOf(personId: number, orderNo: string): Promise<OrderRow | null> {
      const r = await db('orders as o').where({ 'o.order_no': orderNo, 'o.person_id': personId }).first(ORDER_COLUMNS);
      return r ? toOrder(r) : null;
    },

    async orderById(id: string, trx: Knex = db, lock = false): Promise<OrderRow | null> {
      const q = trx('orders as o').where('o.id', id).first(ORDER_COLUMNS);
      if (lock) q.forUpdate();
      const r = await q;
      return r ? toOrder(r) : null;
    },

    async linesOf(orderIds: string[], trx: Knex = db): Promise<Map<string, OrderLineRow[]>> {
      const out = new Map<string, OrderLineRow[]>();
      if (!orderIds.length) return out;
      const rows = await trx('order_lines as l')
        .join('bills as b', 'b.id', 'l.bill_id')
        .join('fee_periods as p', 'p.id', 'b.period_id')
        .join('fee_items as i', 'i.id', 'b.fee_item_id')
        .whereIn('l.order_id', orderIds)
        .orderBy([{ column: 'p.sort_order', order: 'desc' }, { column: 'i.sort_order' }, { column: 'l.id' }])
        .select('l.order_id', 'l.bill_id', 'l.amount', 'p.name as period_name', 'i.name as item_name', 'i.code as item_code');
      for (const r of rows) {
        const key = String(r.order_id);
        if (!out.has(key)) out.set(key, []);
        out.get(key)!.push({ billId: r.bill_id, amount: dec(r.amount), periodName: r.period_name, itemName: r.item_name, itemCode: r.item_code });
      }
      return out;
    },

    /** A person's orders that may still be paid (待支付 / 支付中), newest first. */
    /**
     * One order builder per person at a time, until the transaction ends: identical 下一步 sent at
     * once then find each other's order instead of each building a live one.
     */
    async lockOrderBuilding(trx: Knex.Transaction, personId: number): Promise<void> {
      await trx.raw('SELECT pg_advisory_xact_lock(?, ?)', [ORDER_BUILDING_LOCK, personId]);
    },

    async liveOrdersOf(personId: number, trx: Knex = db): Promise<OrderRow[]> {
      const rows = await trx('orders as o').where('o.person_id', personId).whereIn('o.status', ['created', 'paying'])
        .orderBy('o.created_at', 'desc').select(ORDER_COLUMNS);
      return rows.map(toOrder);
    },

    /** Other live orders that cover any of these bills: they must be closed before this one is sent. */
    async liveOrdersCoveringBills(billIds: number[], exceptOrderId: string): Promise<OrderRow[]> {
      const rows = await db('orders as o')
        .whereIn('o.status', ['created', 'paying'])
        .whereNot('o.id', exceptOrderId)
        .whereExists(db('order_lines as l').whereRaw('l.order_id = o.id').whereIn('l.bill_id', billIds))
        .select(ORDER_COLUMNS);
      return rows.map(toOrder);
    },

    /**
     * Live attempts (created / sent) of any live order covering one of these bills, this order's
     * included, still within their expiry: each may still be paid at its channel.
     */
    async liveAttemptsCoveringBills(billIds: number[], now: Date): Promise<LiveAttemptRow[]> {
      if (!billIds.length) return [];
      const rows = await db('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
        .whereIn('a.status', ['created', 'sent']).whereIn('o.status', ['created', 'paying'])
        .whereRaw('coalesce(a.expires_at, o.expires_at) > ?', [now])
        .whereExists(db('order_lines as l').whereRaw('l.order_id = o.id').whereIn('l.bill_id', billIds))
        .orderBy('a.id').select('a.id', 'a.order_id', 'o.order_no', 'a.channel', 'a.status', db.raw('coalesce(a.expires_at, o.expires_at) AS until'));
      return rows.map((r) => ({ attemptId: String(r.id), orderId: String(r.order_id), orderNo: r.order_no, channel: r.channel, status: r.status, expiresAt: new Date(r.until) }));
    },

    /** Live attempts past their own expiry (by `before`), oldest first: to be settled at their channel. */
    async expiredLiveAttempts(before: Date, limit = 100): Promise<{ attemptId: string; orderId: string }[]> {
      const rows = await db('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
        .whereIn('a.status', ['created', 'sent']).whereNotNull('a.expires_at').where('a.expires_at', '<=', before)
        .orderBy('a.expires_at').limit(limit).select('a.id', 'a.order_id');
      return rows.map((r) => ({ attemptId: String(r.id), orderId: String(r.order_id) }));
    },

    /** Whether any attempt was ever sent to this channel: its notifications stay routable. */
    async hasAttemptsAt(channel: string): Promise<boolean> {
      return !!(await db('payment_attempts').where({ channel }).first('id'));
    },

    /** Shortens a live order's expiry (取消交费 while a bank page stays payable): never lengthens it. */
    async shortenOrderExpiry(id: string, until: Date): Promise<void> {
      await db('orders').where('id', id).whereIn('status', ['created', 'paying']).where('expires_at', '>', until).update({ expires_at: until, updated_at: db.fn.now() });
    },

    async expiredLiveOrders(now: Date, limit = 100): Promise<OrderRow[]> {
      const rows = await db('orders as o').whereIn('o.status', ['created', 'paying']).where('o.expires_at', '<=', now)
        .orderBy('o.expires_at').limit(limit).select(ORDER_COLUMNS);
      return rows.map(toOrder);
    },

    /** Compare-and-set of an order's status; returns whether this call made the change. */
    async casOrder(trx: Knex, id: string, from: readonly OrderStatus[], to: OrderStatus, extra: Record<string, unknown> = {}): Promise<boolean> {
      const n = await trx('orders').where('id', id).whereIn('status', from as OrderStatus[]).update({ status: to, updated_at: trx.fn.now(), ...extra });
      return n === 1;
    },

    async setOrderCharges(trx: Knex, id: string, c: { channel: string; fee: Decimal; total: Decimal }): Promise<boolean> {
      const n = await trx('orders').where('id', id).whereIn('status', ['created', 'paying'])
        .update({ status: 'paying', channel: c.channel, fee: c.fee.toFixed(2), total: c.total.toFixed(2), updated_at: trx.fn.now() });
      return n === 1;
    },

    async attemptsOf(orderId: string, trx: Knex = db): Promise<AttemptRow[]> {
      const rows = await trx('payment_attempts').where('order_id', orderId).orderBy('id');
      return rows.map(toAttempt);
    },

    async insertAttempt(trx: Knex, a: { orderId: string; channel: string; amount: Decimal; fee: Decimal; expiresAt: Date }): Promise<string> {
      const [row] = await trx('payment_attempts')
        .insert({ order_id: a.orderId, channel: a.channel, amount: a.amount.toFixed(2), fee: a.fee.toFixed(2), status: 'created', expires_at: a.expiresAt })
        .returning('id');
      return String(row.id);
    },

    async casAttempt(trx: Knex, id: string, from: readonly AttemptStatus[], to: AttemptStatus, extra: Record<string, unknown> = {}): Promise<boolean> {
      const n = await trx('payment_attempts').where('id', id).whereIn('status', from as AttemptStatus[]).update({ status: to, updated_at: trx.fn.now(), ...extra });
      return n === 1;
    },

    async attemptById(id: string, trx: Knex = db): Promise<AttemptRow | null> {
      const r = await trx('payment_attempts').where('id', id).first();
      return r ? toAttempt(r) : null;
    },

    async attemptByChannelOrderId(channel: string, channelOrderId: string, trx: Knex = db): Promise<AttemptRow | null> {
      const r = await trx('payment_attempts').where({ channel, channel_order_id: channelOrderId }).first();
      return r ? toAttempt(r) : null;
    },

    /**
     * Records the channel's order id on an attempt that has none yet, whatever its status: a
     * payment the channel knows about must be findable. Throws 23505 when another attempt already
     * holds that id (then the payment is findable through that one).
     */
    async setChannelOrderId(trx: Knex, id: string, channelOrderId: string): Promise<boolean> {
      const n = await trx('payment_attempts').where('id', id).whereNull('channel_order_id').update({ channel_order_id: channelOrderId, updated_at: trx.fn.now() });
      return n === 1;
    },

    /**
     * For a signed payment whose channel order id no attempt holds: the order's attempt on that
     * channel that never learned its channel order id (its create call was answered after the
     * attempt was closed, or not at all), locked; the one of the paid amount first, newest first.
     */
    async lockUnrecordedAttempt(trx: Knex.Transaction, channel: string, orderNo: string, amount: Decimal): Promise<AttemptRow | null> {
      const r = await trx('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
        .where({ 'o.order_no': orderNo, 'a.channel': channel }).whereNull('a.channel_order_id')
        .orderByRaw('(a.amount = ?) DESC, a.id DESC', [amount.toFixed(2)]).forUpdate('a').first('a.*');
      return r ? toAttempt(r) : null;
    },

    /** The attempt a channel's event is about, locked: duplicates of one event queue up here. */
    async lockAttemptByChannelOrderId(trx: Knex.Transaction, channel: string, channelOrderId: string): Promise<AttemptRow | null> {
      const r = await trx('payment_attempts').where({ channel, channel_order_id: channelOrderId }).forUpdate().first();
      return r ? toAttempt(r) : null;
    },

    async recordEvent(
      e: { channel: string; attemptId?: string | null; orderNo?: string | null; kind: string; verified: boolean; outcome: string; headers?: unknown; body?: string },
      trx: Knex = db,
    ): Promise<void> {
      await trx('channel_events').insert({
        channel: e.channel, attempt_id: e.attemptId ?? null, order_no: e.orderNo?.slice(0, 32) ?? null, kind: e.kind,
        verified: e.verified, outcome: e.outcome.slice(0, 32), headers: e.headers === undefined ? null : JSON.stringify(e.headers),
        body: e.body ?? null,
      });
    },

    /**
     * Deletes refused notifications recorded before `before`, in batches so no delete holds many
     * rows at once; returns how many. Only kind 'notify' and unverified: our own calls' records
     * (create, close, query) and every verified event stay.
     */
    async purgeRefusedNotifications(before: Date, batch = 5000): Promise<number> {
      let total = 0;
      for (;;) {
        const n = await db('channel_events').whereIn('id', db('channel_events').select('id')
          .where({ kind: 'notify', verified: false }).where('created_at', '<', before).limit(batch)).del();
        total += n;
        if (n < batch) return total;
      }
    },

    async payerOf(personId: number, trx: Knex = db): Promise<PayerRow> {
      const r = await trx('people').where('id', personId).first('id', 'number', 'name', 'mobile');
      return { personId: r.id, number: r.number, name: r.name, mobile: r.mobile };
    },

    async queueSms(trx: Knex, s: { personId: number; mobile: string; body: string }): Promise<void> {
      await trx('sms_outbox').insert({ person_id: s.personId, mobile: s.mobile, body: s.body });
    },

    async receiptOfOrder(orderId: string): Promise<{ receiptNo: string; receiptDate: string } | null> {
      const r = await db('receipts').where('order_id', orderId).first('receipt_no', 'receipt_date');
      return r ? { receiptNo: r.receipt_no, receiptDate: r.receipt_date } : null;
    },

    /** 非税通知 手机 (图12 修改): the profile's mobile, and the orders not yet paid. */
    async setMobile(trx: Knex, personId: number, mobile: string): Promise<void> {
      await trx('people').where('id', personId).update({ mobile, updated_at: trx.fn.now() });
      await trx('orders').where('person_id', personId).whereIn('status', ['created', 'paying']).update({ notify_mobile: mobile, updated_at: trx.fn.now() });
    },
  };
}

export type PaymentRepo = ReturnType<typeof paymentRepo>;
