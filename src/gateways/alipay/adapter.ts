// 支付宝 through the OpenAPI gateway (gateway.do), RSA2. Face-to-face precreate gives the QR the
// payer scans (the platform shows it) on a desktop; a phone's browser posts the 手机网站支付
// form (alipay.trade.wap.pay, ./wap.ts); page.pay is the PC cashier form, offered as `pagePay`.
// Wire format and signing: ./codec.ts; the signed call: ./client.ts; refunds: ./refund.ts;
// statement: ./statement-download.ts and ./statement.ts.
import { dashedDateTime, parseFormStrict } from '../common/crypto';
import { handleNotification, type NotificationSpec } from '../common/notification';
// Clocks differ: an unscanned QR is taken as gone only this long after its expiry.
import { EXPIRY_GRACE_MS } from '../common/expiry';
import {
  ChannelError,
  type ChannelAdapter, type ChannelAnswer, type ChannelOrder, type CloseResult, type CreatedPayment,
  type PaymentAction, type QueryResult, type RefundQueryResult, type RefundResult, type Statement,
} from '../types';
import { alipayClient, notFound, refuse, type AlipayConfig } from './client';
import { ACK, NACK, SUCCESS_CODE, signedRequest, verifyNotification } from './codec';
import { queryRefundAtAlipay, refundAtAlipay } from './refund';
import { downloadAlipayStatement } from './statement-download';
import { paidEvent, yuan } from './trade-fields';
import { wapPay } from './wap';

export type { AlipayConfig } from './client';

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

export function alipayAdapter(cfg: AlipayConfig, fetchImpl: typeof fetch = fetch): ChannelAdapter & { pagePay(order: ChannelOrder): PaymentAction } {
  const client = alipayClient(cfg, fetchImpl);
  const { call, keys, certParams, gateway } = client;

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
      // A phone's browser goes to 手机网站支付 (./wap.ts); a desktop is shown the precreate QR.
      if (order.client && order.client.device !== 'desktop') return { action: wapPay(cfg, keys().privateKey, gateway, certParams(), order), channelOrderId: order.orderNo };
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

    // WeChat's own browser does not open Alipay's pages: the payer is asked to use the phone's
    // browser (the guide page Alipay itself shows there, as kept in justfu/justfu.github.io
    // _posts/2016-09-22-alipay-inweixin-tip.md, "在微信提示 要用浏览器打开的一个页面"; not an SDK file).
    opensIn: (device) => device !== 'wechat',

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

    refund: (order, amount, refundNo): Promise<RefundResult> => refundAtAlipay(client, order, amount, refundNo),

    queryRefund: (order, ref): Promise<RefundQueryResult> => queryRefundAtAlipay(client, order, ref),

    downloadStatement: (day: string): Promise<Statement> => downloadAlipayStatement(client, fetchImpl, cfg.timeoutMs, day),
  };
}
