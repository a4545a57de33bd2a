// WeChat Pay API v3 through the adapter's public functions on the official SDKs' own published
// test vectors (data copied, no SDK code):
//  - wechatpay-apiv3/wechatpay-go core/notify/notify_test.go (TestHandler_ParseNotifyRequest,
//    repository HEAD 6dbd7ce2): a signed, encrypted notification, the platform certificate that
//    signed it (serial D7CE59D1F522D701), its APIv3 key, and the clock it was signed at;
//  - wechatpay-apiv3/wechatpay-java core/src/test/java/com/wechat/pay/java/core/cipher/
//    AeadAesCipherTest.java (AEAD_AES_256_GCM) and core/src/test/java/com/wechat/pay/java/core/
//    model/TestConfig.java (API_V3_KEY, DOWNLOAD_CERTIFICATE_RESPONSE: a /v3/certificates answer
//    whose certificate decrypts to serial 5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC), repository
//    HEAD 1dab7bec.
// Each passes, and a tampered copy of each is refused.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RawNotification } from '../../../src/gateways/types';
import { wechatAdapter } from '../../../src/gateways/wechat/adapter';
import { aeadDecrypt, decryptResource, parseCertificatesAnswer, verifySigned } from '../../../src/gateways/wechat/codec';
import { keyPair } from '../channel-keys';

// ---- wechatpay-go core/notify/notify_test.go
const GO_API_V3_KEY = 'testMchAPIv3Key0';
const GO_CERT = `-----BEGIN CERTIFICATE-----
MIIDVzCCAj+gAwIBAgIJANfOWdH1ItcBMA0GCSqGSIb3DQEBCwUAMEIxCzAJBgNV
BAYTAlhYMRUwEwYDVQQHDAxEZWZhdWx0IENpdHkxHDAaBgNVBAoME0RlZmF1bHQg
Q29tcGFueSBMdGQwHhcNMjEwNDI3MDg1NTIzWhcNMzEwNDI1MDg1NTIzWjBCMQsw
CQYDVQQGEwJYWDEVMBMGA1UEBwwMRGVmYXVsdCBDaXR5MRwwGgYDVQQKDBNEZWZh
dWx0IENvbXBhbnkgTHRkMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA
2VCTd91fnUn73Xy9DLvt/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXag
HQ4vGeZN0yqm++rDsGK+U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOm
DeJf2vg6byms9RUipiq4SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B83
4uxl1zNLYQCrkdBzb8oUxwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGf
y8wus7hwKz6clt3Whmmda7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtk
aSef4FdEEgEXJiw0VAJT8wIDAQABo1AwTjAdBgNVHQ4EFgQUT1c7nd/SUO76HSoZ
umNUJv1R5PwwHwYDVR0jBBgwFoAUT1c7nd/SUO76HSoZumNUJv1R5PwwDAYDVR0T
BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAfTjxKRQMzNB/U6ZoCUS+BSNfa2Oh
0plMN6ZuzwiVVZwg1jywvv5yv04koS7Pd4i9E4gt9ZBUQXlpq+A3oOCEEHNRR6b2
kyazGRM7s0OP5X21WrbpSmKmU6K7hkfx30yYs08LVs/Q8DIhvaj1FCFeJzUCzYn/
fHMq4tsbKO0dKAeydPM/nrUZBmaYQVKMVOORGLFjFKVO7JV6Kq/R86ouhjEPgJOe
2xulNBUcjicqtZlBdEh/PWCYP2SpGVDclKm8jeo175T3EVAkdKzzmfpxtMmnMlmq
cTJOU9TxuGvNASMtjj7pYIerTx+xgZDXEVBWFW9PjJ0TV06tCRsgSHItgg==
-----END CERTIFICATE-----`;
const GO_HEADERS = {
  'Content-Type': 'application/json',
  'Wechatpay-Nonce': 'EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz',
  'Wechatpay-Timestamp': '1624523846',
  'Wechatpay-Serial': 'D7CE59D1F522D701',
  'Wechatpay-Signature': 'tJHIiIS9eB2hAYstmAmbbD3ZE5LiIm/Ug5tuL4fC0YOFRWIHV39UFIZXC0e9Wl6lBu6sKvkqDkzpqzBsVHyXF'
    + 'lbYZTOQrVdG4b6LfTnK4mikv9++ixJMd3vTf2yCqvBkh98zs3Ds5zsYQakzbcwhmw4fMJs4nPLws28H0UW9FjDR//rxELLwXvV1VEA1I'
    + 'BLX70xptjL8hrfUjEE8kkry6yNJTHZRU8CAc7qHli2Ng1V1qb9ARbK8A3ThmFmPQvRGrapI/jS2laKKgYUmfdEdkNO6B2Cke5e8VTxY4'
    + '06ArAmQ90GAihDwIcb16TQMnzCMBoutnwZKNiKRACrFmtxw2Q==',
};
const GO_BODY = '{"id":"3119dfba-e649-5eec-ab1e-3412bc4d2e17","create_time":"2021-06-24T16:37:26+08:00","resource_type":"encrypt-resource",'
  + '"event_type":"PAYSCORE.USER_OPEN_SERVICE","summary":"签约成功","resource":{"original_type":"payscore","algorithm":"AEAD_AES_256_GCM",'
  + '"ciphertext":"YDS3lKPaC4Y52Gf3uhft5qUBlIa8b428AWTtTauHQfQrRw+X1WpiuHIDy0vo1Vd6VEq67aVyqPdDYMkRVSDaZL3iZttevRMOoPKMifozg6XPWjIZumks/GpT48lI4NizyeaqLBokNebthah3o1H76qSlO9NkDjp9bzmKLEYYH9TEklFUpsvPqOTOcgSLgh21YJXYR7dEBXFgRLiNIKRgO5JdXh1hccRUAlyVWxE54PXpnQ==",'
  + '"associated_data":"payscore","nonce":"Kj7QIyUiYx1q"}}';
