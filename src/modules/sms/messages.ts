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
