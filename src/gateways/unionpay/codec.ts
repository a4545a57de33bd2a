// UnionPay online gateway (全渠道 / ACP) version 5.1.0, signMethod 01, both directions. Checked
// against UnionPay's ACP SDK (AcpService.sign/validate, SDKUtil.coverMap2String, filterBlank):
//  - signing string: every field except `signature`, empty values dropped, sorted by name,
//    `k=v` joined by `&`, UTF-8;
//  - signMethod 01: SHA-256 of that string as lower-case hex, then SHA256withRSA over the hex
//    text, base64 → `signature`; `certId` names the signing certificate (its serial, decimal).
//  - 5.1.0 answers and notifications carry the signer's certificate in `signPubKeyCert`; it is
//    checked against UnionPay's root and middle certificates before its key is used (below), so
//    UnionPay rotating its signing certificate needs no change here.
//  - synchronous answers are `k=v&k=v` with values NOT URL-encoded (a value in {…} may contain
//    & or =); back notifications are ordinary URL-encoded form posts.
// Amounts (txnAmt) are integer fen; times (txnTime) yyyyMMddHHmmss Asia/Shanghai.
import { X509Certificate, createHash } from 'node:crypto';
import { rsaSign, rsaVerify } from '../common/crypto';

export const VERSION = '5.1.0';
export const SIGN_METHOD = '01';
export const ACK = 'ok';

export type Fields = Record<string, string>;

export function signingString(f: Fields): string {
  return Object.keys(f)
    .filter((k) => k !== 'signature' && f[k] !== undefined && f[k] !== '')
    .sort()
    .map((k) => `${k}=${f[k]}`)
    .join('&');
}

const digestHex = (f: Fields) => createHash('sha256').update(signingString(f), 'utf8').digest('hex');

export function sign(f: Fields, privateKeyPem: string): Fields {
  const out = { ...f };
  delete out.signature;
  return { ...out, signature: rsaSign(digestHex(out), privateKeyPem) };
}

export function verify(f: Fields, publicKeyPem: string): boolean {
  if (f.signMethod !== SIGN_METHOD || !f.signature) return false;
  return rsaVerify(digestHex(f), f.signature, publicKeyPem);
}

/** The ACP answer format: split on & outside braces, first = separates key and value, no decoding. */
export function parseAcpResponse(text: string): Fields | null {
  const out: Fields = {};
  let depth = 0;
  let start = 0;
  const take = (part: string) => {
    if (!part) return true;
    const eq = part.indexOf('=');
    if (eq <= 0) return false;
    const k = part.slice(0, eq);
    if (Object.hasOwn(out, k)) return false;
    out[k] = part.slice(eq + 1);
    return true;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && depth > 0) depth--;
    else if (c === '&' && depth === 0) {
      if (!take(text.slice(start, i))) return null;
      start = i + 1;
    }
  }
  return take(text.slice(start).trim()) ? out : null;
}

export const formatAcpResponse = (f: Fields) => Object.entries(f).map(([k, v]) => `${k}=${v}`).join('&');

export const FEN = /^(0|[1-9]\d{0,13})$/;
/** respCode/origRespCode meaning "still being processed": ask again later. */
export const PROCESSING = ['03', '04', '05'];
export const NOT_FOUND = '34';

// ---- signPubKeyCert: the signer's certificate carried in every 5.1.0 message ----
// As UnionPay's ACP SDK does it (pengjianbo3478/gyf-unionpay-acp-sdk,
// src/main/java/com/unionpay/acp/sdk/SDKUtil.java validate(), CertUtil.java verifyCertificate /
// verifyCertificateChain / getIdentitiesFromCertficate; the PHP SDK's acp_service.php validate()
// in zjsxwc/upacp-sdk does the same with verifyAndGetVerifyCert):
//  1. signPubKeyCert is parsed as an X.509 certificate (PEM);
//  2. its validity period is checked (cert.checkValidity(), "now" in the SDK);
//  3. it must chain to the configured middle certificate and that one to the configured root
//     (acpsdk.middleCert.path / acpsdk.rootCert.path, no revocation check: setRevocationEnabled(false));
//  4. the subject's CN, split on '@', must have 中国银联股份有限公司 as its third part
//     (SDKConstants.UNIONPAY_CNNAME); with acpsdk.ifValidateCNName=false (the SDK's switch for
//     UnionPay's test environment) "00040000:SIGN" is accepted too;
//  5. then the signMethod 01 signature is checked with that certificate's public key.
// The PHP SDK caches verified certificates (CertUtil::$verifyCerts510); we cache by serial and
// only trust a hit when it is byte-for-byte the same certificate, and re-check its dates.
export const UNIONPAY_CNNAME = '中国银联股份有限公司';
export const TEST_CNNAME = '00040000:SIGN';

