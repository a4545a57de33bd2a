// SQL of 柜台收费: the bills a cashier is about to take money for, locked.
import type { Knex } from 'knex';

export interface CounterBill {
  id: number;
  personId: number;
  collegeId: number | null;
  category: '财政' | '代收';
  name: string;
  due: string;
  reduction: string;
  paid: string;
  refunded: string;
}

/** The bills with their item and owner, locked FOR UPDATE in id order, as every writer of several bills locks them. */
export function billsForCounter(trx: Knex, billIds: number[]): Promise<CounterBill[]> {
  return trx('bills as b').join('fee_items as fi', 'fi.id', 'b.fee_item_id').join('people as p', 'p.id', 'b.person_id')
    .whereIn('b.id', billIds).orderBy('b.id').forUpdate('b')
    .select('b.id', 'b.person_id as personId', 'p.college_id as collegeId', 'fi.category', 'fi.name', 'b.due', 'b.reduction', 'b.paid', 'b.refunded');
}
