// SQL of payment attempts: one per time an order is handed to a channel. Status changes are
// compare-and-sets whose row count the caller checks, as for orders (./orders-repo.ts).
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import type { Decimal } from '../../domain/money';
import { LIVE } from '../../domain/order-state';

export type AttemptStatus = 'created' | 'sent' | 'paid' | 'closed' | 'failed';

/** Attempts that may still be paid at their channel. */
export const LIVE_ATTEMPT: readonly AttemptStatus[] = ['created', 'sent'];

export const isLiveAttempt = (a: { status: AttemptStatus }) => LIVE_ATTEMPT.includes(a.status);

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

const toAttempt = (r: Record<string, any>): AttemptRow => ({
  id: String(r.id), orderId: String(r.order_id), channel: r.channel, channelOrderId: r.channel_order_id,
  channelTradeNo: r.channel_trade_no, amount: dec(r.amount), fee: dec(r.fee), status: r.status, payUrl: r.pay_url,
  createdAt: new Date(r.created_at), expiresAt: r.expires_at ? new Date(r.expires_at) : null,
});

export async function attemptsOf(trx: Knex, orderId: string): Promise<AttemptRow[]> {
  const rows = await trx('payment_attempts').where('order_id', orderId).orderBy('id');
  return rows.map(toAttempt);
}

export async function attemptById(trx: Knex, id: string): Promise<AttemptRow | null> {
  const r = await trx('payment_attempts').where('id', id).first();
  return r ? toAttempt(r) : null;
}

export async function attemptByChannelOrderId(trx: Knex, channel: string, channelOrderId: string): Promise<AttemptRow | null> {
  const r = await trx('payment_attempts').where({ channel, channel_order_id: channelOrderId }).first();
  return r ? toAttempt(r) : null;
}

/** The attempt a channel's event is about, locked: duplicates of one event queue up here. */
export async function lockAttemptByChannelOrderId(trx: Knex.Transaction, channel: string, channelOrderId: string): Promise<AttemptRow | null> {
  const r = await trx('payment_attempts').where({ channel, channel_order_id: channelOrderId }).forUpdate().first();
  return r ? toAttempt(r) : null;
}

/**
 * For a signed payment whose channel order id no attempt holds: the order's attempt on that
 * channel that never learned its channel order id (its create call was answered after the
 * attempt was closed, or not at all), locked; the one of the paid amount first, newest first.
 */
export async function lockUnrecordedAttempt(trx: Knex.Transaction, channel: string, orderNo: string, amount: Decimal): Promise<AttemptRow | null> {
  const r = await trx('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
    .where({ 'o.order_no': orderNo, 'a.channel': channel }).whereNull('a.channel_order_id')
    .orderByRaw('(a.amount = ?) DESC, a.id DESC', [amount.toFixed(2)]).forUpdate('a').first('a.*');
  return r ? toAttempt(r) : null;
}

export async function insertAttempt(trx: Knex, a: { orderId: string; channel: string; amount: Decimal; fee: Decimal; expiresAt: Date }): Promise<string> {
  const [row] = await trx('payment_attempts')
    .insert({ order_id: a.orderId, channel: a.channel, amount: a.amount.toFixed(2), fee: a.fee.toFixed(2), status: 'created', expires_at: a.expiresAt })
    .returning('id');
  return String(row.id);
}

export async function casAttempt(trx: Knex, id: string, from: readonly AttemptStatus[], to: AttemptStatus, extra: Record<string, unknown> = {}): Promise<boolean> {
  const n = await trx('payment_attempts').where('id', id).whereIn('status', from as AttemptStatus[]).update({ status: to, updated_at: trx.fn.now(), ...extra });
  return n === 1;
}

/**
 * Records the channel's order id on an attempt that has none yet, whatever its status: a
 * payment the channel knows about must be findable. Throws 23505 when another attempt already
 * holds that id (then the payment is findable through that one).
 */
export async function setChannelOrderId(trx: Knex, id: string, channelOrderId: string): Promise<boolean> {
  const n = await trx('payment_attempts').where('id', id).whereNull('channel_order_id').update({ channel_order_id: channelOrderId, updated_at: trx.fn.now() });
  return n === 1;
}

/**
 * Live attempts (created / sent) of any live order covering one of these bills, this order's
 * included, still within their expiry: each may still be paid at its channel.
 */
export async function liveAttemptsCoveringBills(trx: Knex, billIds: number[], now: Date): Promise<LiveAttemptRow[]> {
  if (!billIds.length) return [];
  const rows = await trx('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
    .whereIn('a.status', LIVE_ATTEMPT as AttemptStatus[]).whereIn('o.status', [...LIVE])
    .whereRaw('coalesce(a.expires_at, o.expires_at) > ?', [now])
    .whereExists(trx('order_lines as l').whereRaw('l.order_id = o.id').whereIn('l.bill_id', billIds))
    .orderBy('a.id').select('a.id', 'a.order_id', 'o.order_no', 'a.channel', 'a.status', trx.raw('coalesce(a.expires_at, o.expires_at) AS until'));
  return rows.map((r) => ({ attemptId: String(r.id), orderId: String(r.order_id), orderNo: r.order_no, channel: r.channel, status: r.status, expiresAt: new Date(r.until) }));
}

/** Live attempts past their own expiry (by `before`), oldest first: to be settled at their channel. */
export async function expiredLiveAttempts(trx: Knex, before: Date, limit = 100): Promise<{ attemptId: string; orderId: string; orderNo: string }[]> {
  const rows = await trx('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
    .whereIn('a.status', LIVE_ATTEMPT as AttemptStatus[]).whereNotNull('a.expires_at').where('a.expires_at', '<=', before)
    .orderBy('a.expires_at').limit(limit).select('a.id', 'a.order_id', 'o.order_no');
  return rows.map((r) => ({ attemptId: String(r.id), orderId: String(r.order_id), orderNo: String(r.order_no) }));
}

/** Whether any attempt was ever sent to this channel: its notifications stay routable. */
export async function hasAttemptsAt(trx: Knex, channel: string): Promise<boolean> {
  return !!(await trx('payment_attempts').where({ channel }).first('id'));
}
