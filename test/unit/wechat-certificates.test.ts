// The sandbox's platform certificates against the SDK: issued as X.509 with node-forge,
// encrypted under the APIv3 key as WeChat delivers them at /v3/certificates; the
// wechatpay-axios-plugin AES-GCM decrypts them, and our downloader reads them by serial.
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fixtureKeyPair } from '../helpers/fixture-keys';
import { rsaSign, rsaVerify } from '../../src/gateways/common/crypto';
import { encryptResource, parseCertificatesAnswer } from '../../src/gateways/wechat/codec';
import { issuePlatformCertificate } from '../../src/sandbox/wechat/certificates';

// Only the SDK's AES module: its index loads the whole axios client (ten times the time).
const Aes = createRequire(import.meta.url)('wechatpay-axios-plugin/lib/aes') as { AesGcm: { decrypt(c: string, k: string, iv: string, aad?: string): string } };
const APIV3 = '0123456789abcdef0123456789ABCDEF';

describe('sandbox platform certificates', () => {
  const c = issuePlatformCertificate('1900000001', new Date(), fixtureKeyPair());

  it('are X.509 with a 40-hex serial, valid now, for the key the sandbox signs with', () => {
    const x = new X509Certificate(c.pem);
    expect(x.serialNumber.toUpperCase()).toBe(c.serialNo);
    expect(c.serialNo).toMatch(/^[0-9A-F]{40}$/);
    expect(new Date(x.validFrom).getTime()).toBeLessThanOrEqual(Date.now());
    expect(new Date(x.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 86400_000);
    expect(x.checkPrivateKey(createPrivateKey(c.privateKey))).toBe(true);
    expect(createPublicKey(c.publicKey).export({ type: 'spki', format: 'pem' })).toBe(x.publicKey.export({ type: 'spki', format: 'pem' }));
    expect(rsaVerify('m', rsaSign('m', c.privateKey), x.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toBe(true);
  });

  it('encrypted as /v3/certificates delivers them: the SDK decrypts them, and our downloader reads them by serial', () => {
    const e = encryptResource(c.pem, APIV3, 'certificate', 'certificate');
    expect(Aes.AesGcm.decrypt(e.ciphertext, APIV3, e.nonce, e.associated_data)).toBe(c.pem);
    const body = JSON.stringify({ data: [{ serial_no: c.serialNo, effective_time: '2026-01-01T00:00:00+08:00', expire_time: '2031-01-01T00:00:00+08:00', encrypt_certificate: { algorithm: e.algorithm, nonce: e.nonce, associated_data: e.associated_data, ciphertext: e.ciphertext } }] });
    const list = parseCertificatesAnswer(body, APIV3)!;
    expect(list.map((l) => l.serialNo)).toEqual([c.serialNo]);
    // Another certificate's serial on this one: refused.
    const other = issuePlatformCertificate('1900000001', new Date(), fixtureKeyPair());
    expect(parseCertificatesAnswer(body.replace(c.serialNo, other.serialNo), APIV3)).toBeNull();
  });
});
