// ICBC open platform (API开放平台) as 工银e支付 uses it, both directions. Each rule below is what
// ICBC's own SDKs do; the PHP SDK ICBC hands to merchants is kept public as jian1098/icbc-sdk
// (src/DefaultIcbcClient.php, src/IcbcSignature.php, src/WebUtils.php, src/example/*):
//  - a request is a form post of app_id, msg_id, format=json, charset=UTF-8, sign_type,
//    timestamp (yyyy-MM-dd HH:mm:ss, Beijing), biz_content (JSON text) and sign
//    (DefaultIcbcClient::prepareParams);
//  - sign = base64 signature over `PATH?k=v&…`: PATH the API's URL path, the parameters except
//    `sign` sorted by name, empty values dropped, values raw (WebUtils::buildOrderedSignStr).
//    The app signs with the sign_type it registered on the platform: RSA = SHA1withRSA,
//    RSA2 = SHA256withRSA (IcbcSignature::sign); both are spoken here, chosen by ICBC_SIGN_TYPE;
//  - an answer is JSON `{"response_biz_content":{…},"sign":"…"}`. DefaultIcbcClient verifies it
//    with IcbcConstants SIGN_TYPE_RSA (SHA1withRSA) and the gateway public key, whatever the
//    app's own sign_type, over the text of response_biz_content as it came (the Java/C# clients
//    cut it out of the answer text: parseJsonWithIcbcSign); so do we, over the bytes as sent;
//  - a notification is a form post to the merchant's URL with from, api, app_id, charset,
//    format, encrypt_type, timestamp, sign_type, biz_content, sign — signed like a request,
//    PATH being the path of the notify URL the merchant registered, sign_type RSA (ICBC's
//    notify sample: "目前上行网关签名暂时仅支持RSA", verified with IcbcSignature.verify(signStr,
//    sign_type, APIGW_PUBLIC_KEY, …); sample kept as zhongliudizhu/springBoot-Moudle
//    src/main/java/com/winstar/NotifyUrlServlet.java);
//  - the merchant answers JSON `{"response_biz_content":{"return_code":0,"return_msg":"success",
//    "msg_id":"…"},"sign_type":"…","sign":"…"}`, signed with its own key over
//    `"response_biz_content":{…},"sign_type":"…"` in the sign type it registered (the same
//    sample: "签名方式需与在API平台登记APP的sign_type保持一致"). return_code 0 = received;
//    anything else, or no such answer, and ICBC notifies again.
// Amounts are integer fen (as strings).
import { rawJsonMember, rsaSign, rsaVerify, type RsaAlg } from '../common/crypto';

export type SignType = 'RSA' | 'RSA2';
export const SIGN_TYPES: readonly SignType[] = ['RSA', 'RSA2'];
/** What the gateway signs its answers and notifications with (DefaultIcbcClient, notify sample). */
export const GATEWAY_SIGN_TYPE: SignType = 'RSA';

export const algOf = (t: SignType): RsaAlg => (t === 'RSA' ? 'RSA-SHA1' : 'RSA-SHA256');
const isSignType = (t: unknown): t is SignType => t === 'RSA' || t === 'RSA2';

export type Fields = Record<string, string>;

export function signingString(path: string, f: Fields): string {
  const parts = Object.keys(f)
    .filter((k) => k !== 'sign' && f[k] !== undefined && f[k] !== '')
    .sort()
    .map((k) => `${k}=${f[k]}`);
  return `${path}?${parts.join('&')}`;
}

/** Signs with the algorithm the fields' own sign_type names (RSA or RSA2). */
export function sign(path: string, f: Fields, privateKeyPem: string): Fields {
  const out = { ...f };
  delete out.sign;
  if (!isSignType(out.sign_type)) throw new Error(`icbc: sign_type must be RSA or RSA2, not ${String(out.sign_type)}`);
  return { ...out, sign: rsaSign(signingString(path, out), privateKeyPem, algOf(out.sign_type)) };
}

