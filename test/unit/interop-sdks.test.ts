// Our codecs against the channels' well-used SDKs, both ways, with local keys and no network:
// alipay-sdk (Alipay's own Node SDK) and wechatpay-axios-plugin (the widely used WeChat Pay v3
// toolkit). If either side drifts from the real protocol, one of these breaks.
import { AlipaySdk } from 'alipay-sdk';
import { describe, expect, it } from 'vitest';
import wxpay from 'wechatpay-axios-plugin';
import { encodeForm, parseFormStrict, rsaSign } from '../../src/gateways/common/crypto';
import * as ali from '../../src/gateways/alipay/codec';
import * as wx from '../../src/gateways/wechat/codec';
import { keyPair } from './channel-keys';

const { Rsa, Aes, Formatter, Decorator } = wxpay as unknown as {
  Rsa: { sign(m: string, k: unknown): string; verify(m: string, s: string, k: unknown): boolean; from(k: string, t?: string): unknown };
  Aes: { AesGcm: { encrypt(p: string, k: string, iv: string, aad?: string): string; decrypt(c: string, k: string, iv: string, aad?: string): string } };
  Formatter: { request(m: string, u: string, t: string, n: string, b?: string): string; response(t: string, n: string, b?: string): string; authorization(mchid: string, n: string, s: string, t: string, serial: string): string; nonce(n?: number): string; timestamp(): number };
  Decorator: { responseVerifier(certs: Record<string, string>): (this: { url: string }, data: string, headers: Record<string, string>, status?: number) => unknown };
};

const app = keyPair();
const alipay = keyPair();
const sdk = new AlipaySdk({ appId: '2021000000000001', privateKey: app.privateKey, alipayPublicKey: alipay.publicKey, keyType: 'PKCS8' });

describe('Alipay: our RSA2 codec and alipay-sdk agree', () => {
  it('a request signed by the SDK verifies in our code', () => {
    // sdkExecute returns the SDK's signed parameters as a URL-encoded string.
    const p = parseFormStrict(sdk.sdkExecute('alipay.trade.precreate', { bizContent: { out_trade_no: 'XF200216LUT000001', total_amount: '9099.95', subject: '兰州理工大学 医疗保险' } }))!;
    expect(ali.verifyRequest(p, app.publicKey)).toBe(true);
    expect(ali.verifyRequest({ ...p, biz_content: p.biz_content!.replace('9099.95', '9099.94') }, app.publicKey)).toBe(false);
  });

  it('a request signed by our code verifies with the SDK\'s own verifier', () => {
    const p = ali.signedRequest({ appId: '2021000000000001', method: 'alipay.trade.query', biz: { out_trade_no: 'XF1', subject: '医疗保险' }, privateKeyPem: app.privateKey });
    const appSide = new AlipaySdk({ appId: 'x', privateKey: alipay.privateKey, alipayPublicKey: app.publicKey, keyType: 'PKCS8' });
    // Requests sign sign_type too: rsaCheck over everything but sign.
    expect(appSide.rsaCheck(ali.signContent(p), p.sign!, 'RSA2')).toBe(true);
  });

  it('a notification signed by our sandbox code verifies in the SDK (checkNotifySignV2), and one signed like Alipay verifies in ours', () => {
    const n = ali.signNotification({ out_trade_no: 'XF200216LUT000001', total_amount: '249.99', subject: '兰州理工大学 2019年度 医疗保险', trade_status: 'TRADE_SUCCESS', notify_time: '2020-02-14 20:58:01' }, alipay.privateKey);
    const received = parseFormStrict(encodeForm(n))!;
    expect(sdk.checkNotifySignV2(received)).toBe(true);
    expect(sdk.checkNotifySignV2({ ...received, total_amount: '249.98' })).toBe(false);
    expect(ali.verifyNotification(received, alipay.publicKey)).toBe(true);
  });

  it('a gateway answer signed by our sandbox passes the SDK\'s checkResponseSign over the exact substring', () => {
    const body = ali.signedResponse('alipay.trade.precreate', { code: '10000', msg: 'Success', out_trade_no: 'XF1', qr_code: 'https://qr.alipay.com/bax03431', subject: '医疗保险' }, alipay.privateKey);
    const sign = (JSON.parse(body) as { sign: string }).sign;
    expect(() => sdk.checkResponseSign(body, 'alipay_trade_precreate_response', sign, 't')).not.toThrow();
    expect(() => sdk.checkResponseSign(body.replace('XF1', 'XF2'), 'alipay_trade_precreate_response', sign, 't')).toThrow();
    // An answer spaced as a real gateway may space it: the signature is over the object's own text.
    const text = '{"code":"10000","msg":"Success","total_amount":"9099.95"}';
    const spaced = `{ "alipay_trade_query_response" : ${text} , "sign":"${rsaSign(text, alipay.privateKey)}"}`;
    expect(ali.verifyResponse(spaced, 'alipay.trade.query', alipay.publicKey).ok).toBe(true);
  });
});

