// The notification skeleton fits the four card and wallet adapters as they are: each spec below
// is written against that channel's codec only (what its adapter's parseNotification would
// become), and gives the same ParsedNotification as today's adapter on a corpus of genuine,
// forged, foreign, unsupported and malformed notifications. The lead moves each spec into its
// adapter (using the adapter's own paidEvent) and then drops that channel's block here.
// Deliberate differences, checked below: the skeleton refuses an amount of zero, and calls a
// signed paid notification with a malformed amount or time `malformed` where Alipay's said
// `unsupported`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashedDateTime, encodeForm, parseFormStrict, parseShanghai } from '../../src/gateways/common/crypto';
import { handleNotification, type NotificationSpec } from '../../src/gateways/common/notification';
import { alipayAdapter } from '../../src/gateways/alipay/adapter';
import { ACK as ALIPAY_ACK, NACK as ALIPAY_NACK, signNotification, verifyNotification } from '../../src/gateways/alipay/codec';
import { wechatAdapter } from '../../src/gateways/wechat/adapter';
import { decryptResource, encryptResource, signedHeaders, verifySigned, type Resource } from '../../src/gateways/wechat/codec';
import { type ChannelAnswer, type ChannelAdapter, type ParsedNotification, type RawNotification } from '../../src/gateways/types';
import { keyPair } from './channel-keys';


const dir = mkdtempSync(path.join(tmpdir(), 'fit-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const text = (status: number, body: string): ChannelAnswer => ({ status, contentType: 'text/plain; charset=utf-8', body });
type Rec = Record<string, unknown>;

/** Same answer from the adapter and from the skeleton with the spec, for every input. */
function same(adapter: ChannelAdapter, spec: NotificationSpec<never, never>, inputs: [string, RawNotification][]) {
  // An absent or empty claimed number is null in the skeleton (the service records either as none).
  const norm = (p: ParsedNotification) => (p.verified ? p : { ...p, claimedOrderNo: p.claimedOrderNo || null });
  for (const [name, raw] of inputs) expect(norm(handleNotification(spec, raw)), name).toEqual(norm(adapter.parseNotification(raw)));
}

const form = (p: string, body: string): RawNotification => ({ method: 'POST', path: p, headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: body });
const junk: [string, string][] = [['empty', ''], ['garbage', '%%%&&=='], ['repeated field', 'a=1&a=2'], ['json', '{"a":1}']];

describe('the skeleton fits WeChat (headers signed, resource encrypted, 200 / JSON failure body)', () => {
  const platform = keyPair();
  const mer = keyPair();
  const apiV3 = '0123456789abcdef0123456789abcdef';
  const cfg = {
    url: 'http://127.0.0.1:9', appId: 'wx0000000000000001', mchId: '1900000001', merchantSerialNo: 'SERIAL1', privateKeyFile: file('wx-mer.pem', mer.privateKey),
    apiV3KeyFile: file('wx-v3.key', apiV3), platformKeyId: 'PUB_KEY_ID_0001', platformPublicKeyFile: file('wx-pf.pem', platform.publicKey),
  };
  const adapter = wechatAdapter(cfg);
  const json = (status: number, body: object): ChannelAnswer => ({ status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) });
  type D = { event_type?: unknown; resource?: Partial<Resource> };
  type F = { eventType: unknown; t: Rec };
  const spec: NotificationSpec<D, F> = {
    decode(raw) {
      const d = JSON.parse(raw.rawBody) as unknown;
      return d && typeof d === 'object' && !Array.isArray(d) ? (d as D) : null;
    },
    claimedOrderNo: (_d, f) => f?.t.out_trade_no,
    verify(d, raw) {
      const v = verifySigned(raw.headers, raw.rawBody, { [cfg.platformKeyId]: platform.publicKey });
      if (!v.ok) return { ok: false, reason: v.reason === 'timestamp' ? 'timestamp' : v.reason === 'malformed' ? 'malformed' : 'signature' };
      const plain = d.resource ? decryptResource(d.resource, apiV3) : null;
      if (!plain) return { ok: false, reason: 'signature' };
      const t = JSON.parse(plain) as unknown;
      return t && typeof t === 'object' ? { ok: true, fields: { eventType: d.event_type, t: t as Rec } } : { ok: false, reason: 'malformed' };
    },
    merchant: ({ t }) => t.mchid === cfg.mchId && t.appid === cfg.appId,
    status: ({ eventType, t }) => (eventType === 'TRANSACTION.SUCCESS' && t.trade_state === 'SUCCESS' ? 'paid' : 'unsupported'),
    amount: { unit: 'fen_number', of: ({ t }) => (t.amount as { total?: unknown } | undefined)?.total },
    paid({ t }) {
      const at = typeof t.success_time === 'string' ? new Date(t.success_time) : null;
      return typeof t.out_trade_no === 'string' && typeof t.transaction_id === 'string' && at
        ? { channelOrderId: t.out_trade_no, orderNo: t.out_trade_no, channelTradeNo: t.transaction_id, paidAt: at, payMethod: '微信' } : null;
    },
    ack: () => json(200, { code: 'SUCCESS', message: '成功' }),
    nack: () => json(500, { code: 'FAIL', message: '失败' }),
  };
  const tx = { appid: cfg.appId, mchid: cfg.mchId, out_trade_no: 'XF2612010001', transaction_id: '4200000001', trade_state: 'SUCCESS', success_time: '2026-12-01T10:00:00+08:00', amount: { total: 909995, currency: 'CNY' } };
  const note = (t: Rec, o: { event?: string; key?: string; ts?: string; tamper?: boolean; v3?: string } = {}): RawNotification => {
    const body = JSON.stringify({ id: 'EV-1', event_type: o.event ?? 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource', resource: encryptResource(JSON.stringify(t), o.v3 ?? apiV3, 'transaction') });
    const headers = signedHeaders(body, cfg.platformKeyId, o.key ?? platform.privateKey, o.ts);
    return { method: 'POST', path: '/pay/notify/wechat', headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])), rawBody: o.tamper ? body.replace('EV-1', 'EV-2') : body };
  };

  it('answers every input as the adapter does', () => {
    same(adapter, spec as never, [
      ['genuine', note(tx)],
      ['tampered', note(tx, { tamper: true })],
      ['other key', note(tx, { key: mer.privateKey })],
      ['stale', note(tx, { ts: String(Math.floor(Date.now() / 1000) - 3600) })],
      ['other APIv3 key', note(tx, { v3: 'ffffffffffffffffffffffffffffffff' })],
      ['other merchant', note({ ...tx, mchid: '1900009999' })],
      ['other app', note({ ...tx, appid: 'wx9' })],
      ['refund event', note(tx, { event: 'REFUND.SUCCESS' })],
      ['not paid', note({ ...tx, trade_state: 'NOTPAY' })],
      ['fen as a string', note({ ...tx, amount: { total: '909995' } })],
      ['fractional fen', note({ ...tx, amount: { total: 9099.95 } })],
      ['no transaction id', note({ ...tx, transaction_id: undefined })],
      ['unsigned', { method: 'POST', path: '/pay/notify/wechat', headers: {}, rawBody: '{"resource":{}}' }],
      ['not json', { method: 'POST', path: '/pay/notify/wechat', headers: {}, rawBody: 'x' }],
    ]);
  });
});

