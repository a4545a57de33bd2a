// 收费订单号 (图23's 银行订单 column): 17 characters — XF, the date YYMMDD, the school code, a 6-digit
// daily serial. XF200216LUT000001 is the first payment of 16 February 2020.
import { orderDatePart } from './business-date';

export const ORDER_NO_PATTERN = /^XF\d{6}[A-Z]{3}\d{6}$/;
export const MAX_DAILY_SERIAL = 999_999;

export function formatOrderNo(at: Date, schoolCode: string, serial: number): string {
  if (!/^[A-Z]{3}$/.test(schoolCode)) throw new RangeError('school code must be three capital letters');
  if (!Number.isInteger(serial) || serial < 1 || serial > MAX_DAILY_SERIAL) {
    throw new RangeError(`daily serial out of range: ${serial}`);
  }
  return `XF${orderDatePart(at)}${schoolCode}${String(serial).padStart(6, '0')}`;
}

export function isOrderNo(s: string): boolean {
  return ORDER_NO_PATTERN.test(s);
}
