// The channel's view of one of our orders (what an adapter's createPayment, query, close and
// refund are given): written here only, so that every call about an order names it the same
// way — its subject, where the payer's browser comes back to, the payer's notify mobile.
import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { Decimal } from '../../domain/money';
import type { ChannelOrder } from '../../gateways/types';
import { payerOf } from '../profile/repo';
import { attemptsOf, type AttemptRow } from './attempts-repo';
import { linesOfOrder, orderById, type OrderRow } from './orders-repo';

export interface ChannelViewDeps {
  db: Knex;
  config: Pick<Config, 'publicUrl' | 'schoolName'>;
}

/**
 * `channel`: the channel asked (its notify URL), by default the order's; `total` and `expiresAt`:
 * what that channel was or is to be asked for, by default the order's.
 */
export async function channelView(
  deps: ChannelViewDeps, order: OrderRow, at: { channel?: string; channelOrderId: string | null; total?: Decimal; expiresAt?: Date },
): Promise<ChannelOrder> {
  const { config } = deps;
  const [payer, lines] = await Promise.all([payerOf(deps.db, order.personId), linesOfOrder(deps.db, order.id)]);
  const periods = [...new Set(lines.map((l) => l.periodName))];
  return {
    orderNo: order.orderNo, total: at.total ?? order.total, category: order.category, createdAt: order.createdAt, expiresAt: at.expiresAt ?? order.expiresAt,
    payer: { number: payer.number, name: payer.name, mobile: order.notifyMobile || payer.mobile },
    lines: lines.map((l) => ({ itemCode: l.itemCode, itemName: l.itemName, periodName: l.periodName, amount: l.amount })),
    subject: `${config.schoolName} ${periods.join('、')} ${lines.map((l) => l.itemName).join('、')}`,
    notifyUrl: `${config.publicUrl}/pay/notify/${at.channel ?? order.channel ?? 'nontax'}`,
    returnUrl: `${config.publicUrl}/pay/orders/${order.orderNo}/result`,
    waitUrl: `${config.publicUrl}/pay/orders/${order.orderNo}/waiting`,
    quitUrl: `${config.publicUrl}/pay/orders/${order.orderNo}`,
    channelOrderId: at.channelOrderId,
  };
}

/**
 * The channel's view of one attempt: its own amount, its own expiry (what it was created with),
 * and its own channel's notify URL (the order may have moved to another channel since).
 */
export function attemptView(
  deps: ChannelViewDeps, order: OrderRow, a: Pick<AttemptRow, 'channel' | 'channelOrderId' | 'amount' | 'expiresAt'>, channelOrderId = a.channelOrderId,
): Promise<ChannelOrder> {
  return channelView(deps, order, { channel: a.channel, channelOrderId, total: a.amount, expiresAt: a.expiresAt ?? order.expiresAt });
}

/**
 * The channel's view of a paid order for a refund back through `channel`: the channel's own order
 * id is that of the latest attempt there (the one that was paid, or asked about last).
 */
export async function refundView(deps: ChannelViewDeps, orderId: string, channel: string): Promise<ChannelOrder> {
  const order = await orderById(deps.db, orderId);
  if (!order) throw new Error(`order ${orderId} not found for a refund`);
  const attempt = (await attemptsOf(deps.db, orderId)).filter((a) => a.channel === channel).at(-1);
  return channelView(deps, order, { channel, channelOrderId: attempt?.channelOrderId ?? null });
}
