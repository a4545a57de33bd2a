// A bill as the simulated non-tax platform keeps it, and the merchants (执收单位) it knows.
import type { SimTrade, SubPayment } from '../kit';

export const PAY_METHODS = { alipay: '支付宝', wechat: '微信', unionpay: '银联' } as const;
export type PayMethod = keyof typeof PAY_METHODS;

/**
 * A bill at the platform: a trade of the kit (channelOrderId = 缴款码, orderNo = the school's
 * out_bill_no, fen = amount), with the platform's own fields under their wire names.
 */
export interface SimBill extends SimTrade {
  payCode: string;
  outBillNo: string;
  /** Yuan as pushed, "9100.00". */
  amount: string;
  payerName: string;
  payerId: string;
  items: { item_code: string; item_name: string; amount: string }[];
  remark: string;
  payMethod?: PayMethod;
  /** The payment opened at the chosen channel, the latest one (earlier ones are closed). */
  sub?: { method: PayMethod; orderNo: string; url: string; payment: SubPayment };
  /** How many channel payments were opened for this bill: numbers the next one. */
  subCount?: number;
  /** The chosen channel's own trade number, once paid there. */
  channelTradeNo?: string;
  notifyAttempts: number;
  acked: boolean;
}

export interface Merchant {
  id: string;
  name: string;
  publicKey: string;
}