/**
 * True when `sign` is this key's signature over PATH?sorted fields, in the algorithm the fields'
 * sign_type names, and that sign_type is the one expected (a notification: RSA; a merchant
 * request at the sandbox: the app's registered type). A message claiming another type is refused
 * rather than checked another way.
 */
export function verify(path: string, f: Fields, publicKeyPem: string, expected: SignType): boolean {
  if (f.sign_type !== expected || !f.sign) return false;
  return rsaVerify(signingString(path, f), f.sign, publicKeyPem, algOf(expected));
}

/** A gateway answer (sandbox side): SHA1withRSA over the response_biz_content text, as ICBC signs. */
export function signedAnswer(biz: object, privateKeyPem: string): string {
  const text = JSON.stringify(biz);
  return `{"response_biz_content":${text},"sign":"${rsaSign(text, privateKeyPem, algOf(GATEWAY_SIGN_TYPE))}"}`;
}

/** The merchant's answer to a notification, signed with the merchant key in its registered type. */
export function signedNotifyAnswer(biz: { return_code: number; return_msg: string; msg_id: string }, privateKeyPem: string, signType: SignType): string {
  const signed = `"response_biz_content":${JSON.stringify(biz)},"sign_type":"${signType}"`;
  return `{${signed},"sign":"${rsaSign(signed, privateKeyPem, algOf(signType))}"}`;
}

/** The sandbox's check of the merchant's notify answer: signed in the app's registered type. */
export function verifyNotifyAnswer(body: string, publicKeyPem: string, signType: SignType): Record<string, unknown> | null {
  const biz = rawJsonMember(body, 'response_biz_content');
  if (!biz) return null;
  try {
    const doc = JSON.parse(body) as { sign?: unknown; sign_type?: unknown };
    if (typeof doc.sign !== 'string' || doc.sign_type !== signType) return null;
    if (!rsaVerify(`"response_biz_content":${biz},"sign_type":"${signType}"`, doc.sign, publicKeyPem, algOf(signType))) return null;
    return JSON.parse(biz) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export type AnswerCheck = { ok: true; biz: Record<string, unknown> } | { ok: false; reason: string };

/**
 * A gateway answer, checked as DefaultIcbcClient checks it: SHA1withRSA (SIGN_TYPE_RSA) with the
 * gateway public key over the response_biz_content text exactly as sent.
 */
export function verifyAnswer(body: string, publicKeyPem: string): AnswerCheck {
  const raw = rawJsonMember(body, 'response_biz_content');
  if (!raw) return { ok: false, reason: 'malformed' };
  try {
    const doc = JSON.parse(body) as { sign?: unknown };
    if (typeof doc.sign !== 'string') return { ok: false, reason: 'unsigned' };
    if (!rsaVerify(raw, doc.sign, publicKeyPem, algOf(GATEWAY_SIGN_TYPE))) return { ok: false, reason: 'signature' };
    return { ok: true, biz: JSON.parse(raw) as Record<string, unknown> };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

export const FEN = /^(0|[1-9]\d{0,13})$/;

/**
 * return_code of an answer: 0 done; positive a business refusal; negative a system error, after
 * which the outcome is unknown (ICBC's API pages: 交易成功返回0，正表示业务报错，负表示系统报错).
 * ICBC sends it as a number or as a numeric string; anything else is not an answer.
 */
export function returnCode(b: Record<string, unknown>): number | null {
  const c = b.return_code;
  if (typeof c === 'number' && Number.isInteger(c)) return c;
  if (typeof c === 'string' && /^-?\d{1,12}$/.test(c)) return Number(c);
  return null;
}

/** API paths (the part that is signed), as the SDK's examples name them (jian1098/icbc-sdk src/example). */
export const API = {
  pay: '/ui/cardbusiness/epaypc/consumption/V1',
  query: '/api/cardbusiness/aggregatepay/b2c/online/orderqry/V1',
  refund: '/api/cardbusiness/aggregatepay/b2c/online/merrefund/V1',
  refundQuery: '/api/cardbusiness/aggregatepay/b2c/online/refundqry/V1',
} as const;
