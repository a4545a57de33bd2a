// SQL of orders and their lines. Every status change is a compare-and-set (UPDATE … WHERE status
// IN (…)) whose row count the caller checks: a duplicate notification, a double click or a second
// instance racing us finds the row already moved and changes nothing.
import type { Knex } from 'knex';
import { dec, jsonColumn } from '../../db/rows';
import type { OrderStatus } from '../../domain/order-state';
import { LIVE } from '../../domain/order-state';
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
  /** 学费 | 其他费用: which tab the order was made on (its pages name that tab). */
  feeType: string;
}

const ORDER_COLUMNS = [
  'o.id', 'o.order_no', 'o.person_id', 'o.category', 'o.status', 'o.amount', 'o.fee', 'o.total', 'o.channel',
  'o.notify_mobile', 'o.created_at', 'o.expires_at', 'o.paid_at', 'o.closed_at',
];

const LIVE_STATUSES = LIVE as OrderStatus[];

const toOrder = (r: Record<string, any>): OrderRow => ({
  id: String(r.id), orderNo: r.order_no, personId: r.person_id, category: r.category, status: r.status,
  amount: dec(r.amount), fee: dec(r.fee), total: dec(r.total), channel: r.channel, notifyMobile: r.notify_mobile,
  createdAt: new Date(r.created_at), expiresAt: new Date(r.expires_at),
  paidAt: r.paid_at ? new Date(r.paid_at) : null, closedAt: r.closed_at ? new Date(r.closed_at) : null,
});

/**
 * The next serial of a business day, atomically, on any number of instances; null once the
 * day's six digits are used up (the counter then stays at its end rather than running past it).
 */
export async function nextOrderSerial(trx: Knex, day: string): Promise<number | null> {
  const { rows } = await trx.raw(
    `INSERT INTO order_serials(day, last) VALUES (?, 1)
     ON CONFLICT (day) DO UPDATE SET last = order_serials.last + 1 WHERE order_serials.last < ?
     RETURNING last`,
    [day, MAX_DAILY_SERIAL],
  );
  return rows.length ? Number(rows[0].last) : null;
}

export async function insertOrder(
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
}

/** One person's order by its number: null for someone else's, exactly as for one that does not exist. */
export async function orderOfPerson(trx: Knex, personId: number, orderNo: string): Promise<OrderRow | null> {
  const r = await trx('orders as o').where({ 'o.order_no': orderNo, 'o.person_id': personId }).first(ORDER_COLUMNS);
  return r ? toOrder(r) : null;
}

export async function orderById(trx: Knex, id: string): Promise<OrderRow | null> {
  const r = await trx('orders as o').where('o.id', id).first(ORDER_COLUMNS);
  return r ? toOrder(r) : null;
}

/** The order, locked until the transaction ends. */
export async function lockOrder(trx: Knex.Transaction, id: string): Promise<OrderRow | null> {
  const r = await trx('orders as o').where('o.id', id).forUpdate().first(ORDER_COLUMNS);
  return r ? toOrder(r) : null;
}

export async function linesOf(trx: Knex, orderIds: string[]): Promise<Map<string, OrderLineRow[]>> {
  const out = new Map<string, OrderLineRow[]>();
  if (!orderIds.length) return out;
  const rows = await trx('order_lines as l')
    .join('bills as b', 'b.id', 'l.bill_id')
    .join('fee_periods as p', 'p.id', 'b.period_id')
    .join('fee_items as i', 'i.id', 'b.fee_item_id')
    .whereIn('l.order_id', orderIds)
    .orderBy([{ column: 'p.sort_order', order: 'desc' }, { column: 'i.sort_order' }, { column: 'l.id' }])
    .select('l.order_id', 'l.bill_id', 'l.amount', 'p.name as period_name', 'i.name as item_name', 'i.code as item_code', 'i.fee_type as fee_type');
  for (const r of rows) {
    const key = String(r.order_id);
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push({ billId: r.bill_id, amount: dec(r.amount), periodName: r.period_name, itemName: r.item_name, itemCode: r.item_code, feeType: r.fee_type });
  }
  return out;
}

/** One order's lines. */
export async function linesOfOrder(trx: Knex, orderId: string): Promise<OrderLineRow[]> {
  return (await linesOf(trx, [orderId])).get(orderId) ?? [];
}

/**
 * One order builder per person at a time, until the transaction ends: identical 下一步 sent at
 * once then find each other's order instead of each building a live one.
 */
export async function lockOrderBuilding(trx: Knex.Transaction, personId: number): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(?, ?)', [ORDER_BUILDING_LOCK, personId]);
}

/** A person's orders that may still be paid (待支付 / 支付中), newest first. */
export async function liveOrdersOf(trx: Knex, personId: number): Promise<OrderRow[]> {
  // Every 学费缴费 reads this; LIVE_STATUSES is fixed, so the text is too (src/db/prepared.ts).
  const rows = await trx('orders as o').where('o.person_id', personId).whereIn('o.status', LIVE_STATUSES)
    .orderBy('o.created_at', 'desc').select(ORDER_COLUMNS).options({ prepare: true });
  return rows.map(toOrder);
}

