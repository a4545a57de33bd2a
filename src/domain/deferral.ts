// 缓缴 (绿色通道 and student loans): how much of a bill a deferral holds back from online payment,
// and how a loan that arrives is shared among the deferred bills. Pure, so the rules are tested
// without a database; the deferrals module reads and writes the rows.
import { type Decimal, parseAmount, ZERO } from './money';

export const DEFERRAL_KINDS = ['green', 'national', 'local', 'other'] as const;
export type DeferralKind = (typeof DEFERRAL_KINDS)[number];
export const LOAN_KINDS = ['national', 'local'] as const;
export type LoanKind = (typeof LOAN_KINDS)[number];

/** 当前费用 tells of a deferral that expired (its loan never came) for this long afterwards. */
export const EXPIRED_NOTICE_DAYS = 30;

/** Since when an expired deferral is still told of on 当前费用. */
export const expiredNoticeSince = (now: Date) => new Date(now.getTime() - EXPIRED_NOTICE_DAYS * 24 * 3600_000);

const min = (a: Decimal, b: Decimal) => (a.lessThan(b) ? a : b);

/**
 * The part of a bill's arrears a deferral in force holds back: what it still defers (granted less
 * what loans have covered), never more than the bill owes now — a counter payment or a reduction
 * after the grant lowers what is held back, never what the student may pay.
 */
export function deferredPart(remaining: Decimal, arrears: Decimal): Decimal {
  const d = min(remaining, arrears);
  return d.isNegative() ? ZERO : d;
}

/** What may be paid online of a bill: its arrears less the deferred part. */
export function payableBeyondDeferral(arrears: Decimal, deferred: Decimal | undefined): Decimal {
  if (!deferred) return arrears;
  return arrears.minus(deferredPart(deferred, arrears));
}

export interface LoanTarget {
  deferralId: number;
  billId: number;
  kind: DeferralKind;
  /** What the deferral still defers (amount − covered). */
  remaining: Decimal;
  /** What the bill owes now (may be negative for an overpaid bill). */
  owed: Decimal;
}

export interface LoanAllocation {
  lines: { deferralId: number; billId: number; amount: Decimal; covered: Decimal; ends: boolean }[];
  surplus: Decimal;
}

/**
 * A loan paid into the deferred bills: the deferrals of the loan's own kind first, then the others
 * (a 绿色通道 deferral waits for whatever loan comes), each in the order given (bill id). On each
 * bill it pays what the bill owes, the deferred part and the rest alike, since the loan is the
 * student's money for these fees; `covered` is the deferred part it pays off, and the deferral
 * ends when nothing of it is left (or the bill owes nothing). What is left over is the surplus.
 */
export function allocateLoan(amount: Decimal, loanKind: LoanKind, targets: readonly LoanTarget[]): LoanAllocation {
  const ordered = [...targets.filter((t) => t.kind === loanKind), ...targets.filter((t) => t.kind !== loanKind)];
  let left = amount;
  const lines: LoanAllocation['lines'] = [];
  for (const t of ordered) {
    if (!left.greaterThan(0)) break;
    if (!t.owed.greaterThan(0)) continue;
    const pay = min(left, t.owed);
    const covered = min(pay, deferredPart(t.remaining, t.owed));
    const ends = covered.equals(t.remaining) || pay.equals(t.owed);
    lines.push({ deferralId: t.deferralId, billId: t.billId, amount: pay, covered, ends });
    left = left.minus(pay);
  }
  return { lines, surplus: left };
}

/** The key that makes a disbursement row apply once: 学号 + 贷款类型 + 到账日期 + 金额. */
export function disbursementKey(number: string, kind: LoanKind, arrivedOn: string, amount: Decimal): string {
  return `${number}|${kind}|${arrivedOn}|${amount.toFixed(2)}`;
}

/** A yyyy-mm-dd day that exists in the calendar. */
export function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export const LOAN_COLUMNS = ['学号', '贷款类型', '金额', '到账日期'] as const;

export interface LoanRow {
  number: string;
  kind: LoanKind;
  amount: string;
  arrivedOn: string;
}

/** One row of a disbursement file, checked; whether the 学号 exists is the caller's question. */
export function checkLoanRow(raw: Record<string, string>, kindByLabel: ReadonlyMap<string, LoanKind>, today: string): { row?: LoanRow; reasons: string[] } {
  const v = (k: string) => (raw[k] ?? '').trim();
  const reasons: string[] = [];
  const number = v('学号');
  if (!number) reasons.push('学号为空');
  else if (!/^[A-Za-z0-9]{1,32}$/.test(number)) reasons.push('学号只能包含字母和数字，最长32位');
  const kind = kindByLabel.get(v('贷款类型'));
  if (!v('贷款类型')) reasons.push('贷款类型为空');
  else if (!kind) reasons.push(`贷款类型“${v('贷款类型')}”无效（应为${[...kindByLabel.keys()].join('或')}）`);
  const amount = parseAmount(v('金额').replace(/,/g, ''));
  if (!v('金额')) reasons.push('金额为空');
  else if (!amount || amount.isZero()) reasons.push('金额须为大于0且最多两位小数的数字');
  const day = v('到账日期');
  if (!day) reasons.push('到账日期为空');
  else if (!isDay(day)) reasons.push('到账日期格式应为 2026-09-01');
  else if (day > today) reasons.push('到账日期不能晚于今天');
  if (reasons.length) return { reasons };
  return { row: { number, kind: kind!, amount: amount!.toFixed(2), arrivedOn: day }, reasons };
}
