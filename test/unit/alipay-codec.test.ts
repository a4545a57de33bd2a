import { describe, expect, it } from 'vitest';
import { parseFormStrict, encodeForm } from '../../src/gateways/common/crypto';
import { signContent, signedRequest, signedResponse, signNotification, verifyNotification, verifyRequest, verifyResponse } from '../../src/gateways/alipay/codec';
import { AMOUNTS, keyPair } from './channel-keys';

const app = keyPair();
const ali = keyPair();

describe('Alipay RSA2 codec', () => {
  it('sorts, drops empty values and leaves out sign (and sign_type for notifications)', () => {
    const p = { b: '2', a: '1', c: '', sign: 'x', sign_type: 'RSA2' };
    expect(signContent(p)).toBe('a=1&b=2&sign_type=RSA2');
    expect(signContent(p, ['sign', 'sign_type'])).toBe('a=1&b=2');
  });

  it('signs a request the gateway verifies, and a changed field fails', () => {
    const p = signedRequest({ appId: '2021000000000001', method: 'alipay.trade.precreate', biz: { out_trade_no: 'XF200216LUT000001', total_amount: '9099.95', subject: '兰州理工大学 医疗保险' }, privateKeyPem: app.privateKey });
    expect(verifyRequest(p, app.publicKey)).toBe(true);
    expect(verifyRequest({ ...p, biz_content: p.biz_content!.replace('9099.95', '9099.96') }, app.publicKey)).toBe(false);
    expect(verifyRequest(p, ali.publicKey)).toBe(false);
  });

  it('verifies a response over the exact response text, whatever the spacing', () => {
    const body = signedResponse('alipay.trade.query', { code: '10000', msg: 'Success', total_amount: '249.99', subject: '医疗保险' }, ali.privateKey);
    const v = verifyResponse(body, 'alipay.trade.query', ali.publicKey);
    expect(v.ok && v.response.total_amount).toBe('249.99');
    expect(verifyResponse(body.replace('249.99', '249.98'), 'alipay.trade.query', ali.publicKey).ok).toBe(false);
    expect(verifyResponse(body, 'alipay.trade.close', ali.publicKey).ok).toBe(false);
    expect(verifyResponse(body, 'alipay.trade.query', app.publicKey)).toEqual({ ok: false, reason: 'signature' });
  });

  it('verifies a notification on the decoded values as received; Chinese and the four amounts survive the form encoding', () => {
    for (const amount of AMOUNTS) {
      const n = signNotification({ out_trade_no: 'XF200216LUT000001', total_amount: amount, subject: '兰州理工大学 2019年度 医疗保险', trade_status: 'TRADE_SUCCESS', app_id: 'A1' }, ali.privateKey);
      const received = parseFormStrict(encodeForm(n))!;
      expect(received.total_amount).toBe(amount);
      expect(received.subject).toBe('兰州理工大学 2019年度 医疗保险');
      expect(verifyNotification(received, ali.publicKey)).toBe(true);
      expect(verifyNotification({ ...received, total_amount: '1.00' }, ali.publicKey)).toBe(false);
    }
  });

  it('refuses a repeated form field', () => {
    expect(parseFormStrict('a=1&a=2')).toBeNull();
  });
});
