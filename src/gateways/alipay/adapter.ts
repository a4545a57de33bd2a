// 支付宝 through the OpenAPI gateway (gateway.do), RSA2. Face-to-face precreate gives the QR the
// payer scans (the platform shows it); page.pay is the PC cashier form, offered as `pagePay`.
// Wire format and signing: ./codec.ts. Statement: ./statement.ts.
import { Decimal, plainMoney, toFen } from '../../domain/money';
import { channelFetch, dashedDateTime, encodeForm, lazyPems, parseFormStrict, parseShanghai } from '../common/crypto';
import { handleNotification, type NotificationSpec } from '../common/notification';
// Clocks differ: an unscanned QR is taken as gone only this long after its expiry.
import { EXPIRY_GRACE_MS } from '../common/expiry';
import { certMode, type CertMode } from './cert';
import {
  ChannelError,
  type ChannelAdapter, type ChannelAnswer, type ChannelOrder, type CloseResult, type CreatedPayment, type PaidEvent,
  type PaymentAction, type QueryResult, type RefundQueryResult, type RefundResult, type Statement,
} from '../types';
import { ACK, NACK, SUCCESS_CODE, YUAN, signedRequest, verifyNotification, verifyResponse } from './codec';
import { parseAlipayStatement } from './statement';

export interface AlipayConfig {
  /** Gateway base, e.g. https://openapi.alipay.com (we append /gateway.do). */
  url: string;
  appId: string;
  /** The merchant's PID (2088…): notifications must name it as seller_id. */
  sellerId: string;
  privateKeyFile: string;
  alipayPublicKeyFile: string;
  /**
   * 公钥证书 mode (./cert.ts): the app's public-key certificate, Alipay's public-key certificate
   * and Alipay's root chain, as downloaded from the console. When given, alipayPublicKeyFile is
   * not used: Alipay's key is the one in its certificate.
   */
  certFiles?: { appCert: string; alipayPublicCert: string; alipayRootCert: string };
  timeoutMs?: number;
}

/**
 * Refusals after which the refund certainly did not happen and will not (the error table of
 * alipay.trade.refund: the trade, its state, the amount or the merchant's balance is wrong; or
 * the gateway refused the request itself: 40001 missing / 40002 invalid arguments, 40006 no
 * permission). Anything else — ACQ.SYSTEM_ERROR ("系统错误": Alipay's error-handling page,
 * docs.antom.com/ac/barcode_cn/error_handling, says to retry the refund with the same parameters
 * or query for the final state; the refund may have been made), 20000 service unavailable, a sub_code we do not know —
 * leaves the outcome unknown: the refund stays pending under its out_request_no, is asked about
 * with alipay.trade.fastpay.refund.query and, if Alipay never took it, sent again under the same
 * out_request_no, which Alipay treats as the same refund. ACQ.DISCORDANT_REPEAT_REQUEST (this
 * number was used before with other parameters) is left out on purpose: the first use may have
 * refunded, so only the query can say.
 */
const REFUND_REFUSED = new Set([
  'ACQ.TRADE_NOT_EXIST', 'ACQ.TRADE_STATUS_ERROR', 'ACQ.TRADE_HAS_CLOSE', 'ACQ.TRADE_HAS_FINISHED', 'ACQ.TRADE_NOT_ALLOW_REFUND',
  'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', 'ACQ.REFUND_FEE_ERROR', 'ACQ.REASON_TRADE_REFUND_FEE_ERR', 'ACQ.SELLER_BALANCE_NOT_ENOUGH',
  'ACQ.REASON_TRADE_BEEN_FREEZEN', 'ACQ.INVALID_PARAMETER', 'ACQ.ACCESS_FORBIDDEN',
  'ACQ.BUYER_ERROR', 'ACQ.SELLER_ERROR', 'ACQ.REFUND_CHARGE_ERROR', 'ACQ.ONLINE_TRADE_VOUCHER_NOT_ALLOW_REFUND',
]);
const GATEWAY_REFUSED = new Set(['40001', '40002', '40006']);


/**
 * timeout_express for precreate: whole minutes (1m…15d, "不接受小数点"), from the QR's creation,
 * as AlipayTradePrecreateModel documents it (alipay-sdk-java-all
 * src/main/java/com/alipay/api/domain/AlipayTradePrecreateModel.java). Rounded down so that the
 * QR never outlives the attempt's expiry, except for the 1-minute minimum.
 */
function timeoutExpress(expiresAt: Date, now = new Date()): string {
  const minutes = Math.floor((expiresAt.getTime() - now.getTime()) / 60_000);
  return `${Math.min(Math.max(minutes, 1), 15 * 24 * 60)}m`;
}

