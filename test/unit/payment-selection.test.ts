import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { orderTotals, shownTotal, validateSelection, SELECTION_MESSAGES as MSG, type SelectableBill } from '../../src/domain/payment-selection';

const bill = (billId: number, category: '财政' | '代收', due: string, paid = '0.00', o: Partial<SelectableBill> = {}): SelectableBill => ({
  billId, category, due: new Decimal(due), paid: new Decimal(paid), refunded: new Decimal(0), reduction: new Decimal(0), ...o,
});

const bills = [bill(1, '财政', '8000.00', '0.03'), bill(2, '财政', '1100.00', '0.02'), bill(3, '代收', '250.00', '0.01'), bill(4, '财政', '100.00', '100.00')];

describe('validateSelection (缴费信息修改)', () => {
  it('accepts the arrears of 图10 and totals them exactly: 7,999.97 + 1,099.98 = 9,099.95', () => {
    const r = validateSelection('财政', bills, [{ billId: 1, amount: '7999.97' }, { billId: 2, amount: '1099.98' }]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.total.toFixed(2)).toBe('9099.95');
  });

  it('accepts part of a bill, down to 0.01', () => {
    const r = validateSelection('财政', bills, [{ billId: 1, amount: '0.01' }]);
    expect(r.ok && r.total.toFixed(2)).toBe('0.01');
  });

  it.each([
    ['7999.98', MSG.tooLarge(new Decimal('7999.97'))],
    ['0', MSG.tooSmall],
    ['0.00', MSG.tooSmall],
    ['-1', MSG.format],
    ['1.001', MSG.format],
    ['1e3', MSG.format],
    ['1,0000', MSG.format],
    ['7,99', MSG.format],
    ['７９９９．９７１', MSG.format],
    [' ', MSG.format],
    ['NaN', MSG.format],
  ])('refuses %j on the row it was typed', (amount, message) => {
    const r = validateSelection('财政', bills, [{ billId: 1, amount }]);
    expect(r).toEqual({ ok: false, errors: { amount_1: message } });
  });

  it('accepts 7,999.97 copied from 欠费金额 and full-width ８０００ as typed on a Chinese keyboard', () => {
    const r = validateSelection('财政', bills, [{ billId: 1, amount: '7,999.97' }, { billId: 2, amount: '１，０００' }]);
    expect(r.ok && r.lines.map((l) => l.amount.toFixed(2))).toEqual(['7999.97', '1000.00']);
    expect(r.ok && r.total.toFixed(2)).toBe('8999.97');
  });

  it('never mixes 财政 and 代收 in one order', () => {
    const r = validateSelection('财政', bills, [{ billId: 1, amount: '1.00' }, { billId: 3, amount: '1.00' }]);
    expect(r).toEqual({ ok: false, errors: { _: MSG.mixed } });
    expect(validateSelection('代收', bills, [{ billId: 2, amount: '1.00' }])).toEqual({ ok: false, errors: { _: MSG.mixed } });
  });

  it('refuses an empty choice, an unknown bill, a repeated bill and a bill with nothing owed', () => {
    expect(validateSelection('财政', bills, [])).toEqual({ ok: false, errors: { _: MSG.none } });
    expect(validateSelection('财政', bills, [{ billId: 99, amount: '1.00' }])).toEqual({ ok: false, errors: { _: MSG.unknown } });
    expect(validateSelection('财政', bills, [{ billId: 1, amount: '1.00' }, { billId: 1, amount: '1.00' }])).toEqual({ ok: false, errors: { _: MSG.duplicate } });
    expect(validateSelection('财政', bills, [{ billId: 4, amount: '1.00' }])).toEqual({ ok: false, errors: { amount_4: MSG.nothingDue } });
  });

  it('measures against arrears after reductions and refunds', () => {
    const b = bill(5, '财政', '1000.00', '500.00', { reduction: new Decimal('200.00'), refunded: new Decimal('100.00') });
    // 1000 − 200 − (500 − 100) = 400.00
    expect(validateSelection('财政', [b], [{ billId: 5, amount: '400.00' }]).ok).toBe(true);
    expect(validateSelection('财政', [b], [{ billId: 5, amount: '400.01' }]).ok).toBe(false);
  });
});

describe('orderTotals (缴费金额 + 手续费 = 总金额)', () => {
  it('adds the channel fee exactly', () => {
    const t = orderTotals(new Decimal('9099.95'), '0.05');
    expect([t.amount.toFixed(2), t.fee.toFixed(2), t.total.toFixed(2)]).toEqual(['9099.95', '0.05', '9100.00']);
  });
  it('refuses a negative or sub-fen fee', () => {
    expect(() => orderTotals(new Decimal(1), '-0.01')).toThrow(RangeError);
    expect(() => orderTotals(new Decimal(1), '0.001')).toThrow(RangeError);
  });
});

describe('shownTotal (缴费金额 and 共计 of 缴费信息修改)', () => {
  it('is the sum of the checked boxes as they read, never the arrears behind them', () => {
    expect(shownTotal(['1099.98', '7999.97'])?.toFixed(2)).toBe('9099.95');
    expect(shownTotal(['1,099.98', '７９９９．９７'])?.toFixed(2)).toBe('9099.95');
    // A refused amount (over the arrears) is still what the box shows: the total adds it.
    expect(shownTotal(['9000.00', '1099.98'])?.toFixed(2)).toBe('10099.98');
    expect(shownTotal([])?.toFixed(2)).toBe('0.00');
  });

  it('is no total at all when a checked box holds no amount', () => {
    expect(shownTotal(['1099.98', 'abc'])).toBeNull();
    expect(shownTotal(['1.001'])).toBeNull();
  });
});
