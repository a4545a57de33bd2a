// 微信支付 through API v3: Native order (the payer scans code_url) or H5 (a phone's browser goes to
// h5_url; ./prepay.ts), query by out_trade_no, close,
// refund and the trade bill. Every answer and every notification is verified by its Wechatpay-*
// headers against the key its Wechatpay-Serial names (./verifiers.ts: the public key and the
// downloaded platform certificates at once) before a byte of it is believed.
// The signed request and its verification: ./client.ts; wire format: ./codec.ts; refunds:
// ./refund.ts; the bill: ./statement-download.ts and ./statement.ts.
import type { PayerDevice } from '../../domain/payer-device';
import { handleNotification, type NotificationSpec } from '../common/notification';
import {
  ChannelError,
  type ChannelAdapter, type ChannelAnswer, type ChannelOrder, type CloseResult, type CreatedPayment,
  type QueryResult, type RefundQueryResult, type RefundResult, type Statement,
} from '../types';
import { wechatClient, type WechatAdapterOptions, type WechatConfig } from './client';
import { decryptResource, verifySigned, type Resource } from './codec';
import { queryRefundAtWechat, refundAtWechat } from './refund';
import { downloadWechatStatement } from './statement-download';
import { authorizeUrl, jsapiOrder, openidReader } from './jsapi';
import { h5Order, nativeOrder } from './prepay';
import { paidEvent } from './trade-fields';

export type { WechatAdapterOptions, WechatConfig } from './client';

const json = (status: number, body: object): ChannelAnswer => ({ status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) });
const ACK = json(200, { code: 'SUCCESS', message: '成功' });
// WeChat's failure answer is {code: FAIL, message} with any 4XX or 5XX status (应答规范 of the
// TRANSACTION.SUCCESS notification: status `20X` `4XX` `5XX`, code `SUCCESS` | `FAIL`; wechatpay-im/website
// webhook/v3/TRANSACTION.SUCCESS.md, which also gives the retry schedule 15s/15s/30s/3m/…), and WeChat sends
// the notification again after either. A 5XX says the fault is ours (a verified event not
// recorded, our keys unreadable); anything we refuse (not JSON, not signed, not ours) is a 4XX.
const NACK_REFUSED = json(400, { code: 'FAIL', message: '失败' });
const NACK_OURS = json(500, { code: 'FAIL', message: '失败' });

export function wechatAdapter(cfg: WechatConfig, fetchImpl: typeof fetch = fetch, opts: WechatAdapterOptions = {}): ChannelAdapter {
  const client = wechatClient(cfg, fetchImpl, opts);
  const { call, verifiers, now, apiV3Key } = client;

  const oa = cfg.officialAccount ?? null;
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
      if (Object.keys(pk).length === 0 && !client.hasPublicKey && cfg.platformCerts === 'off') throw new ChannelError('wechat: no WeChat Pay key configured to verify with');
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

    // A desktop scans a Native QR; a phone's browser goes to H5 (./prepay.ts); WeChat's own
    // browser pays by JSAPI (./jsapi.ts), with the payer's openid.
    createPayment(order): Promise<CreatedPayment> {
      const device = order.client?.device ?? 'desktop';
      if (device === 'wechat' && oa) return jsapiOrder(client, cfg, order);
      return device === 'desktop' ? nativeOrder(client, cfg, order) : h5Order(client, cfg, order);
    },

    // H5 cannot be opened inside WeChat's own browser ("请在微信外打开订单，进行支付"); there WeChat
    // wants JSAPI, which needs the payer's openid from the school's official account (公众号):
    // only where one is configured.
    opensIn: (device) => device !== 'wechat' || !!oa,

    ...(oa ? {
      payerIdentity: {
        needed: (device: PayerDevice) => device === 'wechat',
        authorizeUrl: (redirectUri: string, state: string) => authorizeUrl(cfg, oa, redirectUri, state),
        idOf: openidReader(cfg, oa, fetchImpl),
      },
    } : {}),

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

    refund: (order, amount, refundNo): Promise<RefundResult> => refundAtWechat(client, order, amount, refundNo),

    queryRefund: (order, ref): Promise<RefundQueryResult> => queryRefundAtWechat(client, order, ref),

    downloadStatement: (day: string): Promise<Statement> => downloadWechatStatement(client, fetchImpl, cfg.timeoutMs, day),
  };
}
