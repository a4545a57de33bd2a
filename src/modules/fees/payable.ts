// Which of a person's bills the payment wizard (学费缴费, 其他费用) may put in an order, and for how much at most (the rule is
// src/domain/payable.ts). The payment wizard asks here for every screen and again before a
// channel is asked, since the arrears move (a counter payment, a reduction, a deferral granted).
import type { Knex } from 'knex';
import type { Decimal } from '../../domain/money';
import { notPayableReason, payableNow, type FeeType } from '../../domain/payable';
import { type BillsWithDeferrals, feesRepo, type PersonBill } from './repo';

export interface PayableBill extends PersonBill {
  arrears: Decimal;
}

/** `feeType`: only bills of that type (the wizard of one tab); every payable bill when not given. */
export async function payableBills(db: Knex, personId: number, now: Date, feeType?: FeeType): Promise<PayableBill[]> {
  return payableAmong(await feesRepo(db).billsWithDeferrals(personId), now, feeType);
}

/** The payable ones of bills already read (学费缴费's list, read with the session: ./page-reads.ts). */
export function payableAmong(read: BillsWithDeferrals, now: Date, feeType?: FeeType): PayableBill[] {
  // 缓缴 in force holds its part of a bill back from online payment (图9's 欠费金额 leaves it out).
  return payableNow(read.bills.map((b) => ({ ...b, deferred: read.inForce.get(b.billId)?.remaining })), now, feeType);
}

/**
 * Why one of these bills of the person cannot be paid now (not collecting, before its 收费起始,
 * after its 收费终止 unless 逾期可缴), in the payer's words; null when each is payable or is not
 * theirs (the selection's own check answers those). Asked whenever a selection is refused, so the
 * payer hears why rather than that the item is gone.
 */
export async function notPayableAmong(db: Knex, personId: number, billIds: readonly number[], now: Date): Promise<string | null> {
  for (const b of (await feesRepo(db).billsOf(personId)).filter((x) => billIds.includes(x.billId))) {
    const reason = notPayableReason(b, now);
    if (reason) return reason;
  }
  return null;
}
