// The contract every payment channel adapter fulfils (docs/channels.md describes each channel). The
// payment module speaks only this; an adapter speaks its channel's real wire protocol, so that
// real keys and URLs in the configuration are all it takes to leave the sandbox.
//
// Shaped after Medusa's payment provider and Kill Bill's plugin API: the adapter never touches
// the database. It turns our order into the channel's request, the channel's answers and
// notifications into verified events, and tells the caller what to answer the channel.
import type { Decimal } from '../domain/money';
import type { PayerClient, PayerDevice } from '../domain/payer-device';
import type { Category } from '../domain/payment-selection';
import { CHOICE_LABEL } from '../domain/channels';

export type ChannelId = 'nontax' | 'alipay' | 'wechat' | 'unionpay' | 'icbc';

/** The 支付方式 names (one source: src/domain/channels.ts). */
export const CHANNEL_LABEL: Record<ChannelId, string> = CHOICE_LABEL;

/** What an adapter needs to know about an order: nothing of our tables, only plain values. */
export interface ChannelOrder {
  orderNo: string;
  /** What the payer is charged at the channel: 总金额 (amount + fee), yuan, two decimals. */
  total: Decimal;
  category: Category;
  createdAt: Date;
  /** The attempt's expiry at the channel (expire_time, payTimeout, time_expire …). */
  expiresAt: Date;
  payer: { number: string; name: string; mobile: string };
  lines: { itemCode: string; itemName: string; periodName: string; amount: Decimal }[];
  /** e.g. "兰州理工大学 2019年度 学费、住宿费" */
  subject: string;
  /** Where the channel posts its notifications, and where it sends the browser back. */
  notifyUrl: string;
  returnUrl: string;
  /**
   * Where a phone comes back to while the payment may still be finishing (微信支付 H5's
   * redirect_url: "无法保证页面回跳时，支付流程已结束"): the platform's page that waits for it.
   * returnUrl where not given.
   */
  waitUrl?: string;
  /** Where a payer who quits at the channel's page goes (支付宝 手机网站支付's quit_url): 图12's page. */
  quitUrl?: string;
  /** Given to createPayment only: the payer's device and address, which choose the channel's product. */
  client?: PayerClient;
  /** The channel's id for this order once created (缴款码, prepay id …); for query/close/refund. */
  channelOrderId?: string | null;
}

/** The payer's browser: device and address (src/domain/payer-device.ts). */
export type { PayerClient };

/**
 * How the browser goes on to pay: a redirect, an auto-posted form, or a QR code to scan.
 * `oneUse`: a link the channel gives for minutes only (微信支付 H5's h5_url lives 5): never kept
 * for 继续支付, which asks the channel for a new one.
 */
export type PaymentAction =
  | { kind: 'redirect'; url: string; oneUse?: true }
  | { kind: 'form'; url: string; method: 'POST' | 'GET'; fields: Record<string, string> }
  | { kind: 'qrCode'; content: string }
  /** 微信支付 JSAPI: what the page hands WeixinJSBridge's getBrandWCPayRequest (appId, timeStamp, nonceStr, package, signType, paySign). */
  | { kind: 'jsapi'; params: Record<string, string> };

export interface CreatedPayment {
  action: PaymentAction;
  channelOrderId: string;
}

