// ICBC open platform (API开放平台) as 工银e支付 uses it, both directions. What is public (the
// platform's SDKs: DefaultIcbcClient / UiIcbcClient / WebUtils.buildOrderedSignStr, and the
// published notify example):
//  - a request is a form post of app_id, msg_id, format=json, charset=UTF-8, sign_type,
//    timestamp (yyyy-MM-dd HH:mm:ss, Beijing), biz_content (JSON text) and sign;
//  - sign = base64 signature over `PATH?k=v&…`: PATH the API's URL path, the parameters except
//    `sign` sorted by name, empty values dropped, values raw. sign_type RSA2 = SHA256withRSA
//    (RSA = SHA1withRSA, the older default; we only speak RSA2);
//  - an answer is JSON `{"response_biz_content":{…},"sign":"…"}`, signed over the text of the
//    response_biz_content object (we check it over the bytes as sent);
//  - a notification is a form post to the merchant's URL with from, api, app_id, charset,
//    format, encrypt_type, timestamp, sign_type, biz_content, sign — signed like a request, PATH
//    being the notify URL's path;
//  - the merchant answers JSON `{"response_biz_content":{"return_code":0,"return_msg":"success",
//    "msg_id":"…"},"sign_type":"RSA2","sign":"…"}`, signed with its own key over
//    `"response_biz_content":{…},"sign_type":"RSA2"`. return_code 0 = received; anything else,
//    or no such answer, and ICBC notifies again.
// Not public, chosen here (the sandbox speaks the same): the exact biz_content field set of the
// notification and of the query answer (see adapter.ts), and the retry schedule (sandbox).
// Amounts are integer fen (as strings).
import { rawJsonMember, rsaSign, rsaVerify } from '../common/crypto';

export const SIGN_TYPE = 'RSA2';

export type Fields = Record<string, string>;

export function signingString(path: string, f: Fields): string {
  const parts = Object.keys(f)
    .filter((k) => k !== 'sign' && f[k] !== undefined && f[k] !== '')
    .sort()
    .map((k) => `${k}=${f[k]}`);
  return `${path}?${parts.join('&')}`;
}

export function sign(path: string, f: Fields, privateKeyPem: string): Fields {
  const out = { ...f };
  delete out.sign;
  return { ...out, sign: rsaSign(signingString(path, out), privateKeyPem) };
}

export function verify(path: string, f: Fields, publicKeyPem: string): boolean {
  if (f.sign_type !== SIGN_TYPE || !f.sign) return false;
  return rsaVerify(signingString(path, f), f.sign, publicKeyPem);
}

/** A gateway answer (sandbox side). */
export function signedAnswer(biz: object, privateKeyPem: string): string {
  const text = JSON.stringify(biz);
  return `{"response_biz_content":${text},"sign":"${rsaSign(text, privateKeyPem)}"}`;
}

/** The merchant's answer to a notification: its own dialect, signed with the merchant key. */
export function signedNotifyAnswer(biz: { return_code: number; return_msg: string; msg_id: string }, privateKeyPem: string): string {
  const signed = `"response_biz_content":${JSON.stringify(biz)},"sign_type":"${SIGN_TYPE}"`;
  return `{${signed},"sign":"${rsaSign(signed, privateKeyPem)}"}`;
}

export function verifyNotifyAnswer(body: string, publicKeyPem: string): Record<string, unknown> | null {
  const biz = rawJsonMember(body, 'response_biz_content');
  if (!biz) return null;
  try {
    const doc = JSON.parse(body) as { sign?: unknown; sign_type?: unknown };
    if (typeof doc.sign !== 'string' || doc.sign_type !== SIGN_TYPE) return null;
    if (!rsaVerify(`"response_biz_content":${biz},"sign_type":"${SIGN_TYPE}"`, doc.sign, publicKeyPem)) return null;
    return JSON.parse(biz) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export type AnswerCheck = { ok: true; biz: Record<string, unknown> } | { ok: false; reason: string };

export function verifyAnswer(body: string, publicKeyPem: string): AnswerCheck {
  const raw = rawJsonMember(body, 'response_biz_content');
  if (!raw) return { ok: false, reason: 'malformed' };
  try {
    const doc = JSON.parse(body) as { sign?: unknown };
    if (typeof doc.sign !== 'string') return { ok: false, reason: 'unsigned' };
    if (!rsaVerify(raw, doc.sign, publicKeyPem)) return { ok: false, reason: 'signature' };
    return { ok: true, biz: JSON.parse(raw) as Record<string, unknown> };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

export const FEN = /^(0|[1-9]\d{0,13})$/;

/** API paths (the part that is signed). */
export const API = {
  pay: '/ui/cardbusiness/epaypc/consumption/V1',
  query: '/api/cardbusiness/aggregatepay/b2c/online/orderqry/V1',
  refund: '/api/cardbusiness/aggregatepay/b2c/online/merrefund/V1',
  // Not a public API path: ICBC delivers statements by its own file service; see the sandbox.
  statement: '/api/cardbusiness/aggregatepay/b2c/online/billdownload/V1',
} as const;
