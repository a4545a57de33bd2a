// 我的报名's statuses derived from the sign-up and its bill (src/domain/enrolment.ts).
import { describe, expect, it } from 'vitest';
import { audienceAdmits, billSettled, shownStatus } from '../../src/domain/enrolment';
import { Decimal } from '../../src/domain/money';

const bill = (due: string, paid: string, refunded = '0', reduction = '0') => ({ due: new Decimal(due), paid: new Decimal(paid), refunded: new Decimal(refunded), reduction: new Decimal(reduction) });

describe('我的报名 status', () => {
  it('is 待缴费 while held and unpaid, 已报名 once the bill is settled', () => {
    expect(shownStatus('holding', bill('50', '0'))).toBe('待缴费');
    expect(shownStatus('holding', bill('50', '20'))).toBe('待缴费');
    expect(shownStatus('holding', bill('50', '50'))).toBe('已报名');
    expect(shownStatus('confirmed', null)).toBe('已报名');
  });
  it('is 已退费 for an ended sign-up whose money went back, 已取消 otherwise', () => {
    expect(shownStatus('cancelled', bill('50', '50', '50', '50'))).toBe('已退费');
    expect(shownStatus('cancelled', bill('50', '50'))).toBe('已取消');
    expect(shownStatus('released', bill('0', '0'))).toBe('已取消');
    expect(shownStatus('refund_due', bill('0', '50'))).toBe('已取消');
  });
  it('counts nothing paid as not settled (zero is not money kept)', () => {
    expect(billSettled(bill('0', '0'))).toBe(false);
    expect(billSettled(bill('50', '50', '50', '50'))).toBe(false);
  });
  it('admits by audience', () => {
    expect(audienceAdmits('all', 'student')).toBe(true);
    expect(audienceAdmits('external', 'student')).toBe(false);
    expect(audienceAdmits('staff', 'staff')).toBe(true);
  });
});
