// The order state machine. Repos apply a transition as a compare-and-set
// (UPDATE … WHERE status = from), so a late or duplicate event cannot apply twice.
export type OrderStatus = 'created' | 'paying' | 'paid' | 'closed' | 'failed' | 'partly_refunded' | 'refunded';

const transitions: Record<OrderStatus, readonly OrderStatus[]> = {
  created: ['paying', 'closed'],
  paying: ['paid', 'closed', 'failed'],
  // A payment can arrive after we closed or failed the order: the money is real and is credited.
  closed: ['paid'],
  failed: ['paid'],
  paid: ['partly_refunded', 'refunded'],
  partly_refunded: ['partly_refunded', 'refunded'],
  refunded: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return transitions[from].includes(to);
}

/** States a payment may be credited from. */
export const CREDITABLE: readonly OrderStatus[] = ['created', 'paying', 'closed', 'failed'];

/** An order that may still be paid at a channel, and so must be closed before another is sent. */
export const LIVE: readonly OrderStatus[] = ['created', 'paying'];

export const STATUS_LABEL: Record<OrderStatus, string> = {
  created: '待支付',
  paying: '支付中',
  paid: '已支付',
  closed: '已关闭',
  failed: '支付失败',
  partly_refunded: '部分退款',
  refunded: '已退款',
};

/** States of an order whose money arrived (refunds since do not undo that it was paid). */
export const SETTLED: readonly OrderStatus[] = ['paid', 'partly_refunded', 'refunded'];

export const isSettled = (status: string): boolean => (SETTLED as readonly string[]).includes(status);

/**
 * Why an unpaid order can no longer be paid, as the payer is told: `expired`, its time ran out
 * (closed at or after its expiry, or past it and not closed yet); `closed`, ended before its time
 * (取消, replaced by another order, failed at the channel). null while payable, and once paid.
 */
export function unpaidEnd(o: { status: OrderStatus; expiresAt: Date; closedAt: Date | null }, now: Date): 'expired' | 'closed' | null {
  if (isSettled(o.status)) return null;
  if (LIVE.includes(o.status)) return o.expiresAt <= now ? 'expired' : null;
  if (o.status === 'closed' && (o.closedAt ?? now) >= o.expiresAt) return 'expired';
  return 'closed';
}