const GO_PLAINTEXT = '{"mchid":"1234567890","appid":"054aa7d7a2a54ab5898df65bd96f001c","create_time":"2020-06-30T12:12:00+08:00","out_contract_code":"21640bdbd08e473e828f3206a2741c6e"}';
/** The test patches time.Now to 1624523846. */
const GO_NOW = 1624523846_000;

// ---- wechatpay-java TestConfig.java / AeadAesCipherTest.java
const JAVA_API_V3_KEY = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
const JAVA_AEAD = { message: 'message', associatedData: 'associatedData', nonce: 'uluk4a9R25RW', ciphertext: 'ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=' };
const JAVA_DOWNLOAD_CERTIFICATE_RESPONSE = JSON.stringify({
  data: [{
    effective_time: '2023-09-19T23:15:58+08:00',
    encrypt_certificate: {
      algorithm: 'AEAD_AES_256_GCM', associated_data: 'certificate', nonce: '14b16c03dc1b',
      ciphertext: 'Mr/AxbvY+WL9hKlD5nIa03LOMPpn5f+CWeNxE4ujl0f5gXZ9XLJ9CldkArCOTsbU62XgKnTc3YvRMZQ7wCmE2fzwmAenAySTYsPms72JhggPWfdqVxri9YD5wBYKn8Ck0Fc5JIiVw9WlN2oxHBz83mRVsjoTGC5+cX1CdYqKuZ8pkvi0aCJIq07ZC8MHoTowUz+4jYJy9XeKqip83Z7BmUYxsePpNM+HtihBqTJIUYXJfX7Col5X0ACsApRoU9l6swfW/kzvqNpDJavhDBGasLrr5822+Fk5nVkcTi53f8Wbue7ODWjJxj1yhRYcxFCvXLtpYNB+Qa1aXtrBSdBdBI2p7o+6Imn+auHLBCzkrZqF/yd+d4vTn4tqHPLUj89XcHsMf96uBo3T/HQV8LEDeIO+6YvOK9FrIDYsvp+imN4n/mnF7eJKo9mpN/QqWJiawrFpAmMMxFKBjIdpgMnVUl3Z11RcWKyfOJ3kcmItTWcnZFNyDgR9cS0aU6QPlefa3uUW89uzBuHjcFdDl43yU3LE4qZnHLDcDgx4qt0OFCLiy51GXtEpyYs5k99YJBvKK+RyIs4Yc1/smBmClQUhxW+8bsPNOcXfDvH2yX4YzESoO4TV0RqiCgnsSd4zIFyJPiMKIGzVHiw6Kg0eGCmB4mGHEEZCQ0eN3SSPO0QVjjtBYfgXDZfVHSaAB8PjWBVNFimoViZZQrwT6Ygo0LU0Dd8+F5aHFYr4OPHPslr3hrgutEYXDTv1vTA6ABJGqknJ9Y2vtyWpy7aIwxc0kQq/1ezjs+RMVL/LRpGDnbx1/CGPDjZhYgZypKa55+PDhoaQxqkF3xCLz2DGoNHZYmFqxzAOsAK0vJZw4VcAk6ssbA6YIaMuiemEpxfLC9ZiXtRqsX9s+GWjjtA8JywOFMO+NKZm9BH/E5YNg2DDD3sHG9Mciwn7yJ6sdf8h2lAWlEExAOeiBNyshOHAQ0/S+x1ncWNiqY+Uh5n0rtonvePV2MsxVlEWR3AVHn1abcEWkzivd+G5kg7LYO0goqzGClcQfnFfZdO6KwcMXsBCnm9A1Bl4+k5LLokTIYH5/36SRIZ9j0CHGD77BQLE7x8AlNsoFS2m263tLLq78TFqvZUTIZIQcVIl+NInscS3xQbA38qqFqutCWIwoF1azuJ7woiJyMvnS3xzIpNzP+rzJ8VDXxjLjpEUBOC9WDs74+QMtsAdmh6g0KDclHEk8WJ4P2bnso4z3VCGoDT5X/0bS1C+jMZMKaOCNB21FZ08qgUHmKeDeg8ylENu+mh2Y/AaEDSGkGBHIfFbhMYO3uRxhk9hldiHEnHgdkXiVAAUWk/IhtmGijibO/L76vB74Xpes973uK+2iFKgNBk8qTLLZZnuWbcMQuA6VsFULRb/C+q9B21YuAWPMzvgBwr4EX2m/OpF5w8Q0HL7v1H5H0mIGJbrjnklUPoBYrw30W3uk7yF0KE6sfMukafFx0S9rBOL0RykGDPwC0lHSNySkXDeM5XvDJ+dtHK+RDwhJR+azfrWAHGMtZcQ+YVamjWVmHxXM03j3GeCXgqae1upwHzkPL5OwojcQ5MQi3Kv/1xtwY0cRN/yeZTOsXfujtqhkJj/Vltby4lnW4SCj4LjWQF19BY6zhzF4yybBA8bhhtoNP/zx8QkhHAkIROkK2ZVgfocCAPvfQ+vSrsIBO+L5cmg6mzFn4g84lsHscgXnszIlzUrzx/4Tam0uwuS9J1gddZ0I0QUt9SJzfsoBCTU0OgNMUtXKS5HvgXe7abexMtFH5eulOsAuFZkQ5LYJa/m4yHFInXzL/t3hjdTi2NmxUufvYzwIyffRTu5vS9vjscARD9lUQDHFQ/xgWe1i8EkRlrSfjlXt00+4//h2bcJKyTBT3IXwvKNsuY29V9/vU3HkvWKZ99zpSlmcZRuBa1BHbyPEvc0NlqIIoKidxqUvOR64MzudHhAjgWFP+IXojfhS3Gj9OJhBL7s',
    },
    expire_time: '2028-09-17T23:15:58+08:00',
    serial_no: '5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC',
  }],
}, null, 4);
const JAVA_DOWNLOAD_CERTIFICATE_SERIAL_NUMBER = '5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC';