const text = (body: string): ChannelAnswer => ({ status: 200, contentType: 'text/plain; charset=utf-8', body });

/** Yuan with exactly two decimals; toFen refuses anything finer than a fen. */
const yuan = (d: Decimal) => {
  toFen(d);
  return plainMoney(d);
};

function paidEvent(r: Record<string, unknown>): PaidEvent | null {
  const { out_trade_no: orderNo, trade_no: tradeNo, total_amount: amount } = r;
  const when = typeof r.gmt_payment === 'string' ? r.gmt_payment : typeof r.send_pay_date === 'string' ? r.send_pay_date : null;
  if (typeof orderNo !== 'string' || typeof tradeNo !== 'string' || typeof amount !== 'string' || !YUAN.test(amount)) return null;
  const paidAt = when ? parseShanghai(when) : null;
  if (!paidAt) return null;
  return { kind: 'paid', channelOrderId: orderNo, orderNo, channelTradeNo: tradeNo, amount: new Decimal(amount), paidAt, payMethod: '支付宝' };
}

export function alipayAdapter(cfg: AlipayConfig, fetchImpl: typeof fetch = fetch): ChannelAdapter & { pagePay(order: ChannelOrder): PaymentAction } {
  const pems = cfg.certFiles
    ? lazyPems('alipay', { privateKey: cfg.privateKeyFile, appCert: cfg.certFiles.appCert, alipayPublicCert: cfg.certFiles.alipayPublicCert, alipayRootCert: cfg.certFiles.alipayRootCert })
    : lazyPems('alipay', { privateKey: cfg.privateKeyFile, alipayPublicKey: cfg.alipayPublicKeyFile });
  let derived: { privateKey: string; alipayPublicKey: string; cert: CertMode | null } | null = null;
  const keys = () => {
    if (derived) return derived;
    const p = pems() as Record<string, string>;
    let cert: CertMode | null = null;
    if (cfg.certFiles) {
      try {
        cert = certMode({ appCert: p.appCert!, alipayPublicCert: p.alipayPublicCert!, alipayRootCert: p.alipayRootCert! });
      } catch (e) {
        throw new ChannelError(`alipay certificates not readable: ${(e as Error).message}`);
      }
    }
    derived = { privateKey: p.privateKey!, alipayPublicKey: cert ? cert.alipayPublicKey : p.alipayPublicKey!, cert };
    return derived;
  };
  const gateway = `${cfg.url}/gateway.do?charset=utf-8`;
  const certParams = () => {
    const c = keys().cert;
    return c ? { cert: { appCertSn: c.appCertSn, alipayRootCertSn: c.alipayRootCertSn } } : {};
  };

  async function call(method: string, biz: object, extra: { notifyUrl?: string } = {}): Promise<Record<string, unknown>> {
    const k = keys();
    const params = signedRequest({ appId: cfg.appId, method, biz, privateKeyPem: k.privateKey, ...extra, ...certParams() });
    const r = await channelFetch('alipay', method, gateway, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: encodeForm(params), timeoutMs: cfg.timeoutMs,
    }, fetchImpl);
    const v = verifyResponse(r.text, method, k.alipayPublicKey);
    if (!v.ok) {
      const sn = /"alipay_cert_sn"\s*:\s*"([0-9a-f]+)"/.exec(r.text)?.[1];
      // Alipay signs with the key of the certificate it names; another SN than ours means its
      // certificate was renewed: the new alipayCertPublicKey_RSA2.crt must be installed.
      if (k.cert && sn && sn !== k.cert.alipayCertSn) {
        throw new ChannelError(`alipay ${method}: answer signed under certificate ${sn}, ours is ${k.cert.alipayCertSn} (支付宝公钥证书已更换，请下载新证书)`, true);
      }
      throw new ChannelError(`alipay ${method}: answer failed verification (${v.reason})`, true);
    }
    if (k.cert && v.alipayCertSn && v.alipayCertSn !== k.cert.alipayCertSn) {
      throw new ChannelError(`alipay ${method}: answer names certificate ${v.alipayCertSn}, ours is ${k.cert.alipayCertSn}`, true);
    }
    return v.response;
  }

  const notFound = (r: Record<string, unknown>) => r.sub_code === 'ACQ.TRADE_NOT_EXIST';
  // AQC.SYSTEM_ERROR: the spelling some of Alipay's error tables give for the same system error.
  const unknownOutcome = (r: Record<string, unknown>) => r.code === '20000' || r.sub_code === 'ACQ.SYSTEM_ERROR' || r.sub_code === 'AQC.SYSTEM_ERROR';
  const refuse = (method: string, r: Record<string, unknown>) =>
    new ChannelError(`alipay ${method}: ${String(r.code)} ${String(r.sub_code ?? '')} ${String(r.sub_msg ?? r.msg ?? '')}`.trim(), unknownOutcome(r));

  type Form = Record<string, string>;
  const notificationSpec: NotificationSpec<Form, Form> = {
    decode: (raw) => parseFormStrict(raw.rawBody),
    claimedOrderNo: (f) => f.out_trade_no,
    verify(f) {
      if (!f.sign) return { ok: false, reason: 'malformed' };
      // keys() throws ChannelError when our key or certificates are unreadable: not Alipay's fault.
      return verifyNotification(f, keys().alipayPublicKey) ? { ok: true, fields: f } : { ok: false, reason: 'signature' };
    },
    // Signed by Alipay, but for another app or another merchant's account: not our money.
    merchant: (f) => f.app_id === cfg.appId && (!cfg.sellerId || f.seller_id === cfg.sellerId),
    status: (f) =>
      f.trade_status === 'TRADE_CLOSED' && f.out_trade_no ? 'closed'
        : f.trade_status === 'TRADE_SUCCESS' || f.trade_status === 'TRADE_FINISHED' ? 'paid'
          : f.trade_status ? 'unsupported' : 'malformed',
    // A paid notification whose amount or payment time is not Alipay's shape is malformed.
    amount: { unit: 'yuan', of: (f) => f.total_amount },
    paid: (f) => paidEvent(f),
    closed: (f) => ({ channelOrderId: f.out_trade_no!, orderNo: f.out_trade_no! }),
    ack: () => text(ACK),
    nack: () => text(NACK),
  };

  async function query(order: ChannelOrder): Promise<QueryResult> {
    const r = await call('alipay.trade.query', { out_trade_no: order.orderNo });
    if (r.code !== SUCCESS_CODE) {
      if (notFound(r)) return { status: 'not_found' };
      throw refuse('alipay.trade.query', r);
    }
    if (r.out_trade_no !== order.orderNo) throw new ChannelError('alipay trade.query: answer is for another order', true);
    if (r.trade_status === 'TRADE_SUCCESS' || r.trade_status === 'TRADE_FINISHED') {
      const event = paidEvent(r);
      if (!event) throw new ChannelError('alipay trade.query: paid without payment details', true);
      return { status: 'paid', event };
    }
    return { status: r.trade_status === 'TRADE_CLOSED' ? 'closed' : 'unpaid' };
  }

  return {
    id: 'alipay',
    alwaysClosable: false,

    async createPayment(order): Promise<CreatedPayment> {
      // Every expiry precreate knows: time_expire (absolute; Alipay takes it first when several
      // are sent), and the two AlipayTradePrecreateModel documents — qr_code_timeout_express (the
      // QR's validity, counted from its creation: what bounds an unscanned QR) and timeout_express
      // (the trade's). Whichever Alipay honours ends the unscanned QR no later than
      // order.expiresAt (see close()); a trade scanned late may outlive it, but a scanned trade
      // exists at Alipay and can be closed.
      const minutes = timeoutExpress(order.expiresAt);
      const r = await call('alipay.trade.precreate', {
        out_trade_no: order.orderNo, total_amount: yuan(order.total), subject: order.subject.slice(0, 256),
        time_expire: dashedDateTime(order.expiresAt), qr_code_timeout_express: minutes, timeout_express: minutes,
      }, { notifyUrl: order.notifyUrl });
      if (r.code !== SUCCESS_CODE) throw refuse('alipay.trade.precreate', r);
      if (r.out_trade_no !== order.orderNo || typeof r.qr_code !== 'string' || !/^https?:\/\//.test(r.qr_code)) {
        throw new ChannelError('alipay trade.precreate: answer without a QR code for this order', true);
      }
      return { action: { kind: 'qrCode', content: r.qr_code }, channelOrderId: order.orderNo };
    },

    /** 电脑网站支付: the signed form the browser posts to Alipay's cashier. */
    pagePay(order: ChannelOrder): PaymentAction {
      const fields = signedRequest({
        appId: cfg.appId, method: 'alipay.trade.page.pay', privateKeyPem: keys().privateKey, notifyUrl: order.notifyUrl, returnUrl: order.returnUrl, ...certParams(),
        biz: { out_trade_no: order.orderNo, product_code: 'FAST_INSTANT_TRADE_PAY', total_amount: yuan(order.total), subject: order.subject.slice(0, 256), time_expire: dashedDateTime(order.expiresAt) },
      });
      return { kind: 'form', url: gateway, method: 'POST', fields };
    },

    // Form post, RSA2 over the sorted fields without sign / sign_type (./codec.ts); answered with
    // exactly `success`, anything else (`failure`) makes Alipay send it again.
    parseNotification: (raw) => handleNotification(notificationSpec, raw),

    query,

    async close(order): Promise<CloseResult> {
      // A precreated QR nobody has scanned does not exist at Alipay yet: trade.close answers
      // 40004 ACQ.TRADE_NOT_EXIST, yet the QR stays payable (a scan creates the trade) until the
      // expiry we sent with precreate. That is not closed: it is open until then.
      const stillPayable = (): CloseResult =>
        Date.now() >= order.expiresAt.getTime() + EXPIRY_GRACE_MS ? { status: 'closed' } : { status: 'open', until: order.expiresAt };
      const r = await call('alipay.trade.close', { out_trade_no: order.orderNo });
      if (r.code === SUCCESS_CODE) return { status: 'closed' };
      if (notFound(r)) return stillPayable();
      if (r.sub_code === 'ACQ.TRADE_STATUS_ERROR') {
        // Paid (TRADE_SUCCESS / TRADE_FINISHED) or already closed: the query says which.
        const q = await query(order);
        if (q.status === 'paid') return { status: 'paid', event: q.event };
        if (q.status === 'closed') return { status: 'closed' };
        if (q.status === 'not_found') return stillPayable();
      }
      throw refuse('alipay.trade.close', r);
    },

    async refund(order, amount, refundNo): Promise<RefundResult> {
      // A timeout, a 5xx or an answer that fails verification throws an uncertain ChannelError:
      // the caller keeps the refund pending, exactly as for ACQ.SYSTEM_ERROR below.
      const r = await call('alipay.trade.refund', { out_trade_no: order.orderNo, refund_amount: yuan(amount), out_request_no: refundNo, refund_reason: '退费' });
      if (r.code !== SUCCESS_CODE) {
        const definite = GATEWAY_REFUSED.has(String(r.code)) || (r.code === '40004' && REFUND_REFUSED.has(String(r.sub_code)));
        if (!definite) return { status: 'pending', channelRefundNo: refundNo };
        return { status: 'failed', reason: `${String(r.sub_code ?? r.code)} ${String(r.sub_msg ?? '')}`.trim() };
      }
      // fund_change N: no money moved by this call (a repeat of a refund already made, or one
      // still being processed): only the refund query says which.
      return { status: r.fund_change === 'Y' ? 'succeeded' : 'pending', channelRefundNo: typeof r.trade_no === 'string' ? `${r.trade_no}/${refundNo}` : refundNo };
    },

    // alipay.trade.fastpay.refund.query by out_trade_no + out_request_no. Alipay's rule: an answer
    // with the refund's data and refund_status empty or REFUND_SUCCESS is a refund done; an
    // answer without it means no refund happened under that number (so asking again is safe).
    async queryRefund(order, ref): Promise<RefundQueryResult> {
      const method = 'alipay.trade.fastpay.refund.query';
      const r = await call(method, { out_trade_no: order.orderNo, out_request_no: ref.refundNo, query_options: ['gmt_refund_pay'] });
      if (r.code !== SUCCESS_CODE) {
        if (notFound(r)) return { status: 'not_found' };
        throw refuse(method, r);
      }
      if (typeof r.refund_amount !== 'string' || !YUAN.test(r.refund_amount)) return { status: 'not_found' };
      if (r.out_request_no !== ref.refundNo) throw new ChannelError(`${method}: answer is for another refund`, true);
      // refund_status comes only for refunds Alipay processes asynchronously (REFUND_PROCESSING /
      // REFUND_SUCCESS / REFUND_FAIL, AlipayTradeFastpayRefundQueryResponse in alipay-sdk-java-all);
      // without it, an answer that carries the refund means it was made.
      if (r.refund_status === 'REFUND_FAIL') return { status: 'failed', reason: `REFUND_FAIL ${String(r.error_code ?? '')}`.trim() };
      if (r.refund_status !== undefined && r.refund_status !== 'REFUND_SUCCESS') return { status: 'pending' };
      return { status: 'succeeded', channelRefundNo: typeof r.trade_no === 'string' ? `${r.trade_no}/${ref.refundNo}` : ref.refundNo, amount: new Decimal(r.refund_amount) };
    },

    async downloadStatement(day: string): Promise<Statement> {
      const r = await call('alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'trade', bill_date: day });
      if (r.code !== SUCCESS_CODE || typeof r.bill_download_url !== 'string') throw refuse('alipay bill.downloadurl.query', r);
      let zip: Buffer;
      try {
        const res = await fetchImpl(r.bill_download_url, { signal: AbortSignal.timeout(cfg.timeoutMs ?? 30_000) });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        zip = Buffer.from(await res.arrayBuffer());
      } catch (e) {
        throw new ChannelError(`alipay bill download: ${(e as Error).message}`, true);
      }
      return parseAlipayStatement(zip);
    },
  };
}
