// 微信支付 through API v3: Native order (the payer scans code_url), query by out_trade_no, close,
// refund and the trade bill. Every request carries the Authorization signature; every answer
// and notification is verified by its Wechatpay-* headers before a byte of it is believed.
// Wire format: ./codec.ts; the bill: ./statement.ts.
import { fromFen, toFen } from '../../domain/money';
import { channelFetch, lazyPems } from '../common/crypto';
import {
  ChannelError,
  type ChannelAdapter, type ChannelAnswer, type ChannelOrder, type CloseResult, type CreatedPayment, type PaidEvent,
  type ParsedNotification, type QueryResult, type RawNotification, type RefundQueryResult, type RefundResult, type Statement,
} from '../types';
import { authorization, decryptResource, verifySigned, type Resource } from './codec';
import { parseWechatBill } from './statement';

export interface WechatConfig {
  /** API base, e.g. https://api.mch.weixin.qq.com */
  url: string;
  appId: string;
  mchId: string;
  /** Serial number of the merchant API certificate (serial_no in Authorization). */
  merchantSerialNo: string;
  privateKeyFile: string;
  /** A file holding the 32-character APIv3 key. */
  apiV3KeyFile: string;
  /** Platform certificate serial or PUB_KEY_ID_…, and the matching public key file. */
  platformKeyId: string;
  platformPublicKeyFile: string;
  timeoutMs?: number;
}

const json = (status: number, body: object): ChannelAnswer => ({ status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) });
const ACK = json(200, { code: 'SUCCESS', message: '成功' });
const NACK = json(500, { code: 'FAIL', message: '失败' });

/** WeChat's amounts are JSON integers of fen; below 2^53 that is exact, and we check it is. */
function fenOf(v: unknown) {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return null;
  return fromFen(String(v));
}

/** RFC 3339 with +08:00, as WeChat writes time_expire and success_time. */
function rfc3339(at: Date): string {
  const s = new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19);
  return `${s}+08:00`;
}

function paidEvent(t: Record<string, unknown>): PaidEvent | null {
  const amount = t.amount as { total?: unknown } | undefined;
  const total = fenOf(amount?.total);
  const at = typeof t.success_time === 'string' ? new Date(t.success_time) : null;
  if (typeof t.out_trade_no !== 'string' || typeof t.transaction_id !== 'string' || !total || !at || Number.isNaN(at.getTime())) return null;
  return { kind: 'paid', channelOrderId: t.out_trade_no, orderNo: t.out_trade_no, channelTradeNo: t.transaction_id, amount: total, paidAt: at, payMethod: '微信' };
}

