// 缴款码: the 20-digit payment code the provincial non-tax platform gives each payable bill —
// 6-digit administrative area code (620000 = 甘肃省), 2-digit year, the fixed type digits "30"
// (online payment of a non-tax bill) and a 10-digit serial of the platform's own.
import { businessDate } from './business-date';

export const PAYMENT_CODE_PATTERN = /^(\d{6})(\d{2})30(\d{10})$/;

export function formatPaymentCode(areaCode: string, at: Date, serial: number): string {
  if (!/^\d{6}$/.test(areaCode)) throw new RangeError('area code must be six digits');
  if (!Number.isSafeInteger(serial) || serial < 1 || serial > 9_999_999_999) throw new RangeError(`payment code serial out of range: ${serial}`);
  const yy = businessDate(at).slice(2, 4);
  return `${areaCode}${yy}30${String(serial).padStart(10, '0')}`;
}

/** Accepts only a well-formed code of the expected area: anything else is not ours to look up. */
export function isPaymentCode(code: string, areaCode?: string): boolean {
  const m = PAYMENT_CODE_PATTERN.exec(code);
  return !!m && (areaCode === undefined || m[1] === areaCode);
}
