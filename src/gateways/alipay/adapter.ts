// 支付宝 through the OpenAPI gateway (gateway.do), RSA2. Face-to-face precreate gives the QR the
// payer scans (the platform shows it); page.pay is the PC cashier form, offered as `pagePay`.
// Wire format and signing: ./codec.ts. Statement: ./statement.ts.
import { Decimal, plainMoney, toFen } from '../../domain/money';
import { channelFetch, dashedDateTime, encodeForm, lazyPems, parseFormStrict, parseShanghai } from '../common/crypto';
import {
  ChannelError,
  type ChannelAdapter, type ChannelAnswer, type ChannelOrder, type CloseResult, type CreatedPayment, type PaidEvent,
  type ParsedNotification, type PaymentAction, type QueryResult, type RawNotification, type RefundQueryResult, type RefundResult, type Statement,
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
  timeoutMs?: number;
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
  const keys = lazyPems('alipay', { privateKey: cfg.privateKeyFile, alipayPublicKey: cfg.alipayPublicKeyFile });
  const gateway = `${cfg.url}/gateway.do?charset=utf-8`;

  async function call(method: string, biz: object, extra: { notifyUrl?: string } = {}): Promise<Record<string, unknown>> {
    const k = keys();
    const params = signedRequest({ appId: cfg.appId, method, biz, privateKeyPem: k.privateKey, ...extra });
    const r = await channelFetch('alipay', method, gateway, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: encodeForm(params), timeoutMs: cfg.timeoutMs,
    }, fetchImpl);
    const v = verifyResponse(r.text, method, k.alipayPublicKey);
    if (!v.ok) throw new ChannelError(`alipay ${method}: answer failed verification (${v.reason})`, true);
    return v.response;
  }

  const notFound = (r: Record<string, unknown>) => r.sub_code === 'ACQ.TRADE_NOT_EXIST';
  const refuse = (method: string, r: Record<string, unknown>) =>
    new ChannelError(`alipay ${method}: ${String(r.code)} ${String(r.sub_code ?? '')} ${String(r.sub_msg ?? r.msg ?? '')}`.trim(), r.code === '20000');

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
      const r = await call('alipay.trade.precreate', {
        out_trade_no: order.orderNo, total_amount: yuan(order.total), subject: order.subject.slice(0, 256), time_expire: dashedDateTime(order.expiresAt),
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
        appId: cfg.appId, method: 'alipay.trade.page.pay', privateKeyPem: keys().privateKey, notifyUrl: order.notifyUrl, returnUrl: order.returnUrl,
        biz: { out_trade_no: order.orderNo, product_code: 'FAST_INSTANT_TRADE_PAY', total_amount: yuan(order.total), subject: order.subject.slice(0, 256), time_expire: dashedDateTime(order.expiresAt) },
      });
      return { kind: 'form', url: gateway, method: 'POST', fields };
    },

    parseNotification(raw: RawNotification): ParsedNotification {
      const nack = text(NACK);
      const f = parseFormStrict(raw.rawBody);
      const claimedOrderNo = f?.out_trade_no?.slice(0, 32) ?? null;
      if (!f || !f.sign) return { verified: false, reason: 'malformed', nack, claimedOrderNo };
      let publicKey: string;
      try {
        publicKey = keys().alipayPublicKey;
      } catch {
        return { verified: false, reason: 'unsupported', nack, claimedOrderNo };
      }
      if (!verifyNotification(f, publicKey)) return { verified: false, reason: 'signature', nack, claimedOrderNo };
      // Signed by Alipay, but for another app or another merchant's account: not our money.
      if (f.app_id !== cfg.appId || (cfg.sellerId && f.seller_id !== cfg.sellerId)) return { verified: false, reason: 'merchant', nack, claimedOrderNo };
      if (f.trade_status === 'TRADE_CLOSED' && f.out_trade_no) {
        return { verified: true, event: { kind: 'closed', channelOrderId: f.out_trade_no, orderNo: f.out_trade_no }, ack: text(ACK), nack };
      }
      const event = f.trade_status === 'TRADE_SUCCESS' || f.trade_status === 'TRADE_FINISHED' ? paidEvent(f) : null;
      if (!event) return { verified: false, reason: f.trade_status ? 'unsupported' : 'malformed', nack, claimedOrderNo };
      return { verified: true, event, ack: text(ACK), nack };
    },

    query,

    async close(order): Promise<CloseResult> {
      const r = await call('alipay.trade.close', { out_trade_no: order.orderNo });
      // A precreated trade nobody scanned does not exist at Alipay yet: nothing to close.
      if (r.code === SUCCESS_CODE || notFound(r)) return { status: 'closed' };
      if (r.sub_code === 'ACQ.TRADE_STATUS_ERROR') {
        const q = await query(order);
        if (q.status === 'paid') return { status: 'paid', event: q.event };
        if (q.status === 'closed' || q.status === 'not_found') return { status: 'closed' };
      }
      throw refuse('alipay.trade.close', r);
    },

    async refund(order, amount, refundNo): Promise<RefundResult> {
      const r = await call('alipay.trade.refund', { out_trade_no: order.orderNo, refund_amount: yuan(amount), out_request_no: refundNo, refund_reason: '退费' });
      if (r.code !== SUCCESS_CODE) {
        if (r.code === '20000') return { status: 'pending', channelRefundNo: refundNo };
        return { status: 'failed', reason: `${String(r.sub_code ?? r.code)} ${String(r.sub_msg ?? '')}`.trim() };
      }
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