export function wechatAdapter(cfg: WechatConfig, fetchImpl: typeof fetch = fetch): ChannelAdapter {
  const keys = lazyPems('wechat', { privateKey: cfg.privateKeyFile, apiV3Key: cfg.apiV3KeyFile, platformKey: cfg.platformPublicKeyFile });
  const platformKeys = () => ({ [cfg.platformKeyId]: keys().platformKey });
  const apiV3Key = () => keys().apiV3Key.trim();

  async function call(method: 'GET' | 'POST', pathWithQuery: string, body?: string, opts: { verify?: boolean } = {}) {
    const url = `${cfg.url}${pathWithQuery}`;
    const signedPath = new URL(url).pathname + new URL(url).search;
    const payload = body ?? '';
    const auth = authorization({ mchid: cfg.mchId, serialNo: cfg.merchantSerialNo, privateKeyPem: keys().privateKey }, method, signedPath, payload);
    const r = await channelFetch('wechat', `${method} ${pathWithQuery}`, url, {
      method, body: body ?? undefined, timeoutMs: cfg.timeoutMs,
      headers: { Authorization: auth, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}), 'User-Agent': 'campus-pay' },
    }, fetchImpl);
    if (opts.verify !== false) {
      const h: Record<string, string> = {};
      r.headers.forEach((value, key) => { h[key] = value; });
      const v = verifySigned(h, r.text, platformKeys());
      if (!v.ok) throw new ChannelError(`wechat ${pathWithQuery}: answer failed verification (${v.reason})`, true);
    }
    let doc: Record<string, unknown> = {};
    if (r.text) {
      try {
        doc = JSON.parse(r.text) as Record<string, unknown>;
      } catch {
        throw new ChannelError(`wechat ${pathWithQuery}: unreadable answer (HTTP ${r.status})`, true);
      }
    }
    return { status: r.status, doc };
  }

  const byOutNo = (order: ChannelOrder) => `/v3/pay/transactions/out-trade-no/${encodeURIComponent(order.orderNo)}`;

  async function query(order: ChannelOrder): Promise<QueryResult> {
    const r = await call('GET', `${byOutNo(order)}?mchid=${encodeURIComponent(cfg.mchId)}`);
    if (r.status === 404) return { status: 'not_found' };
    if (r.status !== 200) throw new ChannelError(`wechat query: HTTP ${r.status} ${String(r.doc.code ?? '')}`, r.status === 429);
    if (r.doc.out_trade_no !== order.orderNo || r.doc.mchid !== cfg.mchId) throw new ChannelError('wechat query: answer is for another order or merchant', true);
    const state = r.doc.trade_state;
    if (state === 'SUCCESS' || state === 'REFUND') {
      const event = paidEvent(r.doc);
      if (!event) throw new ChannelError('wechat query: SUCCESS without payment details', true);
      return { status: 'paid', event };
    }
    return { status: state === 'CLOSED' || state === 'REVOKED' || state === 'PAYERROR' ? 'closed' : 'unpaid' };
  }

  return {
    id: 'wechat',
    alwaysClosable: true,

    async createPayment(order): Promise<CreatedPayment> {
      const fen = toFen(order.total).toString();
      const body = JSON.stringify({
        appid: cfg.appId, mchid: cfg.mchId, description: order.subject.slice(0, 127), out_trade_no: order.orderNo,
        time_expire: rfc3339(order.expiresAt), notify_url: order.notifyUrl, amount: { total: '__FEN__', currency: 'CNY' },
      }).replace('"__FEN__"', fen);
      const r = await call('POST', '/v3/pay/transactions/native', body);
      if (r.status !== 200 || typeof r.doc.code_url !== 'string') {
        throw new ChannelError(`wechat native order: HTTP ${r.status} ${String(r.doc.code ?? '')} ${String(r.doc.message ?? '')}`.trim(), r.status === 429);
      }
      return { action: { kind: 'qrCode', content: r.doc.code_url }, channelOrderId: order.orderNo };
    },

    parseNotification(raw: RawNotification): ParsedNotification {
      let doc: { event_type?: unknown; resource?: Partial<Resource> };
      try {
        doc = JSON.parse(raw.rawBody) as typeof doc;
      } catch {
        return { verified: false, reason: 'malformed', nack: NACK };
      }
      let pk: Record<string, string>;
      try {
        pk = platformKeys();
      } catch {
        return { verified: false, reason: 'unsupported', nack: NACK };
      }
      const v = verifySigned(raw.headers, raw.rawBody, pk);
      if (!v.ok) return { verified: false, reason: v.reason === 'timestamp' ? 'timestamp' : v.reason === 'malformed' ? 'malformed' : 'signature', nack: NACK };
      const plain = doc.resource ? decryptResource(doc.resource, apiV3Key()) : null;
      if (!plain) return { verified: false, reason: 'signature', nack: NACK };
      let t: Record<string, unknown>;
      try {
        t = JSON.parse(plain) as Record<string, unknown>;
      } catch {
        return { verified: false, reason: 'malformed', nack: NACK };
      }
      const claimedOrderNo = typeof t.out_trade_no === 'string' ? t.out_trade_no.slice(0, 32) : null;
      if (t.mchid !== cfg.mchId || t.appid !== cfg.appId) return { verified: false, reason: 'merchant', nack: NACK, claimedOrderNo };
      if (doc.event_type !== 'TRANSACTION.SUCCESS' || t.trade_state !== 'SUCCESS') return { verified: false, reason: 'unsupported', nack: NACK, claimedOrderNo };
      const event = paidEvent(t);
      if (!event) return { verified: false, reason: 'malformed', nack: NACK, claimedOrderNo };
      return { verified: true, event, ack: ACK, nack: NACK };
    },

    query,

    async close(order): Promise<CloseResult> {
      const r = await call('POST', `${byOutNo(order)}/close`, JSON.stringify({ mchid: cfg.mchId }));
      if (r.status === 204 || r.status === 200 || r.status === 404) return { status: 'closed' };
      if (r.doc.code === 'ORDERPAID' || r.doc.code === 'ORDER_CLOSED') {
        const q = await query(order);
        if (q.status === 'paid') return { status: 'paid', event: q.event };
        return { status: 'closed' };
      }
      throw new ChannelError(`wechat close: HTTP ${r.status} ${String(r.doc.code ?? '')}`, true);
    },

    async refund(order, amount, refundNo): Promise<RefundResult> {
      const body = JSON.stringify({ out_trade_no: order.orderNo, out_refund_no: refundNo, reason: '退费', amount: { refund: '__R__', total: '__T__', currency: 'CNY' } })
        .replace('"__R__"', toFen(amount).toString()).replace('"__T__"', toFen(order.total).toString());
      const r = await call('POST', '/v3/refund/domestic/refunds', body);
      if (r.status !== 200) return { status: 'failed', reason: `${String(r.doc.code ?? r.status)} ${String(r.doc.message ?? '')}`.trim() };
      const id = typeof r.doc.refund_id === 'string' ? r.doc.refund_id : refundNo;
      if (r.doc.status === 'SUCCESS') return { status: 'succeeded', channelRefundNo: id };
      if (r.doc.status === 'PROCESSING') return { status: 'pending', channelRefundNo: id };
      return { status: 'failed', reason: String(r.doc.status) };
    },

    // 查询单笔退款（通过商户退款单号）: GET /v3/refund/domestic/refunds/{out_refund_no}.
    async queryRefund(order, ref): Promise<RefundQueryResult> {
      const r = await call('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(ref.refundNo)}`);
      if (r.status === 404) return { status: 'not_found' };
      if (r.status !== 200) throw new ChannelError(`wechat refund query: HTTP ${r.status} ${String(r.doc.code ?? '')}`, true);
      if (r.doc.out_refund_no !== ref.refundNo || r.doc.out_trade_no !== order.orderNo) throw new ChannelError('wechat refund query: answer is for another refund', true);
      const id = typeof r.doc.refund_id === 'string' ? r.doc.refund_id : ref.refundNo;
      if (r.doc.status === 'SUCCESS') {
        const amount = fenOf((r.doc.amount as { refund?: unknown } | undefined)?.refund);
        if (!amount) throw new ChannelError('wechat refund query: SUCCESS without an amount', true);
        return { status: 'succeeded', channelRefundNo: id, amount };
      }
      if (r.doc.status === 'PROCESSING') return { status: 'pending' };
      // CLOSED (退款关闭) or ABNORMAL (退款异常: the payer's account cannot take it back).
      return { status: 'failed', reason: String(r.doc.status) };
    },

    async downloadStatement(day: string): Promise<Statement> {
      const r = await call('GET', `/v3/bill/tradebill?bill_date=${day}&bill_type=ALL`);
      const { download_url: url, hash_type: hashType, hash_value: hash } = r.doc;
      if (r.status !== 200 || typeof url !== 'string' || hashType !== 'SHA1' || typeof hash !== 'string') throw new ChannelError(`wechat tradebill: HTTP ${r.status}`, true);
      // The file itself is not signed (its SHA1 above is); the download request still is.
      const u = new URL(url);
      const auth = authorization({ mchid: cfg.mchId, serialNo: cfg.merchantSerialNo, privateKeyPem: keys().privateKey }, 'GET', u.pathname + u.search, '');
      let file: Buffer;
      try {
        const res = await fetchImpl(url, { headers: { Authorization: auth }, signal: AbortSignal.timeout(cfg.timeoutMs ?? 30_000) });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        file = Buffer.from(await res.arrayBuffer());
      } catch (e) {
        throw new ChannelError(`wechat bill download: ${(e as Error).message}`, true);
      }
      return parseWechatBill(file, hash);
    },
  };
}
