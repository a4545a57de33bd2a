// The reads that find overpayments (reconciliation flags them through the refunds module): bills
// credited beyond what they owe, second payments of orders already paid, and whether a flag is a
// duplicate payment.
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import type { Decimal } from '../../domain/money';
import type { OverpaymentRow } from '../refunds';

/**
 * Bills credited beyond what they owe, each with the orders whose payments made the excess,
 * newest first: the last payments are the ones that should not have happened.
 */
export async function overpaidBills(trx: Knex): Promise<{ billId: number; personId: number; excess: Decimal; payments: { orderId: string; channel: string | null; amount: Decimal }[] }[]> {
  const { rows } = await trx.raw(`
    SELECT b.id, b.person_id, (b.paid - b.refunded) - (b.due - b.reduction) AS excess
    FROM bills b WHERE (b.paid - b.refunded) > (b.due - b.reduction) ORDER BY b.id`);
  const out = [];
  for (const r of rows as Record<string, any>[]) {
    const pays = await trx('bill_ledger as l').join('orders as o', 'o.id', 'l.order_id')
      .where({ 'l.bill_id': r.id, 'l.kind': 'payment' }).orderBy('l.id', 'desc').select('l.order_id', 'o.channel', 'l.amount');
    out.push({ billId: r.id as number, personId: r.person_id as number, excess: dec(r.excess), payments: pays.map((p) => ({ orderId: String(p.order_id), channel: p.channel as string | null, amount: dec(p.amount) })) });
  }
  return out;
}

/** Second payments of already-paid orders, as the payment service recorded them, not flagged yet. */
export async function doublePaidAttempts(trx: Knex): Promise<{ attemptId: string; orderId: string; personId: number; channel: string; amount: Decimal }[]> {
  const rows = await trx('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
    .where('a.status', 'paid')
    .whereExists(trx('channel_events as e').whereRaw('e.attempt_id = a.id').where('e.outcome', 'double-paid'))
    .whereNotExists(trx('overpayments as op').whereRaw('op.attempt_id = a.id').where('op.kind', 'attempt'))
    .select('a.id', 'a.order_id', 'o.person_id', 'a.channel', 'a.amount');
  return rows.map((r) => ({ attemptId: String(r.id), orderId: String(r.order_id), personId: r.person_id, channel: r.channel, amount: dec(r.amount) }));
}

/**
 * Whether a flag is a duplicate payment: the second payment of an order already paid, or a
 * payment that found its bills already paid (payment_attempts.duplicate_payment, set when it
 * was credited). Not an excess left by a reduction made after paying.
 */
export async function isDuplicatePayment(trx: Knex, op: Pick<OverpaymentRow, 'kind' | 'orderId' | 'attemptId' | 'billId' | 'amount'>): Promise<boolean> {
  const q = trx('payment_attempts').where({ status: 'paid', duplicate_payment: true });
  if (op.kind === 'attempt') return !!(await q.where('id', op.attemptId).first('id'));
  // A bill flag: only as much as this bill's line exceeded what it owed when the payment was
  // credited (duplicate_bills); another bill of the order, or an excess grown since (a
  // reduction), is not the duplicate's.
  const rows = await q.where('order_id', op.orderId).select('duplicate_bills');
  const excess = rows.map((r) => (r.duplicate_bills as Record<string, string> | null)?.[String(op.billId)]).find((x) => x !== undefined);
  return excess !== undefined && op.amount.lte(dec(excess));
}
