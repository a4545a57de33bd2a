// 欠费 arithmetic on one bill. arrears = due − reduction − (paid − refunded), never below zero;
// what is paid beyond that is an overpayment that finance sees and refunds.
import { Decimal, ZERO } from './money';

export interface BillAmounts {
  due: Decimal; // 应收金额
  refunded: Decimal; // 退费金额
  reduction: Decimal; // 减免金额
  paid: Decimal; // 实缴金额
}

/** What the person has to pay in all: 应缴金额 as 当前费用 shows it. */
export function payable(b: BillAmounts): Decimal {
  return b.due.minus(b.reduction);
}

/** Money kept by the school for this bill. */
export function netPaid(b: BillAmounts): Decimal {
  return b.paid.minus(b.refunded);
}

export function arrears(b: BillAmounts): Decimal {
  const a = payable(b).minus(netPaid(b));
  return a.isNegative() ? ZERO : a;
}

export function overpayment(b: BillAmounts): Decimal {
  const o = netPaid(b).minus(payable(b));
  return o.isPositive() ? o : ZERO;
}

/** 支付状态: 已完成 once nothing is owed. */
export function paymentStatus(b: BillAmounts): '已完成' | '未完成' {
  return arrears(b).isZero() ? '已完成' : '未完成';
}
