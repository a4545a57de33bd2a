import { describe, expect, it } from 'vitest';
import { businessDate, businessTime, compactDate, orderDatePart } from '../../src/domain/business-date';
import { formatOrderNo, isOrderNo } from '../../src/domain/order-number';
import { canTransition } from '../../src/domain/order-state';
import { paginate } from '../../src/domain/pagination';

describe('order number (收费订单号, 17 characters)', () => {
  it('is XF + YYMMDD + school code + 6-digit serial, 17 characters', () => {
    const at = new Date('2020-02-16T01:00:00+08:00');
    const no = formatOrderNo(at, 'LUT', 1);
    expect(no).toBe('XF200216LUT000001');
    expect(no).toHaveLength(17);
    expect(isOrderNo(no)).toBe(true);
    expect(isOrderNo('xf200216LUT000001')).toBe(false);
  });

  it('takes the date in Asia/Shanghai, whatever the server time zone', () => {
    // 23:30 UTC on the 15th is already the 16th in Lanzhou.
    expect(orderDatePart(new Date('2020-02-15T23:30:00Z'))).toBe('200216');
    expect(businessDate(new Date('2020-02-15T16:00:00Z'))).toBe('2020-02-16');
    expect(businessTime(new Date('2020-02-14T12:59:24Z'))).toBe('20:59:24');
    expect(compactDate('2020-01-20')).toBe('20200120');
  });

  it('refuses serials out of range and bad school codes', () => {
    expect(() => formatOrderNo(new Date(), 'LUT', 0)).toThrow(RangeError);
    expect(() => formatOrderNo(new Date(), 'LUT', 1_000_000)).toThrow(RangeError);
    expect(() => formatOrderNo(new Date(), 'lut', 1)).toThrow(RangeError);
  });
});

describe('order state machine', () => {
  it('allows only the transitions of the design', () => {
    expect(canTransition('created', 'paying')).toBe(true);
    expect(canTransition('paying', 'paid')).toBe(true);
    expect(canTransition('closed', 'paid')).toBe(true); // a late payment is still real money
    expect(canTransition('paid', 'paying')).toBe(false);
    expect(canTransition('paid', 'paid')).toBe(false); // a duplicate credit is impossible
    expect(canTransition('refunded', 'paid')).toBe(false);
  });
});

describe('pagination', () => {
  it('clamps the page into range', () => {
    expect(paginate(3, 1, 10)).toMatchObject({ page: 1, pages: 1, offset: 0 });
    expect(paginate(25, 3, 10)).toMatchObject({ page: 3, pages: 3, offset: 20 });
    expect(paginate(25, 9, 10)).toMatchObject({ page: 3, pages: 3 });
    expect(paginate(0, 5, 10)).toMatchObject({ page: 1, pages: 1, offset: 0 });
    expect(paginate(25, -1, 10).page).toBe(1);
  });
});
