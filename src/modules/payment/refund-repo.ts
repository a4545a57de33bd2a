// What a refund needs of the orders (the refunds module calls these; payment owns the table):
// the paid order a bill refund goes back through and the order's own
// refunded total and state, moved as a compare-and-set inside the refund's transaction.
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import type { Decimal } from '../../domain/money';
import type { OrderStatus } from '../../domain/order-state';

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
