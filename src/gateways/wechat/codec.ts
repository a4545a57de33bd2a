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
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
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

/** null when the resource does not authenticate under this key (tampered, or not for us). */
export function decryptResource(r: Partial<Resource>, apiV3Key: string): string | null {
  if (r.algorithm !== 'AEAD_AES_256_GCM' || typeof r.ciphertext !== 'string' || typeof r.nonce !== 'string') return null;
  try {
    const buf = Buffer.from(r.ciphertext, 'base64');
    if (buf.length < 17) return null;
    const d = createDecipheriv('aes-256-gcm', keyBytes(apiV3Key), Buffer.from(r.nonce, 'utf8'));
    d.setAuthTag(buf.subarray(buf.length - 16));
    d.setAAD(Buffer.from(r.associated_data ?? '', 'utf8'));
    return Buffer.concat([d.update(buf.subarray(0, buf.length - 16)), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}

export const FEN = /^(0|[1-9]\d{0,13})$/;
