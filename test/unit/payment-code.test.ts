import { describe, expect, it } from 'vitest';
import { formatPaymentCode, isPaymentCode } from '../../src/domain/payment-code';

describe('缴款码', () => {
  it('is 20 digits: area code, 2-digit Shanghai year, 30, 10-digit serial', () => {
    const code = formatPaymentCode('620000', new Date('2026-12-31T16:30:00Z'), 42);
    // 16:30 UTC on 31 Dec is 00:30 on 1 Jan in Shanghai: the year is 27.
    expect(code).toBe('62000027300000000042');
    expect(code).toHaveLength(20);
    expect(isPaymentCode(code, '620000')).toBe(true);
  });
  it('refuses bad parts', () => {
    expect(() => formatPaymentCode('62000', new Date(), 1)).toThrow(RangeError);
    expect(() => formatPaymentCode('620000', new Date(), 0)).toThrow(RangeError);
    expect(() => formatPaymentCode('620000', new Date(), 10_000_000_000)).toThrow(RangeError);
  });
  it('recognises only well-formed codes of the expected area', () => {
    expect(isPaymentCode('62000026300000000001')).toBe(true);
    expect(isPaymentCode('62000026310000000001')).toBe(false);
    expect(isPaymentCode('6200002630000000001')).toBe(false);
    expect(isPaymentCode('63000026300000000001', '620000')).toBe(false);
  });
});
