// The notification skeleton fits the four card and wallet adapters as they are: each spec below
// is written against that channel's codec only (what its adapter's parseNotification would
// become), and gives the same ParsedNotification as today's adapter on a corpus of genuine,
// forged, foreign, unsupported and malformed notifications. The lead moves each spec into its
// adapter (using the adapter's own paidEvent) and then drops that channel's block here.
// Deliberate difference: the skeleton refuses an amount of zero.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { handleNotification, type NotificationSpec } from '../../src/gateways/common/notification';
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
type Rec = Record<string, unknown>;

/** Same answer from the adapter and from the skeleton with the spec, for every input. */
function same(adapter: ChannelAdapter, spec: NotificationSpec<never, never>, inputs: [string, RawNotification][]) {
  // An absent or empty claimed number is null in the skeleton (the service records either as none).
  const norm = (p: ParsedNotification) => (p.verified ? p : { ...p, claimedOrderNo: p.claimedOrderNo || null });
  for (const [name, raw] of inputs) expect(norm(handleNotification(spec, raw)), name).toEqual(norm(adapter.parseNotification(raw)));
}


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
