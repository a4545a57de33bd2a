// 公钥证书 mode: the app's public-key certificate (appCertPublicKey_<appid>.crt), Alipay's
// public-key certificate (alipayCertPublicKey_RSA2.crt) and Alipay's root chain
// (alipayRootCert.crt), all issued by Alipay's console. Requests then carry app_cert_sn and
// alipay_root_cert_sn (AlipayConstants.APP_CERT_SN / ALIPAY_ROOT_CERT_SN in alipay-sdk-java-all
// src/main/java/com/alipay/api/AlipayConstants.java); answers carry alipay_cert_sn, the SN of the
// certificate whose key signed them, and are verified with the key inside alipayCertPublicKey.
//
// The SN, as alipay-sdk-nodejs-all src/antcertutil.ts computes it (getCertSN / getRootCertSN):
//  md5_hex( issuer DN written from its last attribute to its first as `shortName=value` joined by
//  `,` — the RFC 2253 order Java's getIssuerX500Principal().getName() gives — followed by the
//  serial number in decimal ). The root SN joins, with `_`, the SNs of the chain's certificates
//  whose signature algorithm is in the PKCS#1 RSA family (OID 1.2.840.113549.1.1.*: sha1WithRSA,
//  sha256WithRSA); the chain's SM2 and ECDSA certificates are left out.
// Checked against that repository's own fixtures (test/antcertutil.test.ts): see
// test/unit/vectors/alipay-cert.test.ts.
import { X509Certificate, createHash } from 'node:crypto';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function pemCertificates(text: string): string[] {
  return text.match(PEM_CERT) ?? [];
}

/** One DER TLV header: where its value starts and how long it is. */
function tlv(der: Buffer, at: number): { tag: number; start: number; end: number } {
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  if (start + len > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + len };
}

function oidText(b: Buffer): string {
  const parts = [Math.floor(b[0]! / 40), b[0]! % 40];
  let v = 0;
  for (const byte of b.subarray(1)) {
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, … } (RFC 5280 4.1). */
export function signatureOid(cert: X509Certificate): string {
  const der = cert.raw;
  const outer = tlv(der, 0);
  const tbs = tlv(der, outer.start);
  const alg = tlv(der, tbs.end);
  const oid = tlv(der, alg.start);
  if (outer.tag !== 0x30 || tbs.tag !== 0x30 || alg.tag !== 0x30 || oid.tag !== 0x06) throw new Error('not an X.509 certificate');
  return oidText(der.subarray(oid.start, oid.end));
}

/**
 * Attribute names as the SDK writes them (@fidm/x509's short names: emailAddress is `E`, and an
 * attribute it has no short name for is written with an empty name).
 */
const SDK_NAMES: Record<string, string> = { CN: 'CN', C: 'C', L: 'L', ST: 'ST', O: 'O', OU: 'OU', emailAddress: 'E' };

/**
 * The issuer as the SDK writes it. Node prints one attribute a line in the certificate's order,
 * RFC 2253-escaping special characters; the SDK uses the raw values, so the escapes are undone.
 */
function issuerDn(cert: X509Certificate): string {
  return cert.issuer.split('\n').filter(Boolean).reverse().map((line) => {
    const eq = line.indexOf('=');
    const name = SDK_NAMES[line.slice(0, eq)] ?? '';
    return `${name}=${line.slice(eq + 1).replace(/\\(.)/g, '$1')}`;
  }).join(',');
}

export function certSn(pemOrCert: string | X509Certificate): string {
  const cert = typeof pemOrCert === 'string' ? new X509Certificate(pemOrCert) : pemOrCert;
  const serial = BigInt(`0x${cert.serialNumber}`).toString(10);
  return createHash('md5').update(issuerDn(cert) + serial, 'utf8').digest('hex');
}

export function rootCertSn(chainPem: string): string {
  return pemCertificates(chainPem)
    .map((p) => new X509Certificate(p))
    .filter((c) => signatureOid(c).startsWith('1.2.840.113549.1.1.'))
    .map((c) => certSn(c))
    .join('_');
}

/** The RSA public key inside Alipay's public-key certificate, as SPKI PEM. */
export function certPublicKey(pem: string): string {
  const first = pemCertificates(pem)[0];
  if (!first) throw new Error('no certificate in the file');
  return new X509Certificate(first).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export interface CertMode {
  appCertSn: string;
  alipayRootCertSn: string;
  /** SN of the Alipay certificate we hold: an answer naming another one is not verifiable with our key. */
  alipayCertSn: string;
  alipayPublicKey: string;
}

export function certMode(files: { appCert: string; alipayPublicCert: string; alipayRootCert: string }): CertMode {
  const first = (pem: string) => {
    const p = pemCertificates(pem)[0];
    if (!p) throw new Error('no certificate in the file');
    return p;
  };
  return {
    appCertSn: certSn(first(files.appCert)),
    alipayRootCertSn: rootCertSn(files.alipayRootCert),
    alipayCertSn: certSn(first(files.alipayPublicCert)),
    alipayPublicKey: certPublicKey(files.alipayPublicCert),
  };
}
