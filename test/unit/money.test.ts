import { describe, expect, it } from 'vitest';
import { Decimal, formatMoney, fromFen, parseAmount, plainMoney, sum, toFen } from '../../src/domain/money';

describe('money', () => {
  it('formats with thousands separators and two decimals as 图8–图11 do', () => {
    expect(formatMoney('1099.98')).toBe('1,099.98');
    expect(formatMoney('9350')).toBe('9,350.00');
    expect(formatMoney('0.06')).toBe('0.06');
    expect(formatMoney('99999999.99')).toBe('99,999,999.99');
    expect(formatMoney('-1234.5')).toBe('-1,234.50');
    expect(plainMoney('8000')).toBe('8000.00');
  });

  it('parses only plain non-negative amounts with at most two decimals', () => {
    expect(parseAmount('7999.97')?.toFixed(2)).toBe('7999.97');
    expect(parseAmount(' 0.01 ')?.toFixed(2)).toBe('0.01');
    for (const bad of ['-1', '1.234', '1e3', 'abc', '', '01.5', '.5', 'Infinity', '0x10']) {
      expect(parseAmount(bad), bad).toBeNull();
    }
  });

  it('takes an amount as a payer copies or types it: thousands separators, full-width digits (NFKC)', () => {
    const cases: [string, string][] = [
      ['7,999.97', '7999.97'], // copied from the 欠费金额 column
      ['1,099.98', '1099.98'],
      ['99,999,999.99', '99999999.99'],
      ['1,000', '1000.00'],
      ['８０００', '8000.00'], // a Chinese keyboard's full-width digits
      ['８０００．５', '8000.50'],
      ['７，９９９．９７', '7999.97'], // full-width comma and point too
      ['\u30008000\u3000', '8000.00'], // ideographic spaces around it
      ['１０９９.９８', '1099.98'],
    ];
    for (const [typed, amount] of cases) expect(parseAmount(typed)?.toFixed(2), typed).toBe(amount);
  });

  it('still refuses three decimals, and a comma that is not a thousands separator', () => {
    for (const bad of [
      '1.001', '７９９９．９７１', '7,999.971', // three decimals, however written
      '7,99', // may mean 7.99: never read as 799
      '1,0000', '10,00.00', ',100', '100,', '1,,000', '0,100', '1,000,00', '1.000,00',
      '－5', '-1,000', '1 000', '８０００元', '¥8000',
    ]) {
      expect(parseAmount(bad), bad).toBeNull();
    }
  });

  it('converts yuan to fen and back exactly, never through a float', () => {
    for (const [yuan, fen] of [['0.01', 1n], ['249.99', 24999n], ['9099.95', 909995n], ['99999999.99', 9999999999n]] as const) {
      expect(toFen(yuan)).toBe(fen);
      expect(fromFen(fen).toFixed(2)).toBe(yuan);
      expect(fromFen(String(fen)).toFixed(2)).toBe(yuan);
    }
    // 0.1 + 0.2 is the classic float trap; Decimal has none.
    expect(sum(['0.1', '0.2']).equals(new Decimal('0.3'))).toBe(true);
    expect(() => toFen('1.005')).toThrow(RangeError);
    expect(() => fromFen('1.5')).toThrow(RangeError);
  });
});
