// 微信支付 through API v3: Native order (the payer scans code_url), query by out_trade_no, close,
// refund and the trade bill. Every request carries the Authorization signature and
// Wechatpay-Serial; every 2xx answer and every notification is verified by its Wechatpay-*
// headers against the key its Wechatpay-Serial names (./verifiers.ts: the public key and the
// downloaded platform certificates at once) before a byte of it is believed.
// Status before signature, as wechatpay-java's core/.../http/AbstractHttpClient.java
// validateResponse does: an answer outside 2xx is an error JSON {code, message} read by its code
// and never verified (WeChat may not sign it: an unsigned 404 ORDER_NOT_EXIST is "not found", not
// a forged answer); 5xx and timeouts are uncertain (channelFetch).
// Wire format: ./codec.ts; the bill: ./statement.ts.
import { fromFen, toFen } from '../../domain/money';
import { channelFetch, lazyPems } from '../common/crypto';
import { handleNotification, type NotificationSpec } from '../common/notification';
import {
  ChannelError,
  type ChannelAdapter, type ChannelAnswer, type ChannelOrder, type CloseResult, type CreatedPayment, type PaidEvent,
  type QueryResult, type RefundQueryResult, type RefundResult, type Statement,
} from '../types';
import { authorization, decryptResource, parseCertificatesAnswer, verifySigned, type PlatformCertificate, type Resource } from './codec';
import { parseWechatBill } from './statement';
import { verifierSet } from './verifiers';

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
  /** WeChat Pay public key id PUB_KEY_ID_… (or a pinned certificate serial) and its PEM file; '' = none. */
  platformKeyId: string;
  platformPublicKeyFile: string;
  /** auto: download platform certificates from /v3/certificates and keep them fresh; off: never. */
  platformCerts?: 'auto' | 'off';
  timeoutMs?: number;
}

export interface WechatAdapterOptions {
  /** The clock for the 5-minute replay window and certificate validity (tests replaying old vectors). */
  now?: () => number;
  /** At most one certificate download per this interval on unknown serials (default 10 s). */
  unknownSerialIntervalMs?: number;
}

const json = (status: number, body: object): ChannelAnswer => ({ status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) });
const ACK = json(200, { code: 'SUCCESS', message: '成功' });
// WeChat's failure answer is {code: FAIL, message} with any 4XX or 5XX status (应答规范 of the
// TRANSACTION.SUCCESS notification: status `20X` `4XX` `5XX`, code `SUCCESS` | `FAIL`; wechatpay-im/website
// webhook/v3/TRANSACTION.SUCCESS.md, which also gives the retry schedule 15s/15s/30s/3m/…), and WeChat sends
// the notification again after either. A 5XX says the fault is ours (a verified event not
// recorded, our keys unreadable); anything we refuse (not JSON, not signed, not ours) is a 4XX.
const NACK_REFUSED = json(400, { code: 'FAIL', message: '失败' });
const NACK_OURS = json(500, { code: 'FAIL', message: '失败' });

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