const goPublicKey = new X509Certificate(GO_CERT).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const flip = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  b[3] = b[3]! ^ 1;
  return b.toString('base64');
};

/** The adapter as configured for the go vector's merchant: the certificate pinned by its serial. */
function goAdapter(o: { mchId?: string; keyId?: string } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'wx-vec-'));
  writeFileSync(path.join(dir, 'mch.pem'), keyPair().privateKey);
  writeFileSync(path.join(dir, 'apiv3'), GO_API_V3_KEY);
  writeFileSync(path.join(dir, 'wx.pem'), goPublicKey);
  return wechatAdapter({
    url: 'http://127.0.0.1:9', appId: '054aa7d7a2a54ab5898df65bd96f001c', mchId: o.mchId ?? '1234567890', merchantSerialNo: 'ABC',
    privateKeyFile: path.join(dir, 'mch.pem'), apiV3KeyFile: path.join(dir, 'apiv3'), platformKeyId: o.keyId ?? 'D7CE59D1F522D701',
    platformPublicKeyFile: path.join(dir, 'wx.pem'), platformCerts: 'off',
  }, fetch, { now: () => GO_NOW });
}
const raw = (body = GO_BODY, headers: Record<string, string> = GO_HEADERS): RawNotification => ({ method: 'POST', path: '/pay/notify/wechat', headers, rawBody: body });

