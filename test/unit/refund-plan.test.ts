// What a refund does to its bill (src/domain/refund-plan.ts): money back leaves what is owed as it
// was (a settled bill becomes owed again unless it was overpaid); a fee-reduced refund lowers what
// is owed by its reduction, which may not be so small that the bill would owe more than before,
// nor larger than what is left to reduce; pending channel refunds count as done.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { leastReduction, MONEY_BACK, planRefund, reducible, refundable, type BillForRefund } from '../../src/domain/refund-plan';

const d = (v: string) => new Decimal(v);
const bill = (due: string, paid: string, o: { reduction?: string; refunded?: string; pendingRefunds?: string; pendingReductions?: string } = {}): BillForRefund => ({
  due: d(due), paid: d(paid), reduction: d(o.reduction ?? '0'), refunded: d(o.refunded ?? '0'),
  pendingRefunds: d(o.pendingRefunds ?? '0'), pendingReductions: d(o.pendingReductions ?? '0'),
});
const reduced = (reduction: string, cause: 'suspension' | 'withdrawal' | 'waiver' = 'withdrawal') => ({ purpose: 'fee_reduced' as const, cause, reduction: d(reduction) });
const fixed = (x: Decimal) => x.toFixed(2);

describe('planRefund', () => {
  it('money back of a bill paid in full leaves it owed by the refund', () => {
    const r = planRefund(bill('8000.00', '8000.00'), d('8000.00'), MONEY_BACK);
    expect(r.ok && [fixed(r.plan.arrearsBefore), fixed(r.plan.arrearsAfter), fixed(r.plan.after.refunded), fixed(r.plan.reduction)]).toEqual(['0.00', '8000.00', '8000.00', '0.00']);
  });

  it('money back of an overpayment leaves the bill settled', () => {
    const r = planRefund(bill('150.00', '200.00'), d('50.00'), MONEY_BACK);
    expect(r.ok && fixed(r.plan.arrearsAfter)).toBe('0.00');
  });

  it('a fee-reduced refund of a settled bill keeps it settled, to the fen', () => {
    const r = planRefund(bill('8000.00', '8000.00'), d('4000.01'), reduced('4000.01', 'suspension'));
    expect(r.ok && [fixed(r.plan.arrearsAfter), fixed(r.plan.after.reduction), fixed(r.plan.after.refunded)]).toEqual(['0.00', '4000.01', '4000.01']);
  });

  it('退学 of a bill paid in part: a reduction of the whole fee refunds what was paid and clears what was owed', () => {
    const r = planRefund(bill('8000.00', '3000.00'), d('3000.00'), reduced('8000.00'));
    expect(r.ok && [fixed(r.plan.arrearsBefore), fixed(r.plan.arrearsAfter)]).toEqual(['5000.00', '0.00']);
  });

  it('a refund beyond what was paid, less refunded and less reserved, is refused with what is left', () => {
    const r = planRefund(bill('300.00', '300.00', { refunded: '100.00', pendingRefunds: '50.00' }), d('150.01'), MONEY_BACK);
    expect(!r.ok && r.refusal).toEqual({ code: 'over_refundable', max: d('150.00') });
  });

  it('a reduction beyond what is left to reduce (pending reductions held) is refused', () => {
    const r = planRefund(bill('300.00', '300.00', { reduction: '100.00', pendingRefunds: '100.00', pendingReductions: '100.00' }), d('100.00'), reduced('100.01'));
    expect(!r.ok && r.refusal).toEqual({ code: 'over_reducible', max: d('100.00') });
  });

  it('a reduction smaller than the refund less any excess would leave the bill owed: refused with the least one', () => {
    const b = bill('300.00', '320.00');
    expect(fixed(leastReduction(b, d('120.00')))).toBe('100.00');
    const r = planRefund(b, d('120.00'), reduced('99.99'));
    expect(!r.ok && r.refusal).toEqual({ code: 'reduction_too_small', min: d('100.00') });
    expect(planRefund(b, d('120.00'), reduced('100.00')).ok).toBe(true);
  });

  it('what is refundable and reducible never goes below zero', () => {
    const b = bill('100.00', '100.00', { refunded: '100.00', reduction: '100.00' });
    expect([fixed(refundable(b)), fixed(reducible(b))]).toEqual(['0.00', '0.00']);
  });
});
