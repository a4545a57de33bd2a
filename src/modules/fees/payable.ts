// Which of a person's bills 学费缴费 may put in an order, and for how much at most (the rule is
// src/domain/payable.ts). The payment wizard asks here for every screen and again before a
// channel is asked, since the arrears move (a counter payment, a reduction, a deferral granted).
import type { Knex } from 'knex';
import type { Decimal } from '../../domain/money';
import { payableNow } from '../../domain/payable';
import { inForceByBill } from '../deferrals/repo';
import { feesRepo, type PersonBill } from './repo';

export interface PayableBill extends PersonBill {
  arrears: Decimal;
}

export async function payableBills(db: Knex, personId: number, now: Date): Promise<PayableBill[]> {
  // 缓缴 in force holds its part of a bill back from online payment (图9's 欠费金额 leaves it out).
  const [bills, deferred] = await Promise.all([feesRepo(db).billsOf(personId), inForceByBill(db, personId)]);
  return payableNow(bills.map((b) => ({ ...b, deferred: deferred.get(b.billId)?.remaining })), now);
}