describe('wechatpay-go notify_test.go: the signed, encrypted notification', () => {
  it('verifies by its Wechatpay-* headers and decrypts to the plaintext the SDK test expects', () => {
    expect(verifySigned(GO_HEADERS, GO_BODY, { D7CE59D1F522D701: goPublicKey }, GO_NOW)).toEqual({ ok: true });
    const resource = (JSON.parse(GO_BODY) as { resource: object }).resource;
    expect(decryptResource(resource, GO_API_V3_KEY)).toBe(GO_PLAINTEXT);
  });

  it('through parseNotification: signature and decryption pass; a PAYSCORE event is not a payment, so it is not credited', () => {
    // 'unsupported' is reached only after the signature verified and the resource decrypted to
    // this merchant's mchid/appid; a merchant mismatch proves the plaintext was read.
    expect(goAdapter().parseNotification(raw())).toMatchObject({ verified: false, reason: 'unsupported' });
    expect(goAdapter({ mchId: '1900000001' }).parseNotification(raw())).toMatchObject({ verified: false, reason: 'merchant' });
  });

  it('a tampered copy is refused: body, signature, resource, timestamp, or a serial we do not hold', () => {
    const a = goAdapter();
    expect(a.parseNotification(raw(GO_BODY.replace('签约成功', '签约成功 ')))).toMatchObject({ verified: false, reason: 'signature' });
    expect(a.parseNotification(raw(GO_BODY, { ...GO_HEADERS, 'Wechatpay-Signature': flip(GO_HEADERS['Wechatpay-Signature']) }))).toMatchObject({ verified: false, reason: 'signature' });
    expect(a.parseNotification(raw(GO_BODY, { ...GO_HEADERS, 'Wechatpay-Timestamp': '1624523847' }))).toMatchObject({ verified: false, reason: 'signature' });
    expect(goAdapter({ keyId: 'PUB_KEY_ID_0114232134912410000000000000' }).parseNotification(raw())).toMatchObject({ verified: false, reason: 'signature' });
    const resource = (JSON.parse(GO_BODY) as { resource: { ciphertext: string } }).resource;
    expect(decryptResource({ ...resource, ciphertext: flip(resource.ciphertext) }, GO_API_V3_KEY)).toBeNull();
    expect(decryptResource({ ...resource, associated_data: 'transaction' }, GO_API_V3_KEY)).toBeNull();
    // Replayed outside the 5-minute window (the real clock, years later): refused.
    expect(verifySigned(GO_HEADERS, GO_BODY, { D7CE59D1F522D701: goPublicKey })).toEqual({ ok: false, reason: 'timestamp' });
  });
});

