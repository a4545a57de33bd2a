// 缴费信息修改 (图10/图18): which bills a person may put in one order and for how much. The
// browser's figures are only a suggestion: every amount is re-checked here against the bill's
// arrears as the database has it now, and the total is recomputed from the lines.
import { arrears, type BillAmounts } from './arrears';
import { payableBeyondDeferral } from './deferral';
import { Decimal, parseAmount, sum, ZERO } from './money';

export type Category = '财政' | '代收';

export const MIN_AMOUNT = new Decimal('0.01');

export interface SelectableBill extends BillAmounts {
  billId: number;
  category: Category;
  /** 缓缴 in force on the bill (src/domain/payable.ts): that part cannot be chosen. */
  deferred?: Decimal | undefined;
}

export interface RequestedLine {
  billId: number;
  /** As typed: a string, so that "1.001" or "-5" can be refused rather than rounded. */
  amount: string;
}

export interface ChosenLine {
  billId: number;
  amount: Decimal;
}

export type SelectionErrors = Record<string, string>;

export type Selection = { ok: true; lines: ChosenLine[]; total: Decimal } | { ok: false; errors: SelectionErrors };

/** The form field that carries a bill's amount; errors are keyed by it so the page shows them on that row. */
export const amountField = (billId: number) => `amount_${billId}`;

export const SELECTION_MESSAGES = {
  none: '请至少选择一个缴费项目',
  unknown: '所选缴费项目不存在或不属于您',
  duplicate: '同一缴费项目不能重复选择',
  mixed: '财政项目和代收项目须分开缴费，不能在同一订单中混合',
  format: '缴费金额须为数字，最多两位小数',
  tooSmall: '缴费金额不能小于0.01元',
  nothingDue: '该项目已无欠费',
  tooLarge: (max: Decimal) => `缴费金额不能超过欠费金额${max.toFixed(2)}元`,
} as const;

/**
 * Checks a requested selection against the person's bills (all of them, any category).
 * One order = one payee, so every line must be of `category`; each amount is 0.01 … arrears.
 */
export function validateSelection(category: Category, bills: readonly SelectableBill[], requested: readonly RequestedLine[]): Selection {
  const errors: SelectionErrors = {};
  if (requested.length === 0) return { ok: false, errors: { _: SELECTION_MESSAGES.none } };
  const byId = new Map(bills.map((b) => [b.billId, b]));
  const seen = new Set<number>();
  const lines: ChosenLine[] = [];
  for (const r of requested) {
    const bill = byId.get(r.billId);
    if (!bill) {
      errors._ = SELECTION_MESSAGES.unknown;
      continue;
    }
    if (seen.has(r.billId)) {
      errors._ = SELECTION_MESSAGES.duplicate;
      continue;
    }
    seen.add(r.billId);
    if (bill.category !== category) {
      errors._ = SELECTION_MESSAGES.mixed;
      continue;
    }
    const field = amountField(r.billId);
    const amount = parseAmount(r.amount);
    const due = payableBeyondDeferral(arrears(bill), bill.deferred);
    if (!amount) errors[field] = SELECTION_MESSAGES.format;
    else if (due.isZero()) errors[field] = SELECTION_MESSAGES.nothingDue;
    else if (amount.lessThan(MIN_AMOUNT)) errors[field] = SELECTION_MESSAGES.tooSmall;
    else if (amount.greaterThan(due)) errors[field] = SELECTION_MESSAGES.tooLarge(due);
    else lines.push({ billId: r.billId, amount });
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, lines, total: sum(lines.map((l) => l.amount)) };
}

/**
 * 缴费金额 and 共计 of 缴费信息修改: the sum of what the checked lines' boxes hold, so that the
 * page's totals always equal the lines it shows (after 上一步, or with a refused amount shown back
 * as typed), as pay.js keeps them while the payer types. null when a checked box holds no amount at
 * all: the page then shows no total rather than one that is not theirs.
 */
export function shownTotal(checkedBoxes: readonly string[]): Decimal | null {
  const amounts = checkedBoxes.map(parseAmount);
  return amounts.every((a): a is Decimal => a !== null) ? sum(amounts) : null;
}

/** 缴费金额 + 手续费 = 总金额 (图12). The fee comes from configuration, per channel. */
export function orderTotals(amount: Decimal, fee: Decimal.Value): { amount: Decimal; fee: Decimal; total: Decimal } {
  const f = new Decimal(fee);
  if (f.isNegative() || f.decimalPlaces() > 2) throw new RangeError(`bad channel fee ${String(fee)}`);
  return { amount, fee: f, total: amount.plus(f) };
}

export { ZERO };
