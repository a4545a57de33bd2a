// The certificate rules of CertUtil.verifyCertificate beyond the happy path: the CN owner rule and
// its test-environment switch (acpsdk.ifValidateCNName), validity, and the configuration of the
// merchant .pfx.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { fixtureKeyPair } from '../helpers/fixture-keys';
import { ConfigError, loadConfig } from '../../src/config';
import { checkSignCert } from '../../src/gateways/unionpay/codec';
import { signCertificate } from '../../src/sandbox/kit/x509';
import { ensureUnionpayPki } from '../../src/sandbox/unionpay/pki';

const pki = ensureUnionpayPki(mkdtempSync(path.join(tmpdir(), 'unionpay-trust-')), '69629715588', fixtureKeyPair);
const trust = (validateCnName: boolean) => ({ root: new X509Certificate(pki.root.certPem), middle: new X509Certificate(pki.middle.certPem), validateCnName });

/** A certificate under the sandbox's middle CA with this CN and validity. */
function issued(cn: string, from = new Date(Date.now() - 3600_000), to = new Date(Date.now() + 3600_000)) {
  const { publicKey } = fixtureKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = '0a1b2c3d4e';
  cert.validity.notBefore = from;
  cert.validity.notAfter = to;
  cert.setSubject([{ shortName: 'CN', value: cn, valueTagClass: forge.asn1.Type.UTF8 } as unknown as forge.pki.CertificateField]);
  cert.setIssuer(forge.pki.certificateFromPem(pki.middle.certPem).subject.attributes);
  signCertificate(cert, pki.middle.keyPem);
  return forge.pki.certificateToPem(cert);
}

describe('signPubKeyCert owner and validity', () => {
  it('CN …@中国银联股份有限公司@… passes in both modes; 00040000:SIGN only with ifValidateCNName=false; anything else never', () => {
    const cup = issued('041@8310000000083040@中国银联股份有限公司@00000001');
    const testEnv = issued('041@Z12@00040000:SIGN@00000001');
    const other = issued('041@Z12@某某支付有限公司@00000001');
    expect(checkSignCert(cup, trust(true), new Date()).ok).toBe(true);
    expect(checkSignCert(cup, trust(false), new Date()).ok).toBe(true);
    expect(checkSignCert(testEnv, trust(true), new Date())).toEqual({ ok: false, reason: 'owner' });
    expect(checkSignCert(testEnv, trust(false), new Date()).ok).toBe(true);
    expect(checkSignCert(other, trust(false), new Date())).toEqual({ ok: false, reason: 'owner' });
  });

  it('not yet valid or expired is refused; garbage is unparsable', () => {
    const cn = '041@8310000000083040@中国银联股份有限公司@00000001';
    expect(checkSignCert(issued(cn, new Date(Date.now() + 3600_000), new Date(Date.now() + 7200_000)), trust(true), new Date())).toEqual({ ok: false, reason: 'expired' });
    expect(checkSignCert(issued(cn, new Date(Date.now() - 7200_000), new Date(Date.now() - 3600_000)), trust(true), new Date())).toEqual({ ok: false, reason: 'expired' });
    expect(checkSignCert('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', trust(true), new Date())).toEqual({ ok: false, reason: 'unparsable' });
  });
});

describe('UnionPay configuration', () => {
  it('a .pfx needs its password; the CN check is on unless switched off', () => {
    expect(() => loadConfig({ UNIONPAY_SIGN_CERT_FILE: '/etc/campus-pay/unionpay.pfx' })).toThrow(ConfigError);
    const c = loadConfig({ UNIONPAY_SIGN_CERT_FILE: '/etc/campus-pay/unionpay.pfx', UNIONPAY_SIGN_CERT_PASSWORD: 'secret', UNIONPAY_FILE_URL: 'https://filedownload.95516.com/' });
    expect(c.channels!.unionpay).toMatchObject({ signCertFile: '/etc/campus-pay/unionpay.pfx', signCertPassword: 'secret', fileUrl: 'https://filedownload.95516.com/', validateCnName: true });
    expect(loadConfig({ UNIONPAY_VALIDATE_CN_NAME: 'false' }).channels!.unionpay.validateCnName).toBe(false);
    expect(loadConfig({}).channels!.unionpay.fileUrl).toMatch(/\/unionpay\/filedownload\/$/);
    // Against the real gateway the sandbox's certificates would verify nothing.
    expect(() => loadConfig({ NODE_ENV: 'production', UNIONPAY_URL: 'https://gateway.95516.com', UNIONPAY_SIGN_CERT_FILE: '/k.pfx', UNIONPAY_SIGN_CERT_PASSWORD: 'x' })).toThrow(/UNIONPAY_ROOT_CERT_FILE/);
  });
});