const mch = keyPair();
const platform = keyPair();
const APIV3 = '0123456789abcdef0123456789ABCDEF';
const PUB_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';

describe('WeChat Pay v3: our codec and wechatpay-axios-plugin agree', () => {
  it('an Authorization made by the SDK verifies in our sandbox code, and ours verifies with the SDK', () => {
    const body = JSON.stringify({ appid: 'wx1', mchid: '1900000001', description: '兰州理工大学 医疗保险', out_trade_no: 'XF1', amount: { total: 24999, currency: 'CNY' } });
    const ts = String(Formatter.timestamp());
    const n = Formatter.nonce();
    const sig = Rsa.sign(Formatter.request('POST', '/v3/pay/transactions/native', ts, n, body), Rsa.from(mch.privateKey));
    const header = Formatter.authorization('1900000001', n, sig, ts, 'MCHSERIAL');
    expect(wx.verifyRequest({ method: 'POST', pathWithQuery: '/v3/pay/transactions/native', body, authorization: header }, { '1900000001:MCHSERIAL': mch.publicKey })).toEqual({ ok: true, mchid: '1900000001' });

    const ours = wx.parseAuthorization(wx.authorization({ mchid: '1900000001', serialNo: 'MCHSERIAL', privateKeyPem: mch.privateKey }, 'GET', '/v3/pay/transactions/out-trade-no/XF1?mchid=1900000001', ''))!;
    expect(Rsa.verify(Formatter.request('GET', '/v3/pay/transactions/out-trade-no/XF1?mchid=1900000001', ours.timestamp!, ours.nonce_str!, ''), ours.signature!, Rsa.from(mch.publicKey, 'public'))).toBe(true);
  });

  it('responses and notifications signed by our sandbox pass the SDK\'s responseVerifier, in both key modes; the SDK\'s signature verifies in ours', () => {
    const body = '{"code_url":"weixin://wxpay/bizpayurl?pr=abc"}';
    for (const id of [SERIAL, PUB_ID]) {
      const h = wx.signedHeaders(body, id, platform.privateKey);
      const verifier = Decorator.responseVerifier({ [id]: Rsa.from(platform.publicKey, 'public') as string });
      expect(verifier.call({ url: '/v3/pay/transactions/native' }, body, h)).toBe(body);
      const bad = verifier.call({ url: '/v3/pay/transactions/native' }, `${body} `, h);
      expect(bad).toBeInstanceOf(Error);

      const ts = String(Formatter.timestamp());
      const n = Formatter.nonce();
      const sdkSig = Rsa.sign(Formatter.response(ts, n, body), Rsa.from(platform.privateKey));
      expect(wx.verifySigned({ 'wechatpay-timestamp': ts, 'wechatpay-nonce': n, 'wechatpay-signature': sdkSig, 'wechatpay-serial': id }, body, { [id]: platform.publicKey })).toEqual({ ok: true });
    }
  });

  it('a resource encrypted by the SDK decrypts in ours, and ours decrypts in the SDK', () => {
    const plain = JSON.stringify({ out_trade_no: 'XF1', trade_state: 'SUCCESS', amount: { total: 9999999999 }, attach: '医疗保险' });
    const iv = 'abcdef123456';
    const c = Aes.AesGcm.encrypt(plain, APIV3, iv, 'transaction');
    expect(wx.decryptResource({ algorithm: 'AEAD_AES_256_GCM', ciphertext: c, nonce: iv, associated_data: 'transaction' }, APIV3)).toBe(plain);
    const r = wx.encryptResource(plain, APIV3, 'transaction');
    expect(Aes.AesGcm.decrypt(r.ciphertext, APIV3, r.nonce, r.associated_data)).toBe(plain);
  });
});
