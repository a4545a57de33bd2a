// Which of a person's bills 学费缴费 may put in an order, and for how much at most (the rule is
// src/domain/payable.ts). The payment wizard asks here for every screen and again before a
// channel is asked, since the arrears move (a counter payment, a reduction).
import type { Knex } from 'knex';
import type { Decimal } from '../../domain/money';
import { payableNow } from '../../domain/payable';
import { feesRepo, type PersonBill } from './repo';

export interface PayableBill extends PersonBill {
  arrears: Decimal;
}

export async function payableBills(db: Knex, personId: number, now: Date): Promise<PayableBill[]> {
  return payableNow(await feesRepo(db).billsOf(personId), now);
}
