// The trade fields several WeChat Pay operations read or write: fen amounts, times, the paid trade.
import { fromFen } from '../../domain/money';
import type { PaidEvent } from '../types';

/** WeChat's amounts are JSON integers of fen; below 2^53 that is exact, and we check it is. */
export function fenOf(v: unknown) {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return null;
  return fromFen(String(v));
}

/** RFC 3339 with +08:00, as WeChat writes time_expire and success_time. */
export function rfc3339(at: Date): string {
  const s = new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19);
  return `${s}+08:00`;
}

/** The paid trade of a notification or a query answer; null when a field is not WeChat's shape. */
export function paidEvent(t: Record<string, unknown>): PaidEvent | null {
  const amount = t.amount as { total?: unknown } | undefined;
  const total = fenOf(amount?.total);
  const at = typeof t.success_time === 'string' ? new Date(t.success_time) : null;
  if (typeof t.out_trade_no !== 'string' || typeof t.transaction_id !== 'string' || !total || !at || Number.isNaN(at.getTime())) return null;
  return { kind: 'paid', channelOrderId: t.out_trade_no, orderNo: t.out_trade_no, channelTradeNo: t.transaction_id, amount: total, paidAt: at, payMethod: '微信' };
}
