// ICBC notifications through the adapter's parseNotification (the shared skeleton with ICBC's
// spec): each refusal's reason and the exact answer ICBC gets back — the merchant's signed JSON
// `{"response_biz_content":{return_code, return_msg, msg_id},"sign_type","sign"}` echoing ICBC's
// msg_id (the notify sample kept as zhongliudizhu/springBoot-Moudle
// src/main/java/com/winstar/NotifyUrlServlet.java; rules cited in src/gateways/icbc/codec.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashedDateTime, encodeForm } from '../../src/gateways/common/crypto';
import { icbcAdapter } from '../../src/gateways/icbc/adapter';
import { API, sign, verifyNotifyAnswer, type SignType } from '../../src/gateways/icbc/codec';
import type { ChannelAnswer, RawNotification } from '../../src/gateways/types';
import { keyPair } from './channel-keys';

const dir = mkdtempSync(path.join(tmpdir(), 'icbc-answers-'));
const gw = keyPair();
const mer = keyPair();
const other = keyPair();
writeFileSync(path.join(dir, 'mer.pem'), mer.privateKey);
writeFileSync(path.join(dir, 'gw.pem'), gw.publicKey);
const NOTIFY_PATH = '/pay/notify/icbc';
const adapter = (o: { signType?: SignType; merKey?: string } = {}) => icbcAdapter({
  url: 'http://127.0.0.1:9', appId: '10000000000000001', merId: '020001040156', merPrtclNo: '0200010401560201',
  privateKeyFile: path.join(dir, o.merKey ?? 'mer.pem'), icbcPublicKeyFile: path.join(dir, 'gw.pem'), signType: o.signType ?? 'RSA2', notifyPath: NOTIFY_PATH,
});
const BIZ = { msg_id: 'M0001', mer_id: '020001040156', out_trade_no: 'XF2612010001', order_id: '020001040156000522612010000001', total_amt: '909995', pay_time: '20261201100000', return_code: '0', return_msg: '交易成功' };
const note = (biz: Record<string, unknown> | string, o: { key?: string; notifyPath?: string; appId?: string; signType?: string; tamper?: boolean } = {}): RawNotification => {
  const f = sign(o.notifyPath ?? NOTIFY_PATH, {
    from: 'icbc-api', api: API.pay, app_id: o.appId ?? '10000000000000001', charset: 'UTF-8', format: 'json', sign_type: o.signType ?? 'RSA',
    timestamp: dashedDateTime(new Date()), biz_content: typeof biz === 'string' ? biz : JSON.stringify(biz),
  }, o.key ?? gw.privateKey);
  if (o.tamper) f.biz_content = f.biz_content!.replace('909995', '909996');
  // Arriving on another path than the registered one: only the registered notify path is signed.
  return { method: 'POST', path: '/proxy/icbc', headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: encodeForm(f) };
};
/** The answer's biz, its signature checked with the merchant's public key in the registered type. */
const said = (a: ChannelAnswer, signType: SignType = 'RSA2') => {
  expect(a.status).toBe(200);
  expect(a.contentType).toBe('application/json; charset=utf-8');
  return verifyNotifyAnswer(a.body, mer.publicKey, signType);
};

