// Alipay OpenAPI (v2 "gateway.do" protocol) with RSA2, both directions: the adapter signs
// requests and verifies answers and notifications; the sandbox does the reverse with the same
// functions. Checked against the alipay-sdk npm package (util.sign, checkResponseSign,
// checkNotifySign) and Alipay's "自行实现签名" / "异步通知验签" documentation:
//  - request: every parameter except `sign`, empty values dropped, sorted by name, `k=v` joined
//    by `&`, values raw (not URL-encoded), SHA256withRSA, base64. `sign_type` IS signed.
//  - notification: same, but both `sign` and `sign_type` are left out, and the values are the
//    decoded form values exactly as received (never a re-encoded copy).
//  - answer: JSON `{"<method with . → _>_response": {...}, "sign": "..."}`; the signature is over
//    the exact text of the response object as sent.
// Amounts are yuan strings with two decimals ("9099.95").
import { dashedDateTime, rawJsonMember, rsaSign, rsaVerify } from '../common/crypto';

export const SUCCESS_CODE = '10000';
export const ACK = 'success';
export const NACK = 'failure';

export type Params = Record<string, string | undefined>;

export function signContent(params: Params, exclude: readonly string[] = ['sign']): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k) && params[k] !== undefined && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

export interface RequestOpts {
  appId: string;
  method: string;
  biz: object;
  privateKeyPem: string;
  notifyUrl?: string;
  returnUrl?: string;
  at?: Date;
  /** 公钥证书 mode (./cert.ts): both SNs are public parameters, signed like the others. */
  cert?: { appCertSn: string; alipayRootCertSn: string };
}

/** The full parameter set of a request, signed; sent as a form body (or the page.pay form). */
export function signedRequest(o: RequestOpts): Record<string, string> {
  const p: Record<string, string> = {
    app_id: o.appId,
    method: o.method,
    format: 'JSON',
    charset: 'utf-8',
    sign_type: 'RSA2',
    timestamp: dashedDateTime(o.at ?? new Date()),
    version: '1.0',
    biz_content: JSON.stringify(o.biz),
  };
  if (o.notifyUrl) p.notify_url = o.notifyUrl;
  if (o.returnUrl) p.return_url = o.returnUrl;
  if (o.cert) {
    p.app_cert_sn = o.cert.appCertSn;
    p.alipay_root_cert_sn = o.cert.alipayRootCertSn;
  }
  p.sign = rsaSign(signContent(p), o.privateKeyPem);
  return p;
}

/** Sandbox side: a request's signature, over everything but `sign`. */
export function verifyRequest(p: Params, publicKeyPem: string): boolean {
  return p.sign_type === 'RSA2' && !!p.sign && rsaVerify(signContent(p), p.sign, publicKeyPem);
}

export const responseKey = (method: string) => `${method.replace(/\./g, '_')}_response`;

/**
 * Sandbox side: the answer body, signed over the exact response text it contains; in 公钥证书
 * mode with `alipay_cert_sn` beside the response, as the gateway sends it (alipay-sdk-nodejs-all
 * test/alipay.exec.test.ts, "证书校验模式": `{"alipay_open_mock_response":{…},"alipay_cert_sn":"…","sign":"…"}`).
 */
export function signedResponse(method: string, response: object, privateKeyPem: string, alipayCertSn?: string): string {
  const text = JSON.stringify(response);
  const sn = alipayCertSn ? `"alipay_cert_sn":"${alipayCertSn}",` : '';
  return `{"${responseKey(method)}":${text},${sn}"sign":"${rsaSign(text, privateKeyPem)}"}`;
}

export type ResponseCheck = { ok: true; response: Record<string, unknown>; alipayCertSn?: string } | { ok: false; reason: string };

/** Adapter side: finds the response object's text as sent and checks `sign` over it. */
export function verifyResponse(body: string, method: string, publicKeyPem: string): ResponseCheck {
  const raw = rawJsonMember(body, responseKey(method)) ?? rawJsonMember(body, 'error_response');
  if (!raw) return { ok: false, reason: 'malformed' };
  let doc: { sign?: unknown };
  let response: Record<string, unknown>;
  try {
    doc = JSON.parse(body) as { sign?: unknown };
    response = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof doc.sign !== 'string') return { ok: false, reason: 'unsigned' };
  if (!rsaVerify(raw, doc.sign, publicKeyPem)) return { ok: false, reason: 'signature' };
  const sn = (doc as { alipay_cert_sn?: unknown }).alipay_cert_sn;
  return { ok: true, response, ...(typeof sn === 'string' ? { alipayCertSn: sn } : {}) };
}

/** Sandbox side: a notification's fields, signed as Alipay does (sign and sign_type left out). */
export function signNotification(fields: Record<string, string>, privateKeyPem: string): Record<string, string> {
  const f = { ...fields, sign_type: 'RSA2' };
  return { ...f, sign: rsaSign(signContent(f, ['sign', 'sign_type']), privateKeyPem) };
}

export function verifyNotification(fields: Params, publicKeyPem: string): boolean {
  if (!fields.sign || (fields.sign_type && fields.sign_type !== 'RSA2')) return false;
  return rsaVerify(signContent(fields, ['sign', 'sign_type']), fields.sign, publicKeyPem);
}

export const YUAN = /^(0|[1-9]\d{0,11})\.\d{2}$/;