/** A person's live orders as one read gives them: newest first, each with its lines. */
export interface LiveOrdersRead {
  orders: OrderRow[];
  lines: Map<string, OrderLineRow[]>;
}

/**
 * liveOrdersOf and linesOf in one json value, for 学费缴费's page read (./page-reads.ts): the same
 * rows in the same orders, numerics and ids as text so they reach Decimal exactly.
 */
export const liveOrdersJsonSql = (personSql: string) => `
  SELECT coalesce(json_agg(json_build_object(
           'id', o.id::text, 'order_no', o.order_no, 'person_id', o.person_id, 'category', o.category, 'status', o.status,
           'amount', o.amount::text, 'fee', o.fee::text, 'total', o.total::text, 'channel', o.channel, 'notify_mobile', o.notify_mobile,
           'created_at', o.created_at, 'expires_at', o.expires_at, 'paid_at', o.paid_at, 'closed_at', o.closed_at,
           'lines', (SELECT coalesce(json_agg(json_build_object('billId', l.bill_id, 'amount', l.amount::text, 'periodName', p.name,
                              'itemName', i.name, 'itemCode', i.code, 'feeType', i.fee_type) ORDER BY p.sort_order DESC, i.sort_order, l.id), '[]'::json)
                       FROM order_lines l JOIN bills b ON b.id = l.bill_id JOIN fee_periods p ON p.id = b.period_id JOIN fee_items i ON i.id = b.fee_item_id
                      WHERE l.order_id = o.id)
         ) ORDER BY o.created_at DESC), '[]'::json)
    FROM orders o
   WHERE o.person_id = ${personSql} AND o.status IN (${LIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** The value of liveOrdersJsonSql. */
export function liveOrdersOfJson(value: unknown): LiveOrdersRead {
  const list = jsonColumn<(Record<string, unknown> & { lines: (Omit<OrderLineRow, 'amount'> & { amount: string })[] })[]>(value, []);
  const lines = new Map<string, OrderLineRow[]>();
  const orders = list.map((r) => {
    const o = toOrder(r);
    lines.set(o.id, r.lines.map((l) => ({ ...l, amount: dec(l.amount) })));
    return o;
  });
  return { orders, lines };
}

/** Other live orders that cover any of these bills: they must be closed before this one is sent. */
export async function liveOrdersCoveringBills(trx: Knex, billIds: number[], exceptOrderId: string): Promise<OrderRow[]> {
  const rows = await trx('orders as o')
    .whereIn('o.status', LIVE_STATUSES)
    .whereNot('o.id', exceptOrderId)
    .whereExists(trx('order_lines as l').whereRaw('l.order_id = o.id').whereIn('l.bill_id', billIds))
    .select(ORDER_COLUMNS);
  return rows.map(toOrder);
}

export async function expiredLiveOrders(trx: Knex, now: Date, limit = 100): Promise<OrderRow[]> {
  const rows = await trx('orders as o').whereIn('o.status', LIVE_STATUSES).where('o.expires_at', '<=', now)
    .orderBy('o.expires_at').limit(limit).select(ORDER_COLUMNS);
  return rows.map(toOrder);
}

/** Shortens a live order's expiry (取消交费 while a bank page stays payable): never lengthens it. */
export async function shortenOrderExpiry(trx: Knex, id: string, until: Date): Promise<void> {
  await trx('orders').where('id', id).whereIn('status', LIVE_STATUSES).where('expires_at', '>', until).update({ expires_at: until, updated_at: trx.fn.now() });
}

/** Compare-and-set of an order's status; returns whether this call made the change. */
export async function casOrder(trx: Knex, id: string, from: readonly OrderStatus[], to: OrderStatus, extra: Record<string, unknown> = {}): Promise<boolean> {
  const n = await trx('orders').where('id', id).whereIn('status', from as OrderStatus[]).update({ status: to, updated_at: trx.fn.now(), ...extra });
  return n === 1;
}

/** A live order goes to its channel (支付中) with that channel's fee and total. */
/**
 * 确定缴费: the order goes to a channel with its charges, and with who sent it (an 授权缴费人's
 * person id, null for the student), which 银行交易记录 shows as 缴费人.
 */
export async function setOrderCharges(trx: Knex, id: string, c: { channel: string; fee: Decimal; total: Decimal; payerId: number | null }): Promise<boolean> {
  const n = await trx('orders').where('id', id).whereIn('status', LIVE_STATUSES)
    .update({ status: 'paying', channel: c.channel, fee: c.fee.toFixed(2), total: c.total.toFixed(2), payer_id: c.payerId, updated_at: trx.fn.now() });
  return n === 1;
}

/** 非税通知 手机 (图12 修改): the number the person's unpaid orders notify. */
export async function setLiveOrdersNotifyMobile(trx: Knex, personId: number, mobile: string): Promise<void> {
  await trx('orders').where('person_id', personId).whereIn('status', LIVE_STATUSES).update({ notify_mobile: mobile, updated_at: trx.fn.now() });
}

export async function receiptOfOrder(trx: Knex, orderId: string): Promise<{ receiptNo: string; receiptDate: string } | null> {
  const r = await trx('receipts').where('order_id', orderId).first('receipt_no', 'receipt_date');
  return r ? { receiptNo: r.receipt_no, receiptDate: r.receipt_date } : null;
}
