// Between the non-tax simulator and the wallet/card simulators. On the real provincial non-tax
// platform, 支付宝 / 微信 / 银联 at its cashier (图13) are that platform's own merchant accounts
// (payee 甘肃省财政厅, not the university): it opens a payment at the chosen channel and sends the
// payer to that channel's checkout; the channel tells the non-tax platform when the payer has
// paid, and only then does the non-tax platform confirm the bill to the school. Here the
// channels are in the same sandbox app, so that leg is an in-process call through this small
// interface rather than a second wire protocol: the school never sees it either way.
import { expireIfDue, newTrade, type SimTrade } from './trades';

/** The payee the payer sees on a sub-payment's checkout: the fiscal merchant. */
export const FISCAL_PAYEE = '甘肃省财政厅';

/** What the non-tax simulator asks a channel for when the payer chooses it. */
export interface SubPaymentRequest {
  /** The non-tax platform's number for this attempt: [0-9A-Za-z], 8–32 characters, unique. */
  orderNo: string;
  fen: bigint;
  subject: string;
  /** Shown as the payee: 甘肃省财政厅. */
  payee: string;
  expireAt: Date | null;
  /** Where 返回商户 leads once paid: the non-tax platform's return page. */
  returnUrl: string;
  /** Where 取消支付 leads: back to the non-tax cashier. */
  cancelUrl: string;
  /** Called once, when the payer confirms at the channel. */
  onPaid(paid: { tradeNo: string; paidAt: Date }): void;
}

export interface SubPayment {
  /** The checkout page, relative to the channel simulator's mount point. */
  checkoutPath: string;
  /** Where the payer is at the channel (an unpaid one past its expiry is closed). */
  state(): 'open' | 'paid' | 'closed';
  /** Closes it if still unpaid: 'paid' if the payer had paid already. */
  close(): 'closed' | 'paid';
}

export interface SubPaymentChannel {
  openSubPayment(req: SubPaymentRequest): SubPayment;
}

/**
 * The bookkeeping each channel simulator shares: fiscal trades are kept apart from the
 * school's own (they never appear in the school's queries or statements), each with its request.
 */
export function subPaymentBook() {
  const trades = new Map<string, SimTrade>();
  const requests = new WeakMap<SimTrade, SubPaymentRequest>();
  return {
    trades,
    requestOf: (t: SimTrade) => requests.get(t),
    /** The fiscal trade whose checkout page has this token, expired first if due. */
    byToken(token: string): SimTrade | undefined {
      const t = [...trades.values()].find((x) => x.extra.token === token);
      if (t) expireIfDue(t);
      return t;
    },
    /** A new unpaid fiscal trade for the request; `extra` carries the page token. */
    open(req: SubPaymentRequest, merchantId: string, extra: Record<string, string>): SimTrade {
      const t = newTrade({ channelOrderId: req.orderNo, merchantId, orderNo: req.orderNo, fen: req.fen, subject: req.subject, notifyUrl: '', returnUrl: req.returnUrl, expireAt: req.expireAt, extra });
      trades.set(t.orderNo, t);
      requests.set(t, req);
      return t;
    },
    handle(t: SimTrade, checkoutPath: string): SubPayment {
      return {
        checkoutPath,
        state() {
          expireIfDue(t);
          return t.status === 'PAID' ? 'paid' : t.status === 'CLOSED' ? 'closed' : 'open';
        },
        close() {
          expireIfDue(t);
          if (t.status === 'PAID') return 'paid';
          t.status = 'CLOSED';
          return 'closed';
        },
      };
    },
    /** When the trade is a sub-payment: tells the non-tax simulator, and true (no notification). */
    paid(t: SimTrade): boolean {
      const req = requests.get(t);
      if (!req) return false;
      req.onPaid({ tradeNo: t.tradeNo!, paidAt: t.paidAt! });
      return true;
    },
  };
}
