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
import { type ChannelAnswer, type ChannelAdapter, type ParsedNotification, type RawNotification } from '../../src/gateways/types';
import { keyPair } from './channel-keys';


const dir = mkdtempSync(path.join(tmpdir(), 'fit-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const text = (status: number, body: string): ChannelAnswer => ({ status, contentType: 'text/plain; charset=utf-8', body });

/** Same answer from the adapter and from the skeleton with the spec, for every input. */
function same(adapter: ChannelAdapter, spec: NotificationSpec<never, never>, inputs: [string, RawNotification][]) {
  // An absent or empty claimed number is null in the skeleton (the service records either as none).
  const norm = (p: ParsedNotification) => (p.verified ? p : { ...p, claimedOrderNo: p.claimedOrderNo || null });
  for (const [name, raw] of inputs) expect(norm(handleNotification(spec, raw)), name).toEqual(norm(adapter.parseNotification(raw)));
}

const form = (p: string, body: string): RawNotification => ({ method: 'POST', path: p, headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: body });
const junk: [string, string][] = [['empty', ''], ['garbage', '%%%&&=='], ['repeated field', 'a=1&a=2'], ['json', '{"a":1}']];

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
