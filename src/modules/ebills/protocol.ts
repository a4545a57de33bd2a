// The wire protocol of the non-tax platform's e-bill service, shared by our client and the sandbox
// that plays the platform. JSON over HTTPS, both directions signed with HMAC-SHA256 over
// `TIMESTAMP\nNONCE\nBODY\n` under the secret the platform issues with the app id, so a tampered
// or replayed request (timestamp more than five minutes off) is refused, and so is a forged answer.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const HEADER = {
  appId: 'x-ebill-appid',
  timestamp: 'x-ebill-timestamp',
  nonce: 'x-ebill-nonce',
  signature: 'x-ebill-signature',
} as const;

export const ISSUE_PATH = '/api/issue';
export const MAX_SKEW_SECONDS = 300;

/** One line of the bill: amounts are yuan strings with two decimals, as the platform takes them. */
export interface WireLine {
  code: string; // 项目编码
  name: string; // 项目名称
  unit: string; // 单位
  quantity: string; // 数量
  standard: string; // 标准
  amount: string; // 金额
}

export interface IssueRequest {
  /** Ours, unique per receipt: asking again with the same id returns the same bill. */
  requestId: string;
  payerName: string;
  payerNumber: string;
  unitName: string;
  remark: string;
  payDate: string; // YYYY-MM-DD
  total: string;
  lines: WireLine[];
}

export interface IssuedBill {
  billCode: string; // 票据代码
  billNo: string; // 票据号码
  checkCode: string; // 校验码
  issuedOn: string; // 开票日期 YYYY-MM-DD
}

/** code '0000' is success; anything else is an error the caller retries later. */
export interface IssueResponse {
  code: string;
  message: string;
  data?: IssuedBill;
}

export function sign(secret: string, timestamp: string, nonce: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${nonce}\n${body}\n`).digest('base64');
}

/** Headers for a signed message from `appId`. */
export function signedHeaders(appId: string, secret: string, body: string, now = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const nonce = randomBytes(12).toString('hex');
  return {
    [HEADER.appId]: appId,
    [HEADER.timestamp]: timestamp,
    [HEADER.nonce]: nonce,
    [HEADER.signature]: sign(secret, timestamp, nonce, body),
  };
}

type HeaderGetter = (name: string) => string | null | undefined;

/** Checks the signature over the body exactly as received, and the clock skew. */
export function verify(secret: string, get: HeaderGetter, body: string, now = new Date()): { ok: true } | { ok: false; why: string } {
  const timestamp = get(HEADER.timestamp) ?? '';
  const nonce = get(HEADER.nonce) ?? '';
  const signature = get(HEADER.signature) ?? '';
  if (!/^\d{1,12}$/.test(timestamp) || !nonce || !signature) return { ok: false, why: 'missing signature headers' };
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) return { ok: false, why: 'timestamp out of range' };
  const expected = Buffer.from(sign(secret, timestamp, nonce, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, why: 'bad signature' };
  return { ok: true };
}
