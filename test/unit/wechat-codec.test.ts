import { describe, expect, it } from 'vitest';
import { toFen, fromFen } from '../../src/domain/money';
import { authorization, decryptResource, encryptResource, signedHeaders, verifyRequest, verifySigned } from '../../src/gateways/wechat/codec';
import { AMOUNTS, FEN_OF, keyPair } from './channel-keys';

const mch = keyPair();
const wx = keyPair();
const APIV3 = '0123456789abcdef0123456789ABCDEF';
const SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
const PUB_ID = 'PUB_KEY_ID_0114232134912410000000000000';

describe('WeChat Pay v3 codec', () => {
  it('signs the Authorization header the platform verifies', () => {
    const body = JSON.stringify({ description: '兰州理工大学 医疗保险', amount: { total: 24999 } });
    const auth = authorization({ mchid: '1900000001', serialNo: 'ABC', privateKeyPem: mch.privateKey }, 'POST', '/v3/pay/transactions/native', body);
    expect(auth).toMatch(/^WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="\w+",signature="[^"]+",timestamp="\d+",serial_no="ABC"$/);
    const keys = { '1900000001:ABC': mch.publicKey };
    expect(verifyRequest({ method: 'POST', pathWithQuery: '/v3/pay/transactions/native', body, authorization: auth }, keys)).toEqual({ ok: true, mchid: '1900000001' });
    expect(verifyRequest({ method: 'POST', pathWithQuery: '/v3/pay/transactions/native', body: body.replace('24999', '24998'), authorization: auth }, keys).ok).toBe(false);
  });

  it('verifies responses in both the certificate-serial and the public-key-id mode', () => {
    const body = '{"code_url":"weixin://wxpay/bizpayurl?pr=abc"}';
    for (const id of [SERIAL, PUB_ID]) {
      const h = signedHeaders(body, id, wx.privateKey);
      expect(verifySigned(h, body, { [id]: wx.publicKey })).toEqual({ ok: true });
      expect(verifySigned(h, body, { OTHER: wx.publicKey })).toEqual({ ok: false, reason: 'unknown_key' });
      expect(verifySigned(h, `${body} `, { [id]: wx.publicKey })).toEqual({ ok: false, reason: 'signature' });
    }
  });

  it('refuses a timestamp more than 5 minutes off, either way', () => {
    const body = '{}';
    const now = Date.now();
    const old = signedHeaders(body, PUB_ID, wx.privateKey, String(Math.floor(now / 1000) - 301));
    const future = signedHeaders(body, PUB_ID, wx.privateKey, String(Math.floor(now / 1000) + 301));
    const near = signedHeaders(body, PUB_ID, wx.privateKey, String(Math.floor(now / 1000) - 290));
    expect(verifySigned(old, body, { [PUB_ID]: wx.publicKey }, now)).toEqual({ ok: false, reason: 'timestamp' });
    expect(verifySigned(future, body, { [PUB_ID]: wx.publicKey }, now)).toEqual({ ok: false, reason: 'timestamp' });
    expect(verifySigned(near, body, { [PUB_ID]: wx.publicKey }, now)).toEqual({ ok: true });
  });

  it('decrypts the AES-256-GCM resource with the APIv3 key and associated data; anything altered fails', () => {
    const plain = JSON.stringify({ out_trade_no: 'XF200216LUT000001', amount: { total: 909995 }, attach: '医疗保险' });
    const r = encryptResource(plain, APIV3, 'transaction');
    expect(decryptResource(r, APIV3)).toBe(plain);
    expect(decryptResource({ ...r, associated_data: 'other' }, APIV3)).toBeNull();
    expect(decryptResource(r, 'X'.repeat(32))).toBeNull();
    const bytes = Buffer.from(r.ciphertext, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    expect(decryptResource({ ...r, ciphertext: bytes.toString('base64') }, APIV3)).toBeNull();
  });

  it('converts the four amounts to fen and back exactly', () => {
    for (const a of AMOUNTS) {
      expect(String(toFen(a))).toBe(FEN_OF[a]);
      expect(fromFen(FEN_OF[a]!).toFixed(2)).toBe(a);
    }
  });
});
