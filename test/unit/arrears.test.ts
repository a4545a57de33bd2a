import { describe, expect, it } from 'vitest';
import { arrears, netPaid, overpayment, payable, paymentStatus } from '../../src/domain/arrears';
import { Decimal } from '../../src/domain/money';

const b = (due: string, paid = '0', reduction = '0', refunded = '0') => ({
  due: new Decimal(due), paid: new Decimal(paid), reduction: new Decimal(reduction), refunded: new Decimal(refunded),
});

describe('arrears', () => {
  it('is due − reduction − (paid − refunded), as 图9 shows', () => {
    expect(arrears(b('8000.00', '0.03')).toFixed(2)).toBe('7999.97');
    expect(arrears(b('8000.00', '5000.03')).toFixed(2)).toBe('2999.97');
    expect(arrears(b('5000', '3000', '2000')).toFixed(2)).toBe('0.00');
    expect(arrears(b('1100', '1100', '0', '100')).toFixed(2)).toBe('100.00');
    expect(payable(b('5000', '0', '2000')).toFixed(2)).toBe('3000.00');
    expect(netPaid(b('1100', '1100', '0', '100')).toFixed(2)).toBe('1000.00');
  });

  it('never goes below zero; the excess is an overpayment', () => {
    expect(arrears(b('250', '500')).toFixed(2)).toBe('0.00');
    expect(overpayment(b('250', '500')).toFixed(2)).toBe('250.00');
    expect(overpayment(b('250', '100')).toFixed(2)).toBe('0.00');
  });

  it('says 已完成 once nothing is owed', () => {
    expect(paymentStatus(b('250', '250'))).toBe('已完成');
    expect(paymentStatus(b('250', '249.99'))).toBe('未完成');
  });
});