describe('wechatpay-java AeadAesCipherTest.java: AEAD_AES_256_GCM under the APIv3 key', () => {
  it('decrypts to "message"; any altered byte, nonce, associated data or key is refused', () => {
    const { message, associatedData, nonce, ciphertext } = JAVA_AEAD;
    expect(aeadDecrypt(JAVA_API_V3_KEY, nonce, associatedData, ciphertext)).toBe(message);
    expect(decryptResource({ algorithm: 'AEAD_AES_256_GCM', ciphertext, nonce, associated_data: associatedData }, JAVA_API_V3_KEY)).toBe(message);
    expect(aeadDecrypt(JAVA_API_V3_KEY, nonce, associatedData, flip(ciphertext))).toBeNull();
    expect(aeadDecrypt(JAVA_API_V3_KEY, 'uluk4a9R25RX', associatedData, ciphertext)).toBeNull();
    expect(aeadDecrypt(JAVA_API_V3_KEY, nonce, 'associatedDatA', ciphertext)).toBeNull();
    expect(aeadDecrypt(`${JAVA_API_V3_KEY.slice(0, 31)}c`, nonce, associatedData, ciphertext)).toBeNull();
  });
});

describe('wechatpay-java TestConfig.java: the /v3/certificates answer', () => {
  it('decrypts to the X.509 certificate listed under its serial, with its effective and expire times', () => {
    const list = parseCertificatesAnswer(JAVA_DOWNLOAD_CERTIFICATE_RESPONSE, JAVA_API_V3_KEY)!;
    expect(list).toHaveLength(1);
    expect(list[0]!.serialNo).toBe(JAVA_DOWNLOAD_CERTIFICATE_SERIAL_NUMBER);
    expect(new X509Certificate(list[0]!.pem).subject).toContain('O=Tenpay.com');
    expect(list[0]!.effectiveTime.toISOString()).toBe('2023-09-19T15:15:58.000Z');
    expect(list[0]!.expireTime.toISOString()).toBe('2028-09-17T15:15:58.000Z');
    expect(list[0]!.publicKeyPem).toContain('BEGIN PUBLIC KEY');
  });

  it('a tampered answer is refused: ciphertext, nonce, associated data, the listed serial, or the key', () => {
    const doc = JSON.parse(JAVA_DOWNLOAD_CERTIFICATE_RESPONSE) as { data: { serial_no: string; encrypt_certificate: Record<string, string> }[] };
    const variant = (f: (d: (typeof doc.data)[0]) => void) => {
      const c = structuredClone(doc);
      f(c.data[0]!);
      return JSON.stringify(c);
    };
    expect(parseCertificatesAnswer(variant((d) => { d.encrypt_certificate.ciphertext = flip(d.encrypt_certificate.ciphertext!); }), JAVA_API_V3_KEY)).toBeNull();
    expect(parseCertificatesAnswer(variant((d) => { d.encrypt_certificate.nonce = '14b16c03dc1c'; }), JAVA_API_V3_KEY)).toBeNull();
    expect(parseCertificatesAnswer(variant((d) => { d.encrypt_certificate.associated_data = 'transaction'; }), JAVA_API_V3_KEY)).toBeNull();
    // Listed under another serial: the certificate is not the one the answers would name.
    expect(parseCertificatesAnswer(variant((d) => { d.serial_no = '5DEA10EF55877E3CF6C33255C2E7DEFFF7E427ED'; }), JAVA_API_V3_KEY)).toBeNull();
    expect(parseCertificatesAnswer(JAVA_DOWNLOAD_CERTIFICATE_RESPONSE, 'x'.repeat(32))).toBeNull();
  });
});
