// Why an unpaid order can no longer be paid, in the payer's words, and what to do next: one box
// on 图12's page and on 银行支付结果, instead of "该缴费单已关闭" twice and a 缴费单可重复使用 that
// is no longer true.
import { businessDateTime } from '../../../domain/business-date';
import { unpaidEnd } from '../../../domain/order-state';
import { M } from '../messages';
import type { OrderRow } from '../orders-repo';

export interface EndedView { title: string; text: string; todo: string; paidNote: string }

export function endedView(order: Pick<OrderRow, 'status' | 'expiresAt' | 'closedAt'>, now: Date): EndedView | null {
  const end = unpaidEnd(order, now);
  if (!end) return null;
  const e = M.ended[end];
  return { title: e.title, text: e.text(businessDateTime(order.expiresAt).slice(0, 16)), todo: M.ended.todo, paidNote: M.ended.paidNote };
}
