// UnionPay online gateway (全渠道 / ACP) version 5.1.0, signMethod 01, both directions. Checked
// against UnionPay's ACP SDK (AcpService.sign/validate, SDKUtil.coverMap2String, filterBlank):
//  - signing string: every field except `signature`, empty values dropped, sorted by name,
//    `k=v` joined by `&`, UTF-8;
//  - signMethod 01: SHA-256 of that string as lower-case hex, then SHA256withRSA over the hex
//    text, base64 → `signature`; `certId` names the signing certificate (its serial, decimal).
//  - 5.1.0 answers carry the signer's certificate in `signPubKeyCert`, which the SDK checks up
//    to UnionPay's root before using it. We pin UnionPay's verification public key in the
//    configuration instead (no X.509 chain building in Node's crypto without a dependency);
//    `signPubKeyCert` is passed along untouched and not trusted. Key rotation = config change.
//  - synchronous answers are `k=v&k=v` with values NOT URL-encoded (a value in {…} may contain
//    & or =); back notifications are ordinary URL-encoded form posts.
// Amounts (txnAmt) are integer fen; times (txnTime) yyyyMMddHHmmss Asia/Shanghai.
import { createHash } from 'node:crypto';
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
