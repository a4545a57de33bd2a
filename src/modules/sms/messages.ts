// 非税通知: the texts of the SMS messages, in one place.
import { formatMoney, type Decimal } from '../../domain/money';

/** After the e-bill of a payment is issued: where to see and download it. */
export function ebillNotice(p: {
  schoolName: string;
  receiptDate: string;
  total: Decimal;
  receiptNo: string;
  billTitle: string;
  billNo: string;
  link: string;
}): string {
  return `【${p.schoolName}】您于${p.receiptDate}缴费${formatMoney(p.total)}元（收费单号${p.receiptNo}），${p.billTitle}已开具，票据号码${p.billNo}，请登录查看或下载：${p.link}`;
}

/** A valid mainland mobile number: the only kind an SMS can go to. */
export function isMobile(s: string | null | undefined): s is string {
  return !!s && /^1[3-9]\d{9}$/.test(s);
}

/** A verification code (src/modules/sms-codes): what it is for, and for how long it holds. */
export function verificationCode(p: { schoolName: string; purpose: string; code: string; minutes: number }): string {
  return `【${p.schoolName}】您的${p.purpose}验证码为${p.code}，${p.minutes}分钟内有效。如非本人操作，请忽略本短信，切勿将验证码告诉他人。`;
}
