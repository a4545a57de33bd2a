// Reading and writing the trade fields several Alipay operations share: amounts and the paid trade.
import { Decimal, plainMoney, toFen } from '../../domain/money';
import { parseShanghai } from '../common/crypto';
import type { PaidEvent } from '../types';
import { YUAN } from './codec';

/** Yuan with exactly two decimals; toFen refuses anything finer than a fen. */
export const yuan = (d: Decimal) => {
  toFen(d);
  return plainMoney(d);
};

/** The paid trade of a notification or a trade.query answer; null when a field is not Alipay's shape. */
export function paidEvent(r: Record<string, unknown>): PaidEvent | null {
  const { out_trade_no: orderNo, trade_no: tradeNo, total_amount: amount } = r;
  const when = typeof r.gmt_payment === 'string' ? r.gmt_payment : typeof r.send_pay_date === 'string' ? r.send_pay_date : null;
  if (typeof orderNo !== 'string' || typeof tradeNo !== 'string' || typeof amount !== 'string' || !YUAN.test(amount)) return null;
  const paidAt = when ? parseShanghai(when) : null;
  if (!paidAt) return null;
  return { kind: 'paid', channelOrderId: orderNo, orderNo, channelTradeNo: tradeNo, amount: new Decimal(amount), paidAt, payMethod: '支付宝' };
}
