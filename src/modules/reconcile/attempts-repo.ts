// Our side of a channel's day, as reconciliation reads it: the payment attempts a statement line
// names, those we hold as paid on the day, and the channels in use. Reads only; crediting goes
// through the payment module.
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import { startOfBusinessDay } from '../../domain/business-date';
import type { Decimal } from '../../domain/money';

export interface AttemptAtChannel {
  id: string;
  orderId: string;
  orderNo: string;
  orderStatus: string;
  personId: number;
  channel: string;
  channelOrderId: string | null;
  channelTradeNo: string | null;
  amount: Decimal;
  status: string;
  paidAt: Date | null;
}

const nextDay = (day: string) => new Date(startOfBusinessDay(day).getTime() + 24 * 3600_000);

const toAttempt = (r: Record<string, any>): AttemptAtChannel => ({
  id: String(r.id), orderId: String(r.order_id), orderNo: r.order_no, orderStatus: r.order_status, personId: r.person_id, channel: r.channel,
  channelOrderId: r.channel_order_id, channelTradeNo: r.channel_trade_no, amount: dec(r.amount), status: r.status,
  paidAt: r.paid_at ? new Date(r.paid_at) : null,
});

const ATTEMPT_COLUMNS = ['a.id', 'a.order_id', 'o.order_no', 'o.status as order_status', 'o.person_id', 'a.channel', 'a.channel_order_id', 'a.channel_trade_no', 'a.amount', 'a.status', 'a.paid_at'];

export async function attemptByChannelOrderId(trx: Knex, channel: string, channelOrderId: string): Promise<AttemptAtChannel | null> {
  const r = await trx('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
    .where({ 'a.channel': channel, 'a.channel_order_id': channelOrderId }).first(ATTEMPT_COLUMNS);
  return r ? toAttempt(r) : null;
}

/** What we hold as received through this channel on this business day. */
export async function paidAttemptsOn(trx: Knex, channel: string, day: string): Promise<AttemptAtChannel[]> {
  const rows = await trx('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
    .where({ 'a.channel': channel, 'a.status': 'paid' })
    .where('a.paid_at', '>=', startOfBusinessDay(day)).where('a.paid_at', '<', nextDay(day))
    .orderBy('a.id').select(ATTEMPT_COLUMNS);
  return rows.map(toAttempt);
}

/** The channels of payment attempts made on or after this business day (Asia/Shanghai), a day earlier to be safe. */
export async function channelsWithAttemptsSince(trx: Knex, day: string): Promise<string[]> {
  return trx('payment_attempts').where('created_at', '>=', trx.raw(`(?::date - 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`, [day])).distinct('channel').pluck('channel');
}

/** Orders still 支付中 with an attempt out at a channel since before the cut-off (the active query's). */
export async function stalePayingOrders(trx: Knex, cutoff: Date, limit = 200): Promise<string[]> {
  const rows = await trx('orders as o').where('o.status', 'paying')
    .whereExists(trx('payment_attempts as a').whereRaw('a.order_id = o.id').where('a.status', 'sent').where('a.created_at', '<=', cutoff))
    .orderBy('o.id').limit(limit).select('o.id');
  return rows.map((r) => String(r.id));
}

/** What the active query job is given to find its orders. */
export interface StaleOrders {
  stalePayingOrders(cutoff: Date, limit?: number): Promise<string[]>;
}
