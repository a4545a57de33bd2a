// WeChat Pay API v3, both directions. Checked against wechatpay-axios-plugin (Formatter,
// Rsa, Aes.AesGcm, Decorator.responseVerifier) and the official "签名生成 / 签名验证 / 回调报文
// 解密" pages:
//  - request: Authorization `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",
//    timestamp="…",serial_no="…"`, signature = SHA256withRSA over
//    `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n` with the merchant's key (serial_no = the
//    merchant certificate's serial);
//  - response and notification: headers Wechatpay-Timestamp / -Nonce / -Signature / -Serial,
//    signature over `TIMESTAMP\nNONCE\nBODY\n` with WeChat's key. -Serial names the key: either
//    a platform certificate serial (40 hex) or, since 2024, a WeChat Pay public key id
//    `PUB_KEY_ID_…`; we keep a map id → public key and accept both kinds. A timestamp more than
//    5 minutes from our clock is refused (replay window, as the official SDKs do);
//  - notification `resource`: AEAD_AES_256_GCM, key = the 32-byte APIv3 key, nonce (12 chars)
//    and associated_data as given, ciphertext = base64(encrypted ‖ 16-byte tag).
// Amounts are integer fen.
import { X509Certificate, createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { headerOf, rsaSign, rsaVerify } from '../common/crypto';

export const SCHEMA = 'WECHATPAY2-SHA256-RSA2048';
export const MAX_SKEW_S = 300;

export const requestMessage = (method: string, pathWithQuery: string, timestamp: string, nonceStr: string, body: string) =>
  `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonceStr}\n${body}\n`;

export const responseMessage = (timestamp: string, nonceStr: string, body: string) => `${timestamp}\n${nonceStr}\n${body}\n`;

const nonceStr = () => randomBytes(16).toString('hex').toUpperCase();
const nowS = () => String(Math.floor(Date.now() / 1000));

export interface MerchantIdentity {
  mchid: string;
  serialNo: string;
  privateKeyPem: string;
}

export function authorization(m: MerchantIdentity, method: string, pathWithQuery: string, body: string, ts = nowS(), n = nonceStr()): string {
  const signature = rsaSign(requestMessage(method, pathWithQuery, ts, n, body), m.privateKeyPem);
  return `${SCHEMA} mchid="${m.mchid}",nonce_str="${n}",signature="${signature}",timestamp="${ts}",serial_no="${m.serialNo}"`;
}

export function parseAuthorization(header: string | undefined): Record<string, string> | null {
  if (!header?.startsWith(`${SCHEMA} `)) return null;
  const out: Record<string, string> = {};
  for (const m of header.slice(SCHEMA.length + 1).matchAll(/(\w+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out.mchid && out.nonce_str && out.signature && out.timestamp && out.serial_no ? out : null;
}

export type CheckFail = 'malformed' | 'signature' | 'timestamp' | 'unknown_key';

/** Sandbox side: checks a request's Authorization against the merchant's public key. */
export function verifyRequest(
  req: { method: string; pathWithQuery: string; body: string; authorization: string | undefined },
  merchantKeys: Record<string, string>, now = Date.now(),
): { ok: true; mchid: string } | { ok: false; reason: CheckFail } {
  const a = parseAuthorization(req.authorization);
  if (!a) return { ok: false, reason: 'malformed' };
  if (!/^\d{1,12}$/.test(a.timestamp!) || Math.abs(now / 1000 - Number(a.timestamp)) > MAX_SKEW_S) return { ok: false, reason: 'timestamp' };
  const key = merchantKeys[`${a.mchid}:${a.serial_no}`];
  if (!key) return { ok: false, reason: 'unknown_key' };
  const ok = rsaVerify(requestMessage(req.method, req.pathWithQuery, a.timestamp!, a.nonce_str!, req.body), a.signature!, key);
  return ok ? { ok: true, mchid: a.mchid! } : { ok: false, reason: 'signature' };
}

/** Sandbox side: the four headers of a signed response or notification. */
export function signedHeaders(body: string, keyId: string, privateKeyPem: string, ts = nowS(), n = nonceStr()): Record<string, string> {
  return {
    'Wechatpay-Timestamp': ts,
    'Wechatpay-Nonce': n,
    'Wechatpay-Serial': keyId,
    'Wechatpay-Signature': rsaSign(responseMessage(ts, n, body), privateKeyPem),
    'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
  };
}

/** Adapter side: verifies a response or notification by its Wechatpay-* headers. */
export function verifySigned(
  headers: Record<string, string | string[] | undefined>, body: string, platformKeys: Record<string, string>, now = Date.now(),
): { ok: true } | { ok: false; reason: CheckFail } {
  const ts = headerOf(headers, 'Wechatpay-Timestamp');
  const n = headerOf(headers, 'Wechatpay-Nonce');
  const sig = headerOf(headers, 'Wechatpay-Signature');
  const serial = headerOf(headers, 'Wechatpay-Serial');
  if (!ts || !n || !sig || !serial || !/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'malformed' };
  if (Math.abs(now / 1000 - Number(ts)) > MAX_SKEW_S) return { ok: false, reason: 'timestamp' };
  if (!Object.hasOwn(platformKeys, serial)) return { ok: false, reason: 'unknown_key' };
  return rsaVerify(responseMessage(ts, n, body), sig, platformKeys[serial]!) ? { ok: true } : { ok: false, reason: 'signature' };
}

export interface Resource {
  original_type: string;
  algorithm: 'AEAD_AES_256_GCM';
  ciphertext: string;
  associated_data: string;
  nonce: string;
}

const keyBytes = (apiV3Key: string) => {
  const k = Buffer.from(apiV3Key, 'utf8');
  if (k.length !== 32) throw new RangeError('APIv3 key must be 32 bytes');
  return k;
};

export function encryptResource(plaintext: string, apiV3Key: string, associatedData: string, originalType = 'transaction'): Resource {
  const n = randomBytes(6).toString('hex');
  const c = createCipheriv('aes-256-gcm', keyBytes(apiV3Key), Buffer.from(n, 'utf8')).setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()]).toString('base64');
  return { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: associatedData, nonce: n };
}

/**
 * AEAD_AES_256_GCM as the SDKs open it: key = the APIv3 key's bytes, nonce and associated_data
 * as their UTF-8 bytes, ciphertext = base64(encrypted ‖ 16-byte tag). The cipher follows the
 * key's length, as wechatpay-go's utils/aes.go DecryptAES256GCM does (aes.NewCipher takes 16,
 * 24 or 32 bytes; its own notify test vector uses a 16-byte key); WeChat's APIv3 key is 32.
 * null when it does not authenticate under this key (tampered, or not for us).
 */
export function aeadDecrypt(apiV3Key: string, nonce: string, associatedData: string, ciphertextB64: string): string | null {
  const k = Buffer.from(apiV3Key, 'utf8');
  if (![16, 24, 32].includes(k.length) || !/^[A-Za-z0-9+/]+={0,2}$/.test(ciphertextB64)) return null;
  try {
    const buf = Buffer.from(ciphertextB64, 'base64');
    if (buf.length < 17) return null;
    const d = createDecipheriv(`aes-${k.length * 8}-gcm` as 'aes-256-gcm', k, Buffer.from(nonce, 'utf8'));
    d.setAuthTag(buf.subarray(buf.length - 16));
    d.setAAD(Buffer.from(associatedData, 'utf8'));
    return Buffer.concat([d.update(buf.subarray(0, buf.length - 16)), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** null when the resource does not authenticate under this key (tampered, or not for us). */
export function decryptResource(r: Partial<Resource>, apiV3Key: string): string | null {
  if (r.algorithm !== 'AEAD_AES_256_GCM' || typeof r.ciphertext !== 'string' || typeof r.nonce !== 'string') return null;
  return aeadDecrypt(apiV3Key, r.nonce, r.associated_data ?? '', r.ciphertext);
}

/** A platform certificate as GET /v3/certificates delivers it, decrypted and checked. */
export interface PlatformCertificate {
  serialNo: string;
  pem: string;
  publicKeyPem: string;
  effectiveTime: Date;
  expireTime: Date;
}

/**
 * The answer of GET /v3/certificates (下载平台证书): data[] of {serial_no, effective_time,
 * expire_time, encrypt_certificate{algorithm, nonce, associated_data, ciphertext}}; each
 * certificate is decrypted under the APIv3 key with its own nonce and associated_data, as
 * wechatpay-java's core/.../certificate/CertificateDownloader.java and wechatpay-go's
 * core/downloader/downloader.go do. We also check that the PEM is an X.509 certificate whose
 * serial is the serial_no it is listed under (the serial is what answers name in
 * Wechatpay-Serial). null when any entry fails: a half-readable list is not believed.
 */
export function parseCertificatesAnswer(body: string, apiV3Key: string): PlatformCertificate[] | null {
  let doc: { data?: unknown };
  try {
    doc = JSON.parse(body) as typeof doc;
  } catch {
    return null;
  }
  if (!Array.isArray(doc.data)) return null;
  const out: PlatformCertificate[] = [];
  for (const d of doc.data as Record<string, unknown>[]) {
    const e = (d?.encrypt_certificate ?? {}) as Partial<Resource>;
    if (typeof d?.serial_no !== 'string' || e.algorithm !== 'AEAD_AES_256_GCM' || typeof e.nonce !== 'string' || typeof e.ciphertext !== 'string') return null;
    const pem = aeadDecrypt(apiV3Key, e.nonce, typeof e.associated_data === 'string' ? e.associated_data : '', e.ciphertext);
    if (!pem) return null;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      return null;
    }
    if (cert.serialNumber.toUpperCase() !== d.serial_no.toUpperCase()) return null;
    const effectiveTime = new Date(typeof d.effective_time === 'string' ? d.effective_time : cert.validFrom);
    const expireTime = new Date(typeof d.expire_time === 'string' ? d.expire_time : cert.validTo);
    if (Number.isNaN(effectiveTime.getTime()) || Number.isNaN(expireTime.getTime())) return null;
    out.push({ serialNo: d.serial_no.toUpperCase(), pem, publicKeyPem: cert.publicKey.export({ type: 'spki', format: 'pem' }).toString(), effectiveTime, expireTime });
  }
  return out;
}

export const FEN = /^(0|[1-9]\d{0,13})$/;
