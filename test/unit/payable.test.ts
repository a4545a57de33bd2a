import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { isOffered, payableNow } from '../../src/domain/payable';

const now = new Date('2026-09-01T08:00:00+08:00');
const bill = (o: Partial<{ id: number; due: string; paid: string; feeType: string; itemStatus: string; startsAt: Date | null; endsAt: Date | null }> = {}) => ({
  id: o.id ?? 1, due: new Decimal(o.due ?? '100.00'), paid: new Decimal(o.paid ?? '0'), reduction: new Decimal(0), refunded: new Decimal(0),
  feeType: o.feeType ?? '学费', itemStatus: o.itemStatus ?? '收费', startsAt: o.startsAt ?? null, endsAt: o.endsAt ?? null,
});

describe('what 学费缴费 offers', () => {
  it('offers 学费-type items that are collecting, inside their window', () => {
    expect(isOffered(bill(), now)).toBe(true);
    expect(isOffered(bill({ feeType: '其他费用' }), now)).toBe(false);
    expect(isOffered(bill({ itemStatus: '停止' }), now)).toBe(false);
    expect(isOffered(bill({ startsAt: new Date(now.getTime() + 1) }), now)).toBe(false);
    expect(isOffered(bill({ endsAt: new Date(now.getTime() - 1) }), now)).toBe(false);
    // The window's ends count as inside it.
    expect(isOffered(bill({ startsAt: now, endsAt: now }), now)).toBe(true);
  });

  it('keeps only bills still owed, each with its arrears, in the order given', () => {
    const out = payableNow([bill({ id: 1, paid: '100.00' }), bill({ id: 2, paid: '30.00' }), bill({ id: 3, feeType: '其他费用' }), bill({ id: 4 })], now);
    expect(out.map((b) => [b.id, b.arrears.toFixed(2)])).toEqual([[2, '70.00'], [4, '100.00']]);
  });
});
