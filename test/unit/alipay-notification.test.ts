// The Alipay adapter's parseNotification, now the shared skeleton with Alipay's spec: the corpus
// the skeleton was first fitted on (genuine, forged, foreign, unsupported, malformed), with the
// answer Alipay is given each time: exactly `success` stops its retries, `failure` does not.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alipayAdapter } from '../../src/gateways/alipay/adapter';
import { signNotification } from '../../src/gateways/alipay/codec';
import { dashedDateTime, encodeForm } from '../../src/gateways/common/crypto';
import type { RawNotification } from '../../src/gateways/types';
import { keyPair } from './channel-keys';
import { tempFiles } from '../helpers/temp-files';

const { dir, file } = tempFiles('alipay-notify-');
const ali = keyPair();
const mer = keyPair();
const cfg = { url: 'http://127.0.0.1:9', appId: '2021000000000001', sellerId: '2088000000000001', privateKeyFile: file('mer.pem', mer.privateKey), alipayPublicKeyFile: file('ali.pem', ali.publicKey) };
const adapter = alipayAdapter(cfg);
const SUCCESS = { status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' };
const FAILURE = { status: 200, contentType: 'text/plain; charset=utf-8', body: 'failure' };

const form = (body: string): RawNotification => ({ method: 'POST', path: '/pay/notify/alipay', headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: body });
const fields = {
  notify_time: dashedDateTime(new Date()), notify_type: 'trade_status_sync', notify_id: 'n1', app_id: cfg.appId, charset: 'utf-8', version: '1.0',
  trade_no: '2026120122001', out_trade_no: 'XF2612010001', seller_id: cfg.sellerId, trade_status: 'TRADE_SUCCESS', total_amount: '9099.95', gmt_payment: '2026-12-01 10:00:00',
};
const note = (f: Record<string, string>, o: { key?: string; tamper?: boolean } = {}) => {
  const s = signNotification(f, o.key ?? ali.privateKey);
  return form(encodeForm(o.tamper ? { ...s, total_amount: '0.01' } : s));
};

describe('Alipay notifications through the skeleton', () => {
  it('a paid one (TRADE_SUCCESS or TRADE_FINISHED) is the payment, exact to the fen, answered success', () => {
    for (const status of ['TRADE_SUCCESS', 'TRADE_FINISHED']) {
      const p = adapter.parseNotification(note({ ...fields, trade_status: status }));
      expect(p).toMatchObject({ verified: true, ack: SUCCESS, nack: FAILURE, event: { kind: 'paid', orderNo: 'XF2612010001', channelOrderId: 'XF2612010001', channelTradeNo: '2026120122001', payMethod: '支付宝' } });
      if (!p.verified || p.event.kind !== 'paid') throw new Error('not paid');
      expect(p.event.amount.toFixed(2)).toBe('9099.95');
      expect(p.event.paidAt.toISOString()).toBe('2026-12-01T02:00:00.000Z');
    }
  });

  it('TRADE_CLOSED with its order number is a close; without one it is not ours to act on', () => {
    expect(adapter.parseNotification(note({ ...fields, trade_status: 'TRADE_CLOSED' }))).toEqual({
      verified: true, event: { kind: 'closed', channelOrderId: 'XF2612010001', orderNo: 'XF2612010001' }, ack: SUCCESS, nack: FAILURE,
    });
    expect(adapter.parseNotification(note({ ...fields, trade_status: 'TRADE_CLOSED', out_trade_no: '' }))).toEqual({ verified: false, reason: 'unsupported', nack: FAILURE, claimedOrderNo: null });
  });

  it('refuses forged, foreign, unsupported and malformed ones, answering failure', () => {
    const cases: [string, RawNotification, string][] = [
      ['tampered', note(fields, { tamper: true }), 'signature'],
      ['other key', note(fields, { key: mer.privateKey }), 'signature'],
      ['other app', note({ ...fields, app_id: '2021999' }), 'merchant'],
      ['other seller', note({ ...fields, seller_id: '2088999' }), 'merchant'],
      ['waiting', note({ ...fields, trade_status: 'WAIT_BUYER_PAY' }), 'unsupported'],
      ['no status', note({ ...fields, trade_status: '' }), 'malformed'],
      ['one decimal', note({ ...fields, total_amount: '9099.9' }), 'malformed'],
      ['zero', note({ ...fields, total_amount: '0.00' }), 'malformed'],
      ['no payment time', note({ ...fields, gmt_payment: '' }), 'malformed'],
      ['unsigned', form(encodeForm(fields)), 'malformed'],
    ];
    for (const [name, raw, reason] of cases) {
      expect(adapter.parseNotification(raw), name).toEqual({ verified: false, reason, nack: FAILURE, claimedOrderNo: 'XF2612010001' });
    }
    for (const body of ['', '%%%&&==', 'a=1&a=2', '{"a":1}']) {
      expect(adapter.parseNotification(form(body)), body).toMatchObject({ verified: false, reason: 'malformed', nack: FAILURE, claimedOrderNo: null });
    }
  });

  it('with our keys unreadable: recorded unsupported, answered failure so that Alipay sends it again', () => {
    const broken = alipayAdapter({ ...cfg, alipayPublicKeyFile: path.join(dir, 'missing.pem') });
    expect(broken.parseNotification(note(fields))).toEqual({ verified: false, reason: 'unsupported', nack: FAILURE, claimedOrderNo: 'XF2612010001' });
  });
});
