// What a 报名项目 reads of the billing tables it bills on: the 收费项目 and 收费期间 to choose, and
// a sign-up's bill locked before the billing module changes it.
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import type { BillAmounts } from '../../domain/arrears';

export const enrolmentLookups = {
  /** The 收费项目 a paid 报名项目 may bill on: 其他费用-type ones (the /other-fees wizard pays them). */
  async feeItems(db: Knex): Promise<{ id: number; name: string; category: string }[]> {
    return db('fee_items').where('fee_type', '其他费用').orderBy('sort_order').orderBy('id').select('id', 'name', 'category');
  },

  async periods(db: Knex): Promise<{ id: number; name: string }[]> {
    return db('fee_periods').orderBy('sort_order', 'desc').orderBy('id').select('id', 'name');
  },

  async feeItemIsOther(db: Knex, id: number): Promise<boolean> {
    return !!(await db('fee_items').where({ id, fee_type: '其他费用' }).first('id'));
  },

  async periodExists(db: Knex, id: number): Promise<boolean> {
    return !!(await db('fee_periods').where({ id }).first('id'));
  },

  /** The bill of (person, period, item) locked, for re-billing a second sign-up of the same person. */
  async lockBill(trx: Knex.Transaction, personId: number, periodId: number, feeItemId: number): Promise<(BillAmounts & { id: number }) | null> {
    const r = await trx('bills').where({ person_id: personId, period_id: periodId, fee_item_id: feeItemId }).forUpdate().first('id', 'due', 'refunded', 'reduction', 'paid');
    return r ? { id: Number(r.id), due: dec(r.due), refunded: dec(r.refunded), reduction: dec(r.reduction), paid: dec(r.paid) } : null;
  },

  async lockBillById(trx: Knex.Transaction, id: number): Promise<BillAmounts | null> {
    const r = await trx('bills').where({ id }).forUpdate().first('due', 'refunded', 'reduction', 'paid');
    return r ? { due: dec(r.due), refunded: dec(r.refunded), reduction: dec(r.reduction), paid: dec(r.paid) } : null;
  },
};