export function wechatAdapter(cfg: WechatConfig, fetchImpl: typeof fetch = fetch, opts: WechatAdapterOptions = {}): ChannelAdapter {
  const now = opts.now ?? Date.now;
  const keys = lazyPems('wechat', { privateKey: cfg.privateKeyFile, apiV3Key: cfg.apiV3KeyFile });
  const publicKeyPem = cfg.platformKeyId ? lazyPems('wechat', { pem: cfg.platformPublicKeyFile }) : null;
  const apiV3Key = () => keys().apiV3Key.trim();
  const verifiers = verifierSet({
    publicKey: publicKeyPem ? () => ({ id: cfg.platformKeyId, pem: publicKeyPem().pem }) : null,
    download: cfg.platformCerts === 'off' ? null : downloadCertificates,
    now, unknownSerialIntervalMs: opts.unknownSerialIntervalMs,
  });

  type Answer = { status: number; doc: Record<string, unknown>; text: string; headers: Record<string, string> };

  async function exchange(method: 'GET' | 'POST', pathWithQuery: string, body: string | undefined): Promise<Answer> {
    const url = `${cfg.url}${pathWithQuery}`;
    const u = new URL(url);
    const auth = authorization({ mchid: cfg.mchId, serialNo: cfg.merchantSerialNo, privateKeyPem: keys().privateKey }, method, u.pathname + u.search, body ?? '', String(Math.floor(now() / 1000)));
    const serial = verifiers.serial();
    const r = await channelFetch('wechat', `${method} ${pathWithQuery}`, url, {
      method, body: body ?? undefined, timeoutMs: cfg.timeoutMs,
      headers: {
        Authorization: auth, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}), 'User-Agent': 'campus-pay',
        // The SDKs send the serial of the key they verify with (wechatpay-java AbstractHttpClient
        // adds WECHAT_PAY_SERIAL = validator.getSerialNumber() to every request).
        ...(serial ? { 'Wechatpay-Serial': serial } : {}),
      },
    }, fetchImpl);
    const headers: Record<string, string> = {};
    r.headers.forEach((value, key) => { headers[key] = value; });
    let doc: Record<string, unknown> = {};
    if (r.text) {
      try {
        const parsed: unknown = JSON.parse(r.text);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) doc = parsed as Record<string, unknown>;
      } catch {
        // An unreadable 2xx is refused below; an unreadable 4xx keeps its status and no code.
        if (r.status >= 200 && r.status < 300) throw new ChannelError(`wechat ${pathWithQuery}: unreadable answer (HTTP ${r.status})`, true);
      }
    }
    return { status: r.status, doc, text: r.text, headers };
  }

  /** A 2xx must verify; an unknown serial is looked up once (a rotation) before it is refused. */
  async function verified(a: Answer, what: string, extra: PlatformCertificate[] = []) {
    let v = verifySigned(a.headers, a.text, verifiers.keys(extra), now());
    if (!v.ok && v.reason === 'unknown_key') {
      await verifiers.unknownSerial();
      v = verifySigned(a.headers, a.text, verifiers.keys(extra), now());
    }
    if (!v.ok) throw new ChannelError(`wechat ${what}: answer failed verification (${v.reason})`, true);
  }

  async function call(method: 'GET' | 'POST', pathWithQuery: string, body?: string) {
    await verifiers.ready();
    const a = await exchange(method, pathWithQuery, body);
    if (a.status >= 200 && a.status < 300) await verified(a, pathWithQuery);
    return { status: a.status, doc: a.doc, code: typeof a.doc.code === 'string' ? a.doc.code : '' };
  }

  /**
   * GET /v3/certificates, signed like any request. Its answer is verified with the keys we hold
   * plus the certificates it carries (wechatpay-go's downloader verifies later downloads with the
   * downloaded certificates; the AEAD under the APIv3 key is what authenticates a first one).
   * 404 NOT_FOUND: no certificates, the merchant has moved to the public key (wechatpay-java
   * CertificateDownloader: "如果证书不存在，可能是切换为平台公钥，该处不报错").
   */
  async function downloadCertificates(): Promise<PlatformCertificate[]> {
    const a = await exchange('GET', '/v3/certificates', undefined);
    if (a.status === 404) return [];
    if (a.status !== 200) throw new ChannelError(`wechat certificates: HTTP ${a.status} ${String(a.doc.code ?? '')}`, true);
    const list = parseCertificatesAnswer(a.text, apiV3Key());
    if (!list) throw new ChannelError('wechat certificates: a certificate does not decrypt or is not the one listed', true);
    const v = verifySigned(a.headers, a.text, verifiers.keys(list), now());
    if (!v.ok) throw new ChannelError(`wechat certificates: answer failed verification (${v.reason})`, true);
    return list;
  }

  const byOutNo = (order: ChannelOrder) => `/v3/pay/transactions/out-trade-no/${encodeURIComponent(order.orderNo)}`;

  async function query(order: ChannelOrder): Promise<QueryResult> {
    const r = await call('GET', `${byOutNo(order)}?mchid=${encodeURIComponent(cfg.mchId)}`);
    // 查询订单: 404 ORDER_NOT_EXIST (订单不存在), read by its code whether signed or not.
    if (r.status === 404 && r.code === 'ORDER_NOT_EXIST') return { status: 'not_found' };
    if (r.status !== 200) throw new ChannelError(`wechat query: HTTP ${r.status} ${r.code}`, r.status === 429 || r.status === 404);
    if (r.doc.out_trade_no !== order.orderNo || r.doc.mchid !== cfg.mchId) throw new ChannelError('wechat query: answer is for another order or merchant', true);
    const state = r.doc.trade_state;
    if (state === 'SUCCESS' || state === 'REFUND') {
      const event = paidEvent(r.doc);
      if (!event) throw new ChannelError('wechat query: SUCCESS without payment details', true);
      return { status: 'paid', event };
    }
    return { status: state === 'CLOSED' || state === 'REVOKED' || state === 'PAYERROR' ? 'closed' : 'unpaid' };
  }

  /**
   * The notification (回调通知): a JSON envelope whose Wechatpay-* headers are verified against
   * the key its Wechatpay-Serial names, then its `resource` decrypted under the APIv3 key; only
   * the decrypted transaction is believed (the order number too). Synchronous by contract:
   * verified with the keys in memory; a stale set is refreshed in the background, and a serial
   * we do not know (a rotation we have not seen yet) is answered with the failure, so WeChat
   * sends it again, and triggers a download.
   */
  type Envelope = { event_type?: unknown; resource?: Partial<Resource> };
  const notificationSpec: NotificationSpec<Envelope, { eventType: unknown; t: Record<string, unknown> }> = {
    decode(raw) {
      const doc = JSON.parse(raw.rawBody) as unknown;
      return doc && typeof doc === 'object' ? (doc as Envelope) : null;
    },
    claimedOrderNo: (_d, f) => f?.t.out_trade_no,
    verify(doc, raw) {
      void verifiers.ready().catch(() => undefined);
      const pk = verifiers.keys();
      if (Object.keys(pk).length === 0 && !publicKeyPem && cfg.platformCerts === 'off') throw new ChannelError('wechat: no WeChat Pay key configured to verify with');
      const v = verifySigned(raw.headers, raw.rawBody, pk, now());
      if (!v.ok && v.reason === 'unknown_key') void verifiers.unknownSerial();
      if (!v.ok) return { ok: false, reason: v.reason === 'timestamp' ? 'timestamp' : v.reason === 'malformed' ? 'malformed' : 'signature' };
      // apiV3Key() throws ChannelError when the key file is unreadable: unsupported, answered with the failure.
      const plain = doc.resource ? decryptResource(doc.resource, apiV3Key()) : null;
      if (!plain) return { ok: false, reason: 'signature' };
      const t = JSON.parse(plain) as unknown;
      return t && typeof t === 'object' ? { ok: true, fields: { eventType: doc.event_type, t: t as Record<string, unknown> } } : { ok: false, reason: 'malformed' };
    },
    merchant: ({ t }) => t.mchid === cfg.mchId && t.appid === cfg.appId,
    status: ({ eventType, t }) => (eventType === 'TRANSACTION.SUCCESS' && t.trade_state === 'SUCCESS' ? 'paid' : 'unsupported'),
    amount: { unit: 'fen_number', of: ({ t }) => (t.amount as { total?: unknown } | undefined)?.total },
    paid: ({ t }) => paidEvent(t),
    ack: () => ACK,
    nack: (why) => (why === 'not_recorded' || why === 'unavailable' ? NACK_OURS : NACK_REFUSED),
  };

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

    parseNotification: (raw) => handleNotification(notificationSpec, raw),

    query,

    async close(order): Promise<CloseResult> {
      const r = await call('POST', `${byOutNo(order)}/close`, JSON.stringify({ mchid: cfg.mchId }));
      // 关闭订单: 204 closed; 404 ORDER_NOT_EXIST: never created there, nothing to pay;
      // 400 ORDERPAID / ORDER_CLOSED: ask what it became.
      if (r.status === 204 || r.status === 200 || (r.status === 404 && r.code === 'ORDER_NOT_EXIST')) return { status: 'closed' };
      if (r.code === 'ORDERPAID' || r.code === 'ORDER_CLOSED') {
        const q = await query(order);
        if (q.status === 'paid') return { status: 'paid', event: q.event };
        return { status: 'closed' };
      }
      throw new ChannelError(`wechat close: HTTP ${r.status} ${r.code}`, true);
    },

    async refund(order, amount, refundNo): Promise<RefundResult> {
      const body = JSON.stringify({ out_trade_no: order.orderNo, out_refund_no: refundNo, reason: '退费', amount: { refund: '__R__', total: '__T__', currency: 'CNY' } })
        .replace('"__R__"', toFen(amount).toString()).replace('"__T__"', toFen(order.total).toString());
      const r = await call('POST', '/v3/refund/domestic/refunds', body);
      // 退款申请 errors: SYSTEM_ERROR (5xx, thrown as uncertain by channelFetch; WeChat: 请不要更换
      // 商户退款单号，请使用相同参数再次调用API) and 429 FREQUENCY_LIMITED may or may not have
      // taken effect: uncertain, settled by queryRefund under the same number. The other 4xx
      // (PARAM_ERROR, INVALID_REQUEST, NOT_ENOUGH, USER_ACCOUNT_ABNORMAL, RESOURCE_NOT_EXISTS,
      // NO_AUTH, SIGN_ERROR …) refuse the request: nothing was refunded. BIZ_ERR_NEED_RETRY
      // (退款业务流程错误，请不要更换商户退款单号) and BANK_ERROR ask for the same request again:
      // uncertain too, which can only lead to the same out_refund_no being asked about.
      if (r.status === 429 || ['SYSTEM_ERROR', 'BIZ_ERR_NEED_RETRY', 'BANK_ERROR'].includes(r.code)) throw new ChannelError(`wechat refund: HTTP ${r.status} ${r.code}`, true);
      if (r.status !== 200) return { status: 'failed', reason: `${r.code || r.status} ${String(r.doc.message ?? '')}`.trim() };
      const id = typeof r.doc.refund_id === 'string' ? r.doc.refund_id : refundNo;
      if (r.doc.status === 'SUCCESS') return { status: 'succeeded', channelRefundNo: id };
      if (r.doc.status === 'PROCESSING') return { status: 'pending', channelRefundNo: id };
      return { status: 'failed', reason: String(r.doc.status) };
    },

    // 查询单笔退款（通过商户退款单号）: GET /v3/refund/domestic/refunds/{out_refund_no}.
    async queryRefund(order, ref): Promise<RefundQueryResult> {
      const r = await call('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(ref.refundNo)}`);
      // 查询单笔退款: 404 RESOURCE_NOT_EXISTS (退款单不存在): the request never reached WeChat.
      if (r.status === 404 && r.code === 'RESOURCE_NOT_EXISTS') return { status: 'not_found' };
      if (r.status !== 200) throw new ChannelError(`wechat refund query: HTTP ${r.status} ${r.code}`, true);
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
      if (r.status !== 200 || typeof url !== 'string' || hashType !== 'SHA1' || typeof hash !== 'string') throw new ChannelError(`wechat tradebill: HTTP ${r.status} ${r.code}`, r.status !== 400 && r.status !== 404);
      // The file itself is not signed (its SHA1 above is); the download request still is.
      const u = new URL(url);
      const auth = authorization({ mchid: cfg.mchId, serialNo: cfg.merchantSerialNo, privateKeyPem: keys().privateKey }, 'GET', u.pathname + u.search, '', String(Math.floor(now() / 1000)));
      const serial = verifiers.serial();
      let file: Buffer;
      try {
        // wechatpay-java AbstractHttpClient.download: Authorization, Accept */*, Wechatpay-Serial.
        const res = await fetchImpl(url, { headers: { Authorization: auth, Accept: '*/*', ...(serial ? { 'Wechatpay-Serial': serial } : {}) }, signal: AbortSignal.timeout(cfg.timeoutMs ?? 30_000) });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        file = Buffer.from(await res.arrayBuffer());
      } catch (e) {
        throw new ChannelError(`wechat bill download: ${(e as Error).message}`, true);
      }
      return parseWechatBill(file, hash);
    },
  };
}
