import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { collectionStatus, isExpired, isOffered, notPayableReason, payableNow } from '../../src/domain/payable';

const now = new Date('2026-09-01T08:00:00+08:00');
const bill = (o: Partial<{ id: number; due: string; paid: string; feeType: string; itemStatus: string; startsAt: Date | null; endsAt: Date | null; payableAfterEnd: boolean }> = {}) => ({
  id: o.id ?? 1, due: new Decimal(o.due ?? '100.00'), paid: new Decimal(o.paid ?? '0'), reduction: new Decimal(0), refunded: new Decimal(0),
  feeType: o.feeType ?? '学费', itemStatus: o.itemStatus ?? '收费', startsAt: o.startsAt ?? null, endsAt: o.endsAt ?? null,
  payableAfterEnd: o.payableAfterEnd ?? false, itemName: '会议费',
});

describe('what 学费缴费 and 其他费用 offer', () => {
  it('offers items of the fee type asked for that are collecting, inside their window', () => {
    expect(isOffered(bill(), now)).toBe(true);
    expect(isOffered(bill(), now, '学费')).toBe(true);
    expect(isOffered(bill({ feeType: '其他费用' }), now, '学费')).toBe(false);
    expect(isOffered(bill({ feeType: '其他费用' }), now, '其他费用')).toBe(true);
    expect(isOffered(bill({ itemStatus: '停止' }), now)).toBe(false);
    expect(isOffered(bill({ startsAt: new Date(now.getTime() + 1) }), now)).toBe(false);
    expect(isOffered(bill({ endsAt: new Date(now.getTime() - 1) }), now)).toBe(false);
    // The window's ends count as inside it.
    expect(isOffered(bill({ startsAt: now, endsAt: now }), now)).toBe(true);
  });

  it('keeps only bills still owed, each with its arrears, in the order given', () => {
    const out = payableNow([bill({ id: 1, paid: '100.00' }), bill({ id: 2, paid: '30.00' }), bill({ id: 3, feeType: '其他费用' }), bill({ id: 4 })], now, '学费');
    expect(out.map((b) => [b.id, b.arrears.toFixed(2)])).toEqual([[2, '70.00'], [4, '100.00']]);
  });
});

describe('the collection window of 其他费用', () => {
  const before = new Date(now.getTime() - 86_400_000);
  const after = new Date(now.getTime() + 86_400_000);

  it('stays payable after 收费终止 only when 逾期可缴, never before 收费起始', () => {
    expect(isOffered(bill({ endsAt: before }), now)).toBe(false);
    expect(isOffered(bill({ endsAt: before, payableAfterEnd: true }), now)).toBe(true);
    expect(isOffered(bill({ startsAt: after, payableAfterEnd: true }), now)).toBe(false);
    expect(isOffered(bill({ endsAt: before, payableAfterEnd: true, itemStatus: '停止' }), now)).toBe(false);
    expect(collectionStatus(bill({ endsAt: before, payableAfterEnd: true }), now)).toBe('收费');
    expect(isExpired(bill({ endsAt: before }), now)).toBe(true);
    expect(isExpired(bill({ endsAt: before, payableAfterEnd: true }), now)).toBe(false);
  });

  it('says why an item cannot be paid, stopped first', () => {
    expect(notPayableReason(bill(), now)).toBeNull();
    expect(notPayableReason(bill({ startsAt: after }), now)).toMatch(/“会议费”尚未开始收费（收费起始 2026-09-02 08:00）/);
    expect(notPayableReason(bill({ endsAt: before }), now)).toMatch(/“会议费”已过收费终止时间（2026-08-31 08:00）/);
    expect(notPayableReason(bill({ endsAt: before, itemStatus: '停止' }), now)).toMatch(/暂停收费/);
    expect(notPayableReason(bill({ endsAt: before, payableAfterEnd: true }), now)).toBeNull();
  });
});
