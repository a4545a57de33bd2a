// Real messages signed by Alipay, kept in the official Node SDK's tests, through our adapter:
//  - the notification: alipay/alipay-sdk-nodejs-all test/alipay.test.ts, "checkNotifySign(),
//    checkNotifySignV2() › verify sign should delete sign_type › without sign_type arguments verify
//    success" — a trade_status_sync for out_trade_no 20190815155618536-564-57, 0.10 yuan, with the
//    Alipay public key given inline there (notifyAlipayPublicKeyV1);
//  - the gateway answer: the same file, "checkResponseSign › should work" — an
//    alipay_open_file_upload_response verified with test/fixtures/alipay-public-key.pem
//    ("从实测中获取": taken from a real exchange).
// Commit e1676390871eb7a69b4f81aa15de8327ac15738a (release 4.14.0). Data only.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alipayAdapter } from '../../../src/gateways/alipay/adapter';
import { verifyResponse } from '../../../src/gateways/alipay/codec';
import { encodeForm } from '../../../src/gateways/common/crypto';
import { keyPair } from '../channel-keys';
import { ALIPAY_PUBLIC_KEY } from './alipay-fixtures';
import { tempFiles } from '../../helpers/temp-files';

const NOTIFY_PUBLIC_KEY_B64 = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqObrdC7hrgAVM98tK0nv3hSQRGGKT4lBsQjHiGjeYZjOPIPHR5knm2jnnz/YGIXIofVHkA/tAlBAd5DrY7YpvI4tP5EONLtZKC2ghBMx7McI2wRD0xiqzxOQr1FuhZGJ8/AUokBzJrzY+aGX2xcOrxFYRlFilvVLTXg4LWjR1tdPkO6+i7wQZAIVMClPkwVRZEbaERRHlKqTzv2gGv5rDU8gRoe1LeaN+6BlbTqHWkQcNCUNrA8C6l17XAXGKDsm/9TFWwO8EPHHHCaQdjtV5/FdcWIt+L8SR1ss7EXTjYDFtxcKVv9rEoY1lX8T4mX+GbXfZHraG5NCF1+XioL5JwIDAQAB';
const pem = (b64: string) => `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;

/** The notification's fields as Alipay posted them; fund_bill_list is a JSON string on the wire. */
const NOTIFICATION: Record<string, string> = {
  gmt_create: '2019-08-15 15:56:22',
  charset: 'utf-8',
  seller_email: 'z97-yuquerevenue@service.aliyun.com',
  subject: '语雀空间 500人规模',
  sign: 'QfTb8tqE1BMhS5qAnXtvsF3/jBkEvu9q9en0pdbBUDDjvKycZhQb7h8GDs4FKfi049PynaNuatxSgLb/nLWZpXyyh0LEWdK2S6Ri7nPwrVgOs08zugLO20vOQz44y3ti2Ncm8/wZts1Fr2gZ7pShnVX3d1B50hbsXnObT1r/U8ONNQjWXd0HIul4TG+Q3fm3svmSvFEy0WnzuhcyHPX5Gm4ELNctL6Qd5YniGJFNcc7kopHYtI/XD9YCKCH6Ct02rzUs9i11C9CsadtZn+WhxF26Dqt9sGEFajkJ8cxUTLi8+VCpLHsgPE8P0y095uQcDdK0YjCh4x7wVSov+lrmOQ==',
  buyer_id: '2088102534368455',
  invoice_amount: '0.10',
  notify_id: '2019081500222155624068450559358070',
  fund_bill_list: JSON.stringify([{ amount: '0.10', fundChannel: 'ALIPAYACCOUNT' }]),
  notify_type: 'trade_status_sync',
  trade_status: 'TRADE_SUCCESS',
  receipt_amount: '0.10',
  buyer_pay_amount: '0.10',
  sign_type: 'RSA2',
  app_id: '2019073166072302',
  seller_id: '2088531891668739',
  gmt_payment: '2019-08-15 15:56:24',
  notify_time: '2019-08-15 15:56:25',
  version: '1.0',
  out_trade_no: '20190815155618536-564-57',
  total_amount: '0.10',
  trade_no: '2019081522001468450512505578',
  auth_app_id: '2019073166072302',
  buyer_logon_id: 'xud***@126.com',
  point_amount: '0.00',
};

const ANSWER = '{"alipay_open_file_upload_response":{"code":"10000","msg":"Success","file_id":"CAxAToWB1JsAAAAAAAAAAAAADgSLAQBr"},"sign":"F+LDzpTNiavn7xVZPGuPCSSVRSmWzJGgtuji6tVELGEaqMaNj0jRKXUEr5nloZJBBmwEnddOyCjjepMmrTKTvoOqQ0Efxpr/R1iEeHTHVbb/Q8TTh6Up5gHJDkILdaWS2q1cWeQ6VT+HQY9P3WRXS7uhILHuDODIhpAyCu5KhWGt0rMCIG+Im6NODJP2oohtSCtmTFXg58HH587Z2y2bdbjzOxLvzD9IrU1imghXQ2S/Q+wMIvRk9on6cWnBLkrNvJKapA2ReNGWOwyuASvB9zDVzhMPbR+3mfRGkVDxsq5HYLjBKGskJMXHw0HuugZij6ScRuaLPODhmHwr/pJ9yw=="}';

const { dir, file } = tempFiles('alipay-vectors-');
// Our own app key: only Alipay's public key matters for verifying what Alipay signed.
const appKey = file('app-private.pem', keyPair().privateKey);
const adapter = alipayAdapter({
  url: 'http://127.0.0.1:9', appId: '2019073166072302', sellerId: '2088531891668739', privateKeyFile: appKey, alipayPublicKeyFile: file('notify-public.pem', pem(NOTIFY_PUBLIC_KEY_B64)),
});
const raw = (fields: Record<string, string>) => ({ method: 'POST', path: '/pay/notify/alipay', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, rawBody: encodeForm(fields) });

describe('a real Alipay notification (alipay-sdk-nodejs-all test/alipay.test.ts)', () => {
  it('verifies through parseNotification and becomes a paid event of 0.10, acknowledged with exactly "success"', () => {
    const n = adapter.parseNotification(raw(NOTIFICATION));
    expect(n.verified).toBe(true);
    if (!n.verified) return;
    expect(n.event).toMatchObject({ kind: 'paid', orderNo: '20190815155618536-564-57', channelTradeNo: '2019081522001468450512505578' });
    expect(n.event.kind === 'paid' && n.event.amount.toFixed(2)).toBe('0.10');
    expect(n.event.kind === 'paid' && n.event.paidAt.toISOString()).toBe('2019-08-15T07:56:24.000Z');
    expect(n.ack).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' });
  });

  it('a tampered copy is refused: amount, order number, or a field added after signing', () => {
    const tampered: Record<string, string>[] = [{ total_amount: '100.10' }, { out_trade_no: '20190815155618536-564-58' }, { subject: '语雀空间 501人规模' }, { passback_params: 'x' }];
    for (const t of tampered) {
      const n = adapter.parseNotification(raw({ ...NOTIFICATION, ...t }));
      expect(n).toMatchObject({ verified: false, reason: 'signature' });
    }
    // Repeating a field (two total_amount values) is refused before any signature check.
    const doubled = `${encodeForm(NOTIFICATION)}&total_amount=9.99`;
    expect(adapter.parseNotification({ ...raw(NOTIFICATION), rawBody: doubled })).toMatchObject({ verified: false, reason: 'malformed' });
  });

  it('signed by Alipay but for another app: refused as merchant', () => {
    const other = alipayAdapter({ url: 'http://127.0.0.1:9', appId: '2021000000000001', sellerId: '2088531891668739', privateKeyFile: appKey, alipayPublicKeyFile: path.join(dir, 'notify-public.pem') });
    expect(other.parseNotification(raw(NOTIFICATION))).toMatchObject({ verified: false, reason: 'merchant' });
  });
});

describe('a real Alipay gateway answer (alipay-sdk-nodejs-all test/alipay.test.ts, checkResponseSign)', () => {
  it('passes the answer verifier the adapter uses, over the response text as sent', () => {
    const v = verifyResponse(ANSWER, 'alipay.open.file.upload', ALIPAY_PUBLIC_KEY);
    expect(v).toEqual({ ok: true, response: { code: '10000', msg: 'Success', file_id: 'CAxAToWB1JsAAAAAAAAAAAAADgSLAQBr' } });
  });

  it('a tampered copy is refused', () => {
    expect(verifyResponse(ANSWER.replace('CAxAToWB1Js', 'CAxAToWB1Jt'), 'alipay.open.file.upload', ALIPAY_PUBLIC_KEY)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyResponse(ANSWER.replace('"code":"10000"', '"code": "10000"'), 'alipay.open.file.upload', ALIPAY_PUBLIC_KEY)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyResponse(ANSWER.replace('"sign":"F+', '"sign":"G+'), 'alipay.open.file.upload', ALIPAY_PUBLIC_KEY).ok).toBe(false);
    // The right text under another method's key is not this answer.
    expect(verifyResponse(ANSWER, 'alipay.trade.query', ALIPAY_PUBLIC_KEY).ok).toBe(false);
    expect(verifyResponse(ANSWER, 'alipay.open.file.upload', pem(NOTIFY_PUBLIC_KEY_B64))).toEqual({ ok: false, reason: 'signature' });
  });
});
