// What a refund means for its bill, decided by finance when making it:
//  - 'money_back': money handed back (an overpayment, a payment made by mistake) while what is
//    owed stays. Refunding a bill paid in full this way leaves it owed again — the honest state
//    when the fee still stands — so it shows as 未完成, is payable again and counts in arrears.
//  - 'fee_reduced': money handed back because the fee itself is reduced or waived (休学, 退学,
//    减免). The bill's 减免金额 rises in the same transaction as the refund, so a settled bill
//    stays settled and leaves the arrears reports.
// Pure arithmetic on the bill under its lock; what pending channel refunds have reserved (of
// what was paid, and of what may still be reduced) counts as already taken.
import { arrears, type BillAmounts } from './arrears';
import { Decimal, ZERO } from './money';

export const REFUND_PURPOSES = ['money_back', 'fee_reduced'] as const;
export type RefundPurpose = (typeof REFUND_PURPOSES)[number];

export const REDUCTION_CAUSES = ['suspension', 'withdrawal', 'waiver'] as const;
export type ReductionCause = (typeof REDUCTION_CAUSES)[number];

export type RefundMeaning =
  | { purpose: 'money_back' }
  | { purpose: 'fee_reduced'; cause: ReductionCause; reduction: Decimal };

export const MONEY_BACK: RefundMeaning = { purpose: 'money_back' };

export interface BillForRefund extends BillAmounts {
  /** Amounts of pending channel refunds on the bill (reserved of what was paid). */
  pendingRefunds: Decimal;
  /** Reductions those pending refunds will post when they succeed. */
  pendingReductions: Decimal;
}

export type RefundRefusal =
  | { code: 'over_refundable'; max: Decimal }
  | { code: 'over_reducible'; max: Decimal }
  | { code: 'reduction_too_small'; min: Decimal };

export interface RefundPlan {
  /** The bill once this refund (and its reduction) is posted. */
  after: BillAmounts;
  arrearsBefore: Decimal;
  arrearsAfter: Decimal;
  /** The reduction posted with the refund (zero for money back). */
  reduction: Decimal;
}

/** What may still be refunded: paid, less refunded, less reserved by pending refunds. */
export const refundable = (b: BillForRefund): Decimal => Decimal.max(ZERO, b.paid.minus(b.refunded).minus(b.pendingRefunds));

/** What may still be reduced: due, less reduced, less what pending refunds will reduce. */
export const reducible = (b: BillForRefund): Decimal => Decimal.max(ZERO, b.due.minus(b.reduction).minus(b.pendingReductions));

/**
 * The smallest reduction that keeps a fee-reduced refund from making the bill owe more: the
 * refund less what the bill holds beyond what it owes (counting pending refunds and reductions
 * as done).
 */
export function leastReduction(b: BillForRefund, amount: Decimal): Decimal {
  const excess = b.paid.minus(b.refunded).minus(b.pendingRefunds).minus(b.due.minus(b.reduction).minus(b.pendingReductions));
  return Decimal.max(ZERO, amount.minus(Decimal.max(ZERO, excess)));
}

export function planRefund(b: BillForRefund, amount: Decimal, meaning: RefundMeaning): { ok: true; plan: RefundPlan } | { ok: false; refusal: RefundRefusal } {
  const max = refundable(b);
  if (amount.greaterThan(max)) return { ok: false, refusal: { code: 'over_refundable', max } };
  let reduction = ZERO;
  if (meaning.purpose === 'fee_reduced') {
    reduction = meaning.reduction;
    const most = reducible(b);
    if (reduction.greaterThan(most)) return { ok: false, refusal: { code: 'over_reducible', max: most } };
    const least = leastReduction(b, amount);
    if (reduction.lessThan(least)) return { ok: false, refusal: { code: 'reduction_too_small', min: least } };
  }
  const after = { due: b.due, paid: b.paid, refunded: b.refunded.plus(amount), reduction: b.reduction.plus(reduction) };
  return { ok: true, plan: { after, arrearsBefore: arrears(b), arrearsAfter: arrears(after), reduction } };
}
