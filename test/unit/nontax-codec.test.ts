import { describe, expect, it } from 'vitest';
import { encodeForm, parseForm, signedEnvelope, signedResponse, signingString, verifyEnvelope, verifyResponse } from '../../src/gateways/nontax/codec';
import { nontaxAdapter } from '../../src/gateways/nontax/adapter';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixtureKeyPair } from '../helpers/fixture-keys';

const pair = fixtureKeyPair;
const platform = pair();
const school = pair();

describe('non-tax codec', () => {
  it('signs the sorted non-empty fields except sign, values as received', () => {
    expect(signingString({ b: '2', a: '1', sign: 'x', empty: '', c: 'a&b=c' })).toBe('a=1&b=2&c=a&b=c');
  });

  it('round-trips a signed envelope and refuses any change', () => {
    const fields = signedEnvelope({ merchantId: 'LUT620000001', method: 'bill.notify', biz: { amount: '9100.00', pay_code: '62000026300000000001' }, privateKeyPem: platform.privateKey });
    const body = encodeForm(fields);
    const ok = verifyEnvelope(body, platform.publicKey);
    expect(ok.ok && ok.biz.amount).toBe('9100.00');
    expect(verifyEnvelope(body.replace('9100.00', '9100.01'), platform.publicKey)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyEnvelope(body, school.publicKey)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyEnvelope(`${body}&amount=1`, platform.publicKey).ok).toBe(false);
    expect(verifyEnvelope(`${body}&sign=AAAA`, platform.publicKey)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a repeated field rather than guessing which copy was signed', () => {
    expect(parseForm('a=1&a=2')).toBeNull();
    expect(parseForm('a=1&b=%E5%BC%A0')).toEqual({ a: '1', b: '张' });
  });

  it('verifies responses over the exact response text', () => {
    const r = signedResponse({ code: '0000', pay_code: '62000026300000000001' }, platform.privateKey);
    expect(verifyResponse(r, platform.publicKey)).toEqual({ ok: true, response: { code: '0000', pay_code: '62000026300000000001' } });
    expect(verifyResponse({ ...r, response: r.response.replace('0000', '0001') }, platform.publicKey).ok).toBe(false);
    expect(verifyResponse('nonsense', platform.publicKey).ok).toBe(false);
  });
});

describe('non-tax adapter: parseNotification', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nontax-'));
  writeFileSync(path.join(dir, 'school.pem'), school.privateKey);
  writeFileSync(path.join(dir, 'platform.pem'), platform.publicKey);
  const adapter = nontaxAdapter({ url: 'http://127.0.0.1:9', merchantId: 'LUT620000001', areaCode: '620000', privateKeyFile: path.join(dir, 'school.pem'), platformKeyFile: path.join(dir, 'platform.pem') });
  const raw = (merchantId: string, biz: object) => ({
    method: 'POST', path: '/pay/notify/nontax', headers: {},
    rawBody: encodeForm(signedEnvelope({ merchantId, method: 'bill.notify', biz, privateKeyPem: platform.privateKey })),
  });
  const biz = { pay_code: '62000026300000000001', out_bill_no: 'XF261128LUT000001', amount: '9100.00', status: 'PAID', trade_no: 'NT1', paid_time: '2026-11-28 10:00:00', pay_channel: 'alipay' };

  it('turns a signed PAID notification into a verified event with a Decimal amount and Shanghai time', () => {
    const p = adapter.parseNotification(raw('LUT620000001', biz));
    expect(p.verified).toBe(true);
    if (p.verified && p.event.kind === 'paid') {
      expect(p.event.amount.toFixed(2)).toBe('9100.00');
      expect(p.event.paidAt.toISOString()).toBe('2026-11-28T02:00:00.000Z');
      expect(p.ack.body).toBe('SUCCESS');
    }
  });

  it('refuses another merchant and a malformed amount, answering FAIL', () => {
    const other = adapter.parseNotification(raw('OTHER0001', biz));
    expect(other).toMatchObject({ verified: false, reason: 'merchant', nack: { body: 'FAIL' }, claimedOrderNo: 'XF261128LUT000001' });
    expect(adapter.parseNotification(raw('LUT620000001', { ...biz, amount: '9100.001' }))).toMatchObject({ verified: false, reason: 'malformed' });
    expect(adapter.parseNotification(raw('LUT620000001', { ...biz, amount: 9100 }))).toMatchObject({ verified: false, reason: 'malformed' });
  });
});
