// The simulators' trade book: trades by number with their status and expiry, refunds by their
// own numbers (asking again with the same number is the same refund, never a second one), and
// the day's payments and refunds as rows for the channel's statement file. In memory: it is a
// simulator. Amounts are bigint fen throughout; each channel writes them in its own unit.
import { randomBytes } from 'node:crypto';
import { businessDate } from '../../domain/business-date';

/** A trade as every simulator keeps it (in memory: it is a simulator). Amounts in fen. */
export interface SimTrade {
  channelOrderId: string;
  merchantId: string;
  orderNo: string;
  fen: bigint;
  subject: string;
  notifyUrl: string;
  returnUrl: string;
  createdAt: Date;
  expireAt: Date | null;
  status: 'UNPAID' | 'PAID' | 'CLOSED';
  tradeNo?: string;
  paidAt?: Date;
  refundedFen: bigint;
  refunds: { refundNo: string; fen: bigint; at: Date }[];
  /** reorder fault: the paid notification waits for the merchant's close. */
  heldForClose?: boolean;
  extra: Record<string, string>;
}

export type SimRefund = SimTrade['refunds'][number];

export function expireIfDue(t: SimTrade, now = new Date()) {
  if (t.status === 'UNPAID' && t.expireAt && t.expireAt <= now) t.status = 'CLOSED';
}

/** A new unpaid trade; `extra.token` (the checkout page's address) is made unless given. */
export function newTrade(init: Pick<SimTrade, 'channelOrderId' | 'merchantId' | 'orderNo' | 'fen' | 'subject' | 'notifyUrl' | 'returnUrl' | 'expireAt'> & { extra?: Record<string, string> }): SimTrade {
  const { extra, ...rest } = init;
  return { ...rest, createdAt: new Date(), status: 'UNPAID', refundedFen: 0n, refunds: [], extra: { token: randomBytes(8).toString('hex'), ...extra } };
}

/** The page state of a trade: what its checkout shows. */
export const pageState = (t: SimTrade): 'open' | 'paid' | 'closed' => (t.status === 'PAID' ? 'paid' : t.status === 'CLOSED' ? 'closed' : 'open');

export interface TradeBookOptions<T extends SimTrade> {
  /** The book's key; the merchant's order number by default (the non-tax platform keys by 缴款码). */
  key?: (t: T) => string;
  /** Closes an unpaid trade past its expiry; expireIfDue by default. */
  expire?: (t: T, now: Date) => void;
}

export function tradeBook<T extends SimTrade = SimTrade>(opts: TradeBookOptions<T> = {}) {
  const key = opts.key ?? ((t: T) => t.orderNo);
  const expire = opts.expire ?? ((t: T, now: Date) => expireIfDue(t, now));
  const trades = new Map<string, T>();
  const due = (t: T | undefined) => {
    if (t) expire(t, new Date());
    return t;
  };
  return {
    trades,
    add(t: T): T {
      trades.set(key(t), t);
      return t;
    },
    /** By key, expired first if due. */
    find: (k: string) => due(trades.get(k)),
    /** By the checkout page's token (extra.token). */
    byToken: (token: string) => due([...trades.values()].find((t) => t.extra.token === token)),
    /** Paid now under the channel's trade number. */
    markPaid(t: T, tradeNo: string, at = new Date()) {
      t.status = 'PAID';
      t.paidAt = at;
      t.tradeNo = tradeNo;
    },
    /** The trade holding the refund numbered `refundNo`, with that refund. */
    findRefund(refundNo: string): { trade: T; refund: SimRefund } | null {
      for (const trade of trades.values()) {
        const refund = trade.refunds.find((r) => r.refundNo === refundNo);
        if (refund) return { trade, refund };
      }
      return null;
    },
  };
}

export type TradeBook<T extends SimTrade = SimTrade> = ReturnType<typeof tradeBook<T>>;

/**
 * What a refund request comes to:
 *  - created: a new refund of `fen` (the trade's refundedFen grew);
 *  - repeated: this number was refunded before, for the same amount: the same refund again;
 *  - mismatch: this number was refunded before for another amount (WeChat refuses it; others
 *    answer the first refund — the channel decides);
 *  - not_paid: the trade is not paid; invalid: no number or no positive amount; exceeds: more
 *    than what is left to refund.
 */
export type RefundOutcome =
  | { kind: 'created' | 'repeated' | 'mismatch'; refund: SimRefund }
  | { kind: 'not_paid' | 'invalid' | 'exceeds' };

export function refundTrade(t: SimTrade, refundNo: string, fen: bigint, at = new Date()): RefundOutcome {
  if (t.status !== 'PAID') return { kind: 'not_paid' };
  const done = refundNo ? t.refunds.find((r) => r.refundNo === refundNo) : undefined;
  if (done) return { kind: done.fen === fen ? 'repeated' : 'mismatch', refund: done };
  if (!refundNo || fen <= 0n) return { kind: 'invalid' };
  if (t.refundedFen + fen > t.fen) return { kind: 'exceeds' };
  const refund = { refundNo, fen, at };
  t.refundedFen += fen;
  t.refunds.push(refund);
  return { kind: 'created', refund };
}

/** One line of a statement before its channel writes it: a payment, or a refund of a trade. */
export type StatementRow<T extends SimTrade = SimTrade> =
  | { kind: 'payment'; trade: T; at: Date; fen: bigint }
  | { kind: 'refund'; trade: T; refund: SimRefund; at: Date; fen: bigint };

/**
 * The day's paid trades and refunds, oldest first. `day` is a business date (yyyy-MM-dd,
 * Asia/Shanghai) or a test of the time, for channels that name their day otherwise (UnionPay's
 * settleDate is MMdd).
 */
export function statementRows<T extends SimTrade>(trades: Iterable<T>, day: string | ((at: Date) => boolean)): StatementRow<T>[] {
  const onDay = typeof day === 'string' ? (at: Date) => businessDate(at) === day : day;
  const rows: StatementRow<T>[] = [];
  for (const trade of trades) {
    if (trade.status === 'PAID' && trade.paidAt && onDay(trade.paidAt)) rows.push({ kind: 'payment', trade, at: trade.paidAt, fen: trade.fen });
    for (const refund of trade.refunds) if (onDay(refund.at)) rows.push({ kind: 'refund', trade, refund, at: refund.at, fen: refund.fen });
  }
  return rows.sort((a, b) => a.at.getTime() - b.at.getTime());
}
