// Wire format of the provincial non-tax payment platform (非税支付). The real protocol is not
// public; this is the shape we agreed with the platform and the sandbox speaks it from the
// other side. Kept in one file so that a change to the format is one change.
//
// Requests (school → platform) and notifications (platform → school) are HTTP POSTs with
// Content-Type application/x-www-form-urlencoded (UTF-8) and these fields:
//   merchant_id   执收单位编码, assigned by the platform
//   method        bill.push | bill.query | bill.close | bill.statement | bill.notify
//   timestamp     "yyyy-MM-dd HH:mm:ss", Asia/Shanghai
//   nonce         random hex, at least 16 characters
//   biz_content   JSON text of the method's parameters (amounts are yuan strings "9100.00")
//   sign_type     RSA2
//   sign          base64 SHA256withRSA over the signing string (below)
// Signing string: every field except `sign` whose value is not empty, sorted by name (code
// point order), written `name=value` with the values exactly as received (no re-encoding),
// joined by `&`. The school signs requests with its private key; the platform signs
// notifications and responses with its own, whose public key the school holds.
//
// Responses (platform → school) are JSON: {"response": "<JSON text>", "sign": "<base64>"}, the
// signature over the exact bytes of the `response` string. The response object always has
// `code` ("0000" success; see CODES) and `msg`, plus the method's fields.
//
// The school answers a notification with the plain text SUCCESS once it has recorded it (or
// knows it already had); anything else — including FAIL — makes the platform retry.
import { createSign, createVerify, randomBytes } from 'node:crypto';
import { businessDateTime } from '../../domain/business-date';

export const SIGN_TYPE = 'RSA2';
export const ACK_SUCCESS = 'SUCCESS';
export const ACK_FAIL = 'FAIL';

export const CODES = {
  ok: '0000',
  badSignature: '1001',
  badMerchant: '1002',
  badRequest: '1003',
  notFound: '2001',
  alreadyPaid: '2002',
  closed: '2003',
  conflict: '2004',
} as const;

export type NontaxMethod = 'bill.push' | 'bill.query' | 'bill.close' | 'bill.statement' | 'bill.notify';

export type Fields = Record<string, string>;

export function signingString(fields: Fields): string {
  return Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== '' && fields[k] !== undefined)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
}

export function rsaSign(privateKeyPem: string, text: string): string {
  return createSign('RSA-SHA256').update(text, 'utf8').sign(privateKeyPem, 'base64');
}

export function rsaVerify(publicKeyPem: string, text: string, signature: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return createVerify('RSA-SHA256').update(text, 'utf8').verify(publicKeyPem, signature, 'base64');
  } catch {
    return false;
  }
}

/** A signed request or notification, ready to be form-encoded. */
export function signedEnvelope(opts: { merchantId: string; method: NontaxMethod; biz: object; privateKeyPem: string; at?: Date }): Fields {
  const fields: Fields = {
    merchant_id: opts.merchantId,
    method: opts.method,
    timestamp: businessDateTime(opts.at ?? new Date()),
    nonce: randomBytes(12).toString('hex'),
    biz_content: JSON.stringify(opts.biz),
    sign_type: SIGN_TYPE,
  };
  fields.sign = rsaSign(opts.privateKeyPem, signingString(fields));
  return fields;
}

export function encodeForm(fields: Fields): string {
  return new URLSearchParams(fields).toString();
}

/**
 * Parses a form body as it came. A repeated field is refused: which copy was signed would be
 * ambiguous, and a forged second copy is the classic way around a signature check.
 */
export function parseForm(raw: string): Fields | null {
  const out: Fields = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (Object.hasOwn(out, k)) return null;
    out[k] = v;
  }
  return out;
}

export type VerifyResult = { ok: true; fields: Fields; biz: Record<string, unknown> } | { ok: false; reason: 'malformed' | 'signature' };

/** Checks the envelope's signature with the sender's public key and decodes biz_content. */
export function verifyEnvelope(raw: string, publicKeyPem: string): VerifyResult {
  const fields = parseForm(raw);
  if (!fields || !fields.sign || !fields.biz_content || fields.sign_type !== SIGN_TYPE) return { ok: false, reason: 'malformed' };
  if (!rsaVerify(publicKeyPem, signingString(fields), fields.sign)) return { ok: false, reason: 'signature' };
  try {
    const biz = JSON.parse(fields.biz_content) as unknown;
    if (!biz || typeof biz !== 'object' || Array.isArray(biz)) return { ok: false, reason: 'malformed' };
    return { ok: true, fields, biz: biz as Record<string, unknown> };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

export function signedResponse(response: object, privateKeyPem: string): { response: string; sign: string } {
  const text = JSON.stringify(response);
  return { response: text, sign: rsaSign(privateKeyPem, text) };
}

export type ResponseResult = { ok: true; response: Record<string, unknown> } | { ok: false; reason: string };

export function verifyResponse(body: unknown, publicKeyPem: string): ResponseResult {
  if (!body || typeof body !== 'object') return { ok: false, reason: 'malformed' };
  const { response, sign } = body as { response?: unknown; sign?: unknown };
  if (typeof response !== 'string' || typeof sign !== 'string') return { ok: false, reason: 'malformed' };
  if (!rsaVerify(publicKeyPem, response, sign)) return { ok: false, reason: 'signature' };
  try {
    return { ok: true, response: JSON.parse(response) as Record<string, unknown> };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}
