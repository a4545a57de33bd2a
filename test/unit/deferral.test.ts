// 缓缴 rules without a database: what a deferral holds back from online payment, how a loan is
// shared among deferred bills (and what is left over), and the disbursement file's row checks.
import { describe, expect, it } from 'vitest';
import { allocateLoan, checkLoanRow, deferredPart, disbursementKey, isDay, type LoanKind, payableBeyondDeferral } from '../../src/domain/deferral';
import { Decimal } from '../../src/domain/money';
import { payableNow } from '../../src/domain/payable';

const d = (s: string) => new Decimal(s);
const now = new Date('2026-09-01T08:00:00+08:00');

describe('the deferred part of a bill', () => {
  it('holds back what the deferral still defers, never more than the bill owes', () => {
    expect(deferredPart(d('3000'), d('5000')).toFixed(2)).toBe('3000.00');
    expect(deferredPart(d('3000'), d('1200')).toFixed(2)).toBe('1200.00');
    expect(deferredPart(d('3000'), d('0')).toFixed(2)).toBe('0.00');
    expect(payableBeyondDeferral(d('5000'), d('3000')).toFixed(2)).toBe('2000.00');
    expect(payableBeyondDeferral(d('5000'), undefined).toFixed(2)).toBe('5000.00');
  });

  it('leaves the deferred part out of 学费缴费 and drops a bill deferred in full', () => {
    const bill = (id: number, deferred?: string) => ({
      id, due: d('5000'), paid: d('0'), reduction: d('0'), refunded: d('0'), feeType: '学费', itemStatus: '收费', startsAt: null, endsAt: null,
      deferred: deferred === undefined ? undefined : d(deferred),
    });
    const out = payableNow([bill(1, '3000'), bill(2, '5000'), bill(3)], now);
    expect(out.map((b) => [b.id, b.arrears.toFixed(2)])).toEqual([[1, '2000.00'], [3, '5000.00']]);
  });
});

describe('a loan paid into the deferred bills', () => {
  const t = (deferralId: number, kind: 'green' | 'national' | 'local', remaining: string, owed: string) => ({ deferralId, billId: deferralId * 10, kind, remaining: d(remaining), owed: d(owed) });

  it('pays its own kind first, then the others, and ends what it covers', () => {
    const plan = allocateLoan(d('6000'), 'national', [t(1, 'green', '2000', '2000'), t(2, 'national', '5000', '5000')]);
    expect(plan.lines.map((l) => [l.deferralId, l.amount.toFixed(2), l.covered.toFixed(2), l.ends])).toEqual([[2, '5000.00', '5000.00', true], [1, '1000.00', '1000.00', false]]);
    expect(plan.surplus.toFixed(2)).toBe('0.00');
  });

  it('pays what the bill owes beyond the deferred part too, and leaves the rest as surplus', () => {
    const plan = allocateLoan(d('8000'), 'local', [t(1, 'local', '3000', '5000')]);
    expect(plan.lines.map((l) => [l.amount.toFixed(2), l.covered.toFixed(2), l.ends])).toEqual([['5000.00', '3000.00', true]]);
    expect(plan.surplus.toFixed(2)).toBe('3000.00');
  });

  it('skips a bill that owes nothing; with no deferral at all the whole loan is surplus', () => {
    expect(allocateLoan(d('100'), 'national', [t(1, 'national', '100', '0')]).surplus.toFixed(2)).toBe('100.00');
    expect(allocateLoan(d('100'), 'national', [])).toEqual({ lines: [], surplus: d('100') });
  });

  it('keys a disbursement by 学号, kind, day and amount', () => {
    expect(disbursementKey('S1', 'national', '2026-09-01', d('6000'))).toBe('S1|national|2026-09-01|6000.00');
  });
});

describe('a row of the disbursement file', () => {
  const kinds = new Map<string, LoanKind>([['国家助学贷款', 'national'], ['生源地信用助学贷款', 'local']]);
  const row = (o: Record<string, string>) => ({ 学号: 'S1', 贷款类型: '国家助学贷款', 金额: '6,000.00', 到账日期: '2026-09-01', ...o });

  it('takes a good row with the amount as a decimal string', () => {
    expect(checkLoanRow(row({}), kinds, '2026-09-02')).toEqual({ row: { number: 'S1', kind: 'national', amount: '6000.00', arrivedOn: '2026-09-01' }, reasons: [] });
  });

  it('names every reason a row is refused', () => {
    expect(checkLoanRow(row({ 学号: '', 贷款类型: '助学金', 金额: '-5', 到账日期: '2026-02-30' }), kinds, '2026-09-02').reasons)
      .toEqual(['学号为空', '贷款类型“助学金”无效（应为国家助学贷款或生源地信用助学贷款）', '金额须为大于0且最多两位小数的数字', '到账日期格式应为 2026-09-01']);
    expect(checkLoanRow(row({ 到账日期: '2026-09-03' }), kinds, '2026-09-02').reasons).toEqual(['到账日期不能晚于今天']);
    expect(checkLoanRow(row({ 金额: '0.001' }), kinds, '2026-09-02').reasons).toEqual(['金额须为大于0且最多两位小数的数字']);
  });

  it('knows a calendar day', () => {
    expect([isDay('2026-02-28'), isDay('2026-02-29'), isDay('2028-02-29'), isDay('2026-9-1')]).toEqual([true, false, true, false]);
  });
});
