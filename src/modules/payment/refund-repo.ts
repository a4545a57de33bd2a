// What a refund needs of the orders (the refunds module calls these; payment owns the table):
// the paid order a bill refund goes back through, the adapter's view of it, and the order's own
// refunded total and state, moved as a compare-and-set inside the refund's transaction.
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import type { Decimal } from '../../domain/money';
import type { OrderStatus } from '../../domain/order-state';
import type { ChannelOrder } from '../../gateways/types';

/** Settled states that still have something to refund (a refunded order has nothing left). */
export const REFUNDABLE: readonly OrderStatus[] = ['paid', 'partly_refunded'];

export interface OrderToRefund {
  id: string;
  orderNo: string;
  channel: string;
  amount: Decimal;
  refunded: Decimal;
  total: string;
  category: string;
  createdAt: Date;
  expiresAt: Date;
  /** This bill's line of the order. */
  lineAmount: Decimal;
}

/**
 * The order a channel refund of this bill goes back through: the one named (an overpayment's
 * own), else the latest paid order carrying the bill. Only orders paid through a channel.
 */
export async function orderToRefund(trx: Knex, billId: number, orderId?: string): Promise<OrderToRefund | null> {
  const q = trx('order_lines as ol').join('orders as o', 'o.id', 'ol.order_id')
    .where('ol.bill_id', billId).whereIn('o.status', REFUNDABLE as OrderStatus[]).whereNotNull('o.channel');
  if (orderId) q.where('o.id', orderId);
  else q.orderBy('o.paid_at', 'desc').orderBy('o.id', 'desc');
  const o = await q.first('o.id', 'o.order_no as orderNo', 'o.channel', 'o.amount', 'o.refunded', 'o.total', 'o.category', 'o.created_at as createdAt', 'o.expires_at as expiresAt', 'ol.amount as lineAmount');
  if (!o) return null;
  return { ...o, id: String(o.id), amount: dec(o.amount), refunded: dec(o.refunded), lineAmount: dec(o.lineAmount) };
}

/**
 * The order's own refunded total and state (paid → partly refunded → refunded), compare-and-set
 * on the refundable states.
 */
export async function addOrderRefund(trx: Knex.Transaction, orderId: string, amount: Decimal): Promise<boolean> {
  const n = await trx('orders').where('id', orderId).whereIn('status', REFUNDABLE as OrderStatus[])
    .update({
      refunded: trx.raw('refunded + ?', [amount.toFixed(2)]),
      status: trx.raw(`CASE WHEN refunded + ? >= amount THEN 'refunded' ELSE 'partly_refunded' END`, [amount.toFixed(2)]),
      updated_at: trx.fn.now(),
    });
  return n === 1;
}

/** The adapter's view of an order, refunded through `o.channel`: plain values only. */
export async function refundChannelOrder(
  trx: Knex,
  o: { id: string; orderNo: string; channel: string; total: string; category: string; createdAt: Date; expiresAt: Date },
  publicUrl: string,
): Promise<ChannelOrder> {
  const person = await trx('orders as o').join('people as p', 'p.id', 'o.person_id').where('o.id', o.id).first('p.number', 'p.name', 'p.mobile');
  const lines = await trx('order_lines as ol').join('bills as b', 'b.id', 'ol.bill_id').join('fee_items as fi', 'fi.id', 'b.fee_item_id')
    .join('fee_periods as fp', 'fp.id', 'b.period_id').where('ol.order_id', o.id)
    .select('fi.code as itemCode', 'fi.name as itemName', 'fp.name as periodName', 'ol.amount');
  const attempt = await trx('payment_attempts').where({ order_id: o.id, channel: o.channel }).orderBy('id', 'desc').first('channel_order_id');
  return {
    orderNo: o.orderNo, total: dec(o.total), category: o.category as ChannelOrder['category'], createdAt: o.createdAt, expiresAt: o.expiresAt,
    payer: { number: person.number, name: person.name, mobile: person.mobile },
    lines: lines.map((l: Record<string, any>) => ({ itemCode: l.itemCode, itemName: l.itemName, periodName: l.periodName, amount: dec(l.amount) })),
    subject: lines.map((l: Record<string, any>) => l.itemName as string).join('、'),
    notifyUrl: `${publicUrl}/pay/notify/${o.channel}`, returnUrl: `${publicUrl}/transactions`,
    channelOrderId: attempt?.channel_order_id ?? null,
  };
}