describe('ICBC notifications through the skeleton', () => {
  it('a genuine paid notification is verified, exact to the fen, and acknowledged with return_code 0 echoing msg_id', () => {
    for (const signType of ['RSA', 'RSA2'] as const) {
      const r = adapter({ signType }).parseNotification(note(BIZ));
      expect(r.verified).toBe(true);
      if (!r.verified) return;
      expect(r.event).toMatchObject({ kind: 'paid', orderNo: 'XF2612010001', channelOrderId: 'XF2612010001', channelTradeNo: BIZ.order_id, payMethod: '工银e支付' });
      expect(r.event.kind === 'paid' && r.event.amount.toFixed(2)).toBe('9099.95');
      expect(said(r.ack, signType)).toEqual({ return_code: 0, return_msg: 'success', msg_id: 'M0001' });
      // Verified but not recorded: ICBC is asked to send it again.
      expect(said(r.nack, signType)).toEqual({ return_code: -1, return_msg: 'fail', msg_id: 'M0001' });
    }
    // A numeric return_code and pay_status "0" are the same payment.
    expect(adapter().parseNotification(note({ ...BIZ, return_code: 0, pay_status: '0' })).verified).toBe(true);
  });

  it('a bad signature (tampered, other key, other path, sign_type RSA2) is answered -12345 icbc sign not pass.', () => {
    for (const o of [{ tamper: true }, { key: other.privateKey }, { notifyPath: '/proxy/icbc' }, { signType: 'RSA2' }]) {
      const r = adapter().parseNotification(note(BIZ, o));
      expect(r, JSON.stringify(o)).toMatchObject({ verified: false, reason: 'signature', claimedOrderNo: 'XF2612010001' });
      expect(said(r.nack)).toEqual({ return_code: -12345, return_msg: 'icbc sign not pass.', msg_id: 'M0001' });
    }
  });

  it('another app or merchant is refused -1 fail', () => {
    for (const raw of [note(BIZ, { appId: '10000000000000999' }), note({ ...BIZ, mer_id: '020001040157' })]) {
      const r = adapter().parseNotification(raw);
      expect(r).toMatchObject({ verified: false, reason: 'merchant' });
      expect(said(r.nack)).toEqual({ return_code: -1, return_msg: 'fail', msg_id: 'M0001' });
    }
  });

  it("ICBC's own 交易失败 (return_code ≠ 0) is acknowledged, not credited; a pay_status other than 0 is refused", () => {
    const failed = adapter().parseNotification(note({ ...BIZ, return_code: '1', return_msg: '交易失败' }));
    expect(failed).toMatchObject({ verified: false, reason: 'unsupported' });
    expect(said(failed.nack)).toEqual({ return_code: 0, return_msg: 'success', msg_id: 'M0001' });
    const unpaid = adapter().parseNotification(note({ ...BIZ, pay_status: '1' }));
    expect(unpaid).toMatchObject({ verified: false, reason: 'unsupported' });
    expect(said(unpaid.nack)).toEqual({ return_code: -1, return_msg: 'fail', msg_id: 'M0001' });
  });

  it('an amount not in integer fen (or zero), a missing order_id or a bad pay_time is malformed', () => {
    const bad: Record<string, unknown>[] = [
      { total_amt: '9099.95' }, { total_amt: '0909995' }, { total_amt: 909995 }, { total_amt: '-1' }, { total_amt: '0' },
      { order_id: undefined }, { pay_time: '2026-12-01' }, { pay_time: undefined },
    ];
    for (const b of bad) {
      const r = adapter().parseNotification(note({ ...BIZ, ...b }));
      expect(r, JSON.stringify(b)).toMatchObject({ verified: false, reason: 'malformed', claimedOrderNo: 'XF2612010001' });
      expect(said(r.nack)).toEqual({ return_code: -1, return_msg: 'fail', msg_id: 'M0001' });
    }
  });

  it('what is not a notification is malformed and answered -1 fail with no msg_id', () => {
    const raws = ['', '%%%&&==', 'a=1&a=2', '{"a":1}', 'app_id=1&sign=x'].map((rawBody) => ({ method: 'POST', path: NOTIFY_PATH, headers: {}, rawBody }));
    for (const raw of [...raws, note('{not json')]) {
      const r = adapter().parseNotification(raw);
      expect(r, raw.rawBody.slice(0, 40)).toMatchObject({ verified: false, reason: 'malformed', claimedOrderNo: null });
      expect(said(r.nack)).toEqual({ return_code: -1, return_msg: 'fail', msg_id: '' });
    }
  });

  it('without our keys nothing is acknowledged: 500 keys unavailable, and ICBC retries', () => {
    const r = adapter({ merKey: 'missing.pem' }).parseNotification(note(BIZ));
    expect(r).toMatchObject({ verified: false, reason: 'unsupported', claimedOrderNo: 'XF2612010001', nack: { status: 500, contentType: 'text/plain', body: 'keys unavailable' } });
  });
});