/** The raw HTTP request of a notification, as received: signatures are checked on these bytes. */
export interface RawNotification {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

/** What we send back to the channel, in its own dialect. */
export interface ChannelAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** A payment the channel vouches for (signed notification or signed query answer). */
export interface PaidEvent {
  kind: 'paid';
  channelOrderId: string;
  /** Our order number as the channel echoes it, when it does: checked against the order. */
  orderNo: string | null;
  channelTradeNo: string;
  amount: Decimal;
  paidAt: Date;
  /** How the payer paid inside the channel (支付宝 / 微信 / 银联 under 非税支付). */
  payMethod?: string;
}

export interface ClosedEvent {
  kind: 'closed';
  channelOrderId: string;
  orderNo: string | null;
}

export type ChannelEvent = PaidEvent | ClosedEvent;

export type RejectReason = 'malformed' | 'signature' | 'merchant' | 'timestamp' | 'unsupported';

export type ParsedNotification =
  | { verified: true; event: ChannelEvent; ack: ChannelAnswer; nack: ChannelAnswer }
  | { verified: false; reason: RejectReason; nack: ChannelAnswer; /** for the record only: unverified */ claimedOrderNo?: string | null };

export type QueryResult =
  | { status: 'paid'; event: PaidEvent }
  | { status: 'unpaid' | 'closed' | 'not_found' };

/**
 * `open`: the channel cannot close this attempt (ICBC e-pay and UnionPay have no close for an
 * unpaid order; an Alipay QR nobody has scanned does not exist at Alipay yet): the payer can still
 * pay it until `until`, its expiry at the channel. Never reported as closed.
 */
export type CloseResult = { status: 'closed' } | { status: 'paid'; event: PaidEvent } | { status: 'open'; until: Date };

export type RefundResult = { status: 'succeeded' | 'pending'; channelRefundNo: string } | { status: 'failed'; reason: string } | { status: 'unsupported' };

/**
 * A refund as we asked for it, to ask about it again: its number (out_refund_no, out_request_no,
 * the refund's orderId …), amount, and when its latest request was sent (UnionPay identifies a
 * transaction by orderId + txnTime: a query carries that request's time; a retry, sent only after
 * the channel said it never saw the request, is a new request of the current time, kept as the new
 * requestedAt before it is sent).
 */
export interface RefundRef {
  refundNo: string;
  amount: Decimal;
  requestedAt: Date;
}

/**
 * The channel's word on a refund we asked for. not_found: the request never reached it (asking
 * again with the same number is then safe); pending: accepted, not finished yet.
 */
export type RefundQueryResult =
  | { status: 'succeeded'; channelRefundNo: string; amount: Decimal }
  | { status: 'pending' }
  | { status: 'failed'; reason: string }
  | { status: 'not_found' }
  | { status: 'unsupported' };

export interface StatementLine {
  channelOrderId: string;
  orderNo: string | null;
  channelTradeNo: string;
  amount: Decimal;
  fee: Decimal;
  paidAt: Date;
  kind: 'payment' | 'refund';
}

export interface Statement {
  /** The channel's file exactly as downloaded, for the archive. */
  raw: string;
  lines: StatementLine[];
}

/** A channel said something we cannot take as an answer (bad signature, error code, timeout). */
export class ChannelError extends Error {
  constructor(
    message: string,
    /** true when the request may or may not have taken effect at the channel (timeout, 5xx). */
    readonly uncertain = false,
  ) {
    super(message);
  }
}

/**
 * The channel already holds this order as another of its products and refuses to change it
 * (微信支付: an out_trade_no made as a Native QR cannot become H5, "201 商户订单号重复"). Definite:
 * nothing was created.
 */
export class ProductConflictError extends ChannelError {}

export interface ChannelAdapter {
  readonly id: ChannelId;
  /**
   * false where an unpaid attempt cannot always be closed at the channel (close() may answer
   * `open`): the payment service then gives its attempts the shortest expiry the channel allows,
   * so that an abandoned bank page or QR stops being payable soon.
   */
  readonly alwaysClosable: boolean;
  createPayment(order: ChannelOrder): Promise<CreatedPayment>;
  /**
   * false where this channel's payment for that device cannot open in that browser (微信支付 H5
   * and 支付宝 手机网站支付 inside WeChat's own browser): nothing is sent, and the payer is asked to
   * open the page in the phone's browser (or to take the QR code). Absent: every device.
   */
  opensIn?(device: PayerDevice): boolean;
  /**
   * Channels that must know the payer before a payment in that browser (微信支付 JSAPI: the openid
   * under the school's official account, from 网页授权): where to send the browser to ask, and the
   * payer's id from the code it comes back with. Absent: no channel of this kind.
   */
  payerIdentity?: {
    needed(device: PayerDevice): boolean;
    authorizeUrl(redirectUri: string, state: string): string;
    idOf(code: string): Promise<string>;
  };
  parseNotification(raw: RawNotification): ParsedNotification;
  query(order: ChannelOrder): Promise<QueryResult>;
  close(order: ChannelOrder): Promise<CloseResult>;
  /** `requestedAt`: this request's time, as the caller keeps it (UnionPay's txnTime). */
  refund(order: ChannelOrder, amount: Decimal, refundNo: string, requestedAt?: Date): Promise<RefundResult>;
  /** Settles a refund whose answer was unclear (timeout, 5xx) or still processing. */
  queryRefund(order: ChannelOrder, refund: RefundRef): Promise<RefundQueryResult>;
  downloadStatement(day: string): Promise<Statement>;
  /**
   * true where the channel has no statement API and delivers its daily file by its bank file
   * service (ICBC e-pay): downloadStatement throws, the daily job does not try, and finance
   * uploads the file on the console's 对账 page, read by parseStatement.
   */
  readonly statementByUpload?: boolean;
  /** Reads the channel's statement file for `day` as uploaded; a ChannelError says what is wrong with it. */
  parseStatement?(day: string, file: Uint8Array): Statement;
}

/** A channel as the 支付方式 list shows it. */
export interface ChannelChoice {
  id: ChannelId;
  label: string;
  /** Built and configured; otherwise shown as 暂未开放. */
  available: boolean;
}