describe('the skeleton fits Alipay (success / failure, closed events)', () => {
  const ali = keyPair();
  const mer = keyPair();
  const cfg = { url: 'http://127.0.0.1:9', appId: '2021000000000001', sellerId: '2088000000000001', privateKeyFile: file('ali-mer.pem', mer.privateKey), alipayPublicKeyFile: file('ali-pub.pem', ali.publicKey) };
  const adapter = alipayAdapter(cfg);
  type F = Record<string, string>;
  const spec: NotificationSpec<F, F> = {
    decode: (raw) => parseFormStrict(raw.rawBody),
    claimedOrderNo: (f) => f.out_trade_no,
    verify: (f) => (!f.sign ? { ok: false, reason: 'malformed' } : verifyNotification(f, ali.publicKey) ? { ok: true, fields: f } : { ok: false, reason: 'signature' }),
    merchant: (f) => f.app_id === cfg.appId && (!cfg.sellerId || f.seller_id === cfg.sellerId),
    status: (f) => (f.trade_status === 'TRADE_CLOSED' && f.out_trade_no ? 'closed'
      : f.trade_status === 'TRADE_SUCCESS' || f.trade_status === 'TRADE_FINISHED' ? 'paid' : f.trade_status ? 'unsupported' : 'malformed'),
    amount: { unit: 'yuan', of: (f) => f.total_amount },
    paid(f) {
      const when = f.gmt_payment ?? f.send_pay_date;
      const at = when ? parseShanghai(when) : null;
      return f.out_trade_no && f.trade_no && at ? { channelOrderId: f.out_trade_no, orderNo: f.out_trade_no, channelTradeNo: f.trade_no, paidAt: at, payMethod: '支付宝' } : null;
    },
    closed: (f) => ({ channelOrderId: f.out_trade_no!, orderNo: f.out_trade_no! }),
    ack: () => text(200, ALIPAY_ACK),
    nack: () => text(200, ALIPAY_NACK),
  };
  const fields = { notify_time: dashedDateTime(new Date()), notify_type: 'trade_status_sync', notify_id: 'n1', app_id: cfg.appId, charset: 'utf-8', version: '1.0', trade_no: '2026120122001', out_trade_no: 'XF2612010001', seller_id: cfg.sellerId, trade_status: 'TRADE_SUCCESS', total_amount: '9099.95', gmt_payment: '2026-12-01 10:00:00' };
  const note = (f: Record<string, string>, o: { key?: string; tamper?: boolean } = {}) => {
    const s = signNotification(f, o.key ?? ali.privateKey);
    return form('/pay/notify/alipay', encodeForm(o.tamper ? { ...s, total_amount: '0.01' } : s));
  };

  it('answers every input as the adapter does', () => {
    same(adapter, spec as never, [
      ['genuine', note(fields)],
      ['finished', note({ ...fields, trade_status: 'TRADE_FINISHED' })],
      ['closed', note({ ...fields, trade_status: 'TRADE_CLOSED' })],
      ['closed without order', note({ ...fields, trade_status: 'TRADE_CLOSED', out_trade_no: '' })],
      ['waiting', note({ ...fields, trade_status: 'WAIT_BUYER_PAY' })],
      ['no status', note({ ...fields, trade_status: '' })],
      ['tampered', note(fields, { tamper: true })],
      ['other key', note(fields, { key: mer.privateKey })],
      ['other app', note({ ...fields, app_id: '2021999' })],
      ['other seller', note({ ...fields, seller_id: '2088999' })],
      ['unsigned', form('/pay/notify/alipay', encodeForm(fields))],
      ...junk.map(([n, b]): [string, RawNotification] => [n, form('/pay/notify/alipay', b)]),
    ]);
  });

  it('differs on purpose: a signed paid notification with a malformed amount or time is malformed, not unsupported', () => {
    for (const raw of [note({ ...fields, total_amount: '9099.9' }), note({ ...fields, gmt_payment: '' })]) {
      expect(adapter.parseNotification(raw)).toMatchObject({ verified: false, reason: 'unsupported' });
      expect(handleNotification(spec, raw)).toMatchObject({ verified: false, reason: 'malformed' });
    }
  });
});
