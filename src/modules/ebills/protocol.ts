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

/**
 * 票据种类编码: which fiscal bill the platform is to issue. A school's collection system names it
 * in every request, with codes agreed with the platform (the 分类 and 种类 digits of the 票据代码);
 * these are those of a provincial platform's college interface (ly3620296/wpt,
 * wxyfwpt/src/gka/dzfp/DzfpConstant.java: 0101 非税收入通用票据（电子）, 0401 行政事业单位资金往来
 * 结算票据（电子）; its request bean, bean/InvoiceEBillByCollegeBean.java, carries billCode and the
 * 收费渠道 channel as required fields). 财政 fees (学费, 住宿费) are non-tax revenue; 代收 money
 * (体检费, 医疗保险) is not the school's income, and takes the 资金往来结算票据.
 */
export const BILL_TYPE = { fiscal: '0101', settlement: '0401' } as const;
export type BillType = (typeof BILL_TYPE)[keyof typeof BILL_TYPE];

export interface IssueRequest {
  /** Ours, unique per receipt: asking again with the same id returns the same bill. */
  requestId: string;
  /** 票据种类编码 (BILL_TYPE). */
  billType: BillType;
  /** 收费渠道: how the money came (网上支付 through a channel, or the counter's 现金, POS刷卡, 银行转账). */
  channel: string;
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

/**
 * Checks the signature over the body exactly as received, and the clock skew. `why` is for the
 * log and the EbillError of the client (./client.ts), and for the sandbox's 401 (src/sandbox/ebill.ts);
 * never shown to a person, so not an AppError.
 */
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