export interface AcpTrust {
  rootPem: string;
  middlePem: string;
  /** acpsdk.ifValidateCNName: true in production; false accepts the test environment's 00040000:SIGN. */
  validateCnName: boolean;
}

/** The third '@' part of the subject CN, as CertUtil.getIdentitiesFromCertficate reads it. */
export function cnIdentity(cert: X509Certificate): string {
  const cn = cert.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? '';
  return cn.split('@')[2] ?? '';
}

const within = (c: X509Certificate, at: Date) => new Date(c.validFrom) <= at && at <= new Date(c.validTo);

export type CertCheck = { ok: true; cert: X509Certificate } | { ok: false; reason: 'unparsable' | 'expired' | 'chain' | 'owner' };

/** Steps 1-4 above, at time `at`. */
export function checkSignCert(pem: string, trust: { root: X509Certificate; middle: X509Certificate; validateCnName: boolean }, at: Date): CertCheck {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return { ok: false, reason: 'unparsable' };
  }
  if (!within(cert, at)) return { ok: false, reason: 'expired' };
  const { root, middle } = trust;
  const chained = cert.checkIssued(middle) && cert.verify(middle.publicKey) && middle.ca && middle.checkIssued(root) && middle.verify(root.publicKey)
    && within(middle, at) && within(root, at);
  if (!chained) return { ok: false, reason: 'chain' };
  const who = cnIdentity(cert);
  if (who !== UNIONPAY_CNNAME && (trust.validateCnName || who !== TEST_CNNAME)) return { ok: false, reason: 'owner' };
  return { ok: true, cert };
}

/** What the adapter verifies every answer and notification with. */
export function acpVerifier(trust: () => AcpTrust, now: (f: Fields) => Date = () => new Date()) {
  const bySerial = new Map<string, { fingerprint: string; cert: X509Certificate }>();
  let anchors: { root: X509Certificate; middle: X509Certificate; validateCnName: boolean } | null = null;
  return (f: Fields): { ok: true; serial: string } | { ok: false; reason: string } => {
    if (f.version !== VERSION || f.signMethod !== SIGN_METHOD || !f.signature || !f.signPubKeyCert) return { ok: false, reason: 'no signPubKeyCert' };
    const at = now(f);
    let cert: X509Certificate | null = null;
    let parsed: X509Certificate;
    try {
      parsed = new X509Certificate(f.signPubKeyCert);
    } catch {
      return { ok: false, reason: 'signPubKeyCert unparsable' };
    }
    const hit = bySerial.get(parsed.serialNumber);
    if (hit && hit.fingerprint === parsed.fingerprint256 && within(hit.cert, at)) cert = hit.cert;
    if (!cert) {
      if (!anchors) {
        const t = trust();
        anchors = { root: new X509Certificate(t.rootPem), middle: new X509Certificate(t.middlePem), validateCnName: t.validateCnName };
      }
      const c = checkSignCert(f.signPubKeyCert, anchors, at);
      if (!c.ok) return { ok: false, reason: `signPubKeyCert ${c.reason}` };
      cert = c.cert;
      bySerial.set(cert.serialNumber, { fingerprint: cert.fingerprint256, cert });
    }
    const pem = cert.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    return verify(f, pem) ? { ok: true, serial: BigInt(`0x${cert.serialNumber}`).toString() } : { ok: false, reason: 'signature' };
  };
}

export type AcpVerifier = ReturnType<typeof acpVerifier>;
