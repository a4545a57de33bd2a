import type { Knex } from 'knex';

export interface ItemRow {
  id: number;
  code: string;
  name: string;
  category: '财政' | '代收';
  fee_type: '学费' | '其他费用';
  payee: string;
  starts_at: Date | null;
  ends_at: Date | null;
  status: '收费' | '停止';
  sort_order: number;
  payable_after_end: boolean;
  optional: boolean;
  offer_period_id: number | null;
  offer_amount: string | null;
  offer_audience: 'all' | 'student' | 'staff' | 'external';
}

/** Updates the row (updated_at the transaction's time) or inserts it: its id, undefined when the id named none. */
async function saveRow(trx: Knex, table: 'fee_periods' | 'fee_items', id: number | null, row: Record<string, unknown>): Promise<number | undefined> {
  const values = { ...row, updated_at: trx.fn.now() };
  if (id) return (await trx(table).where({ id }).update(values)) ? id : undefined;
  const [inserted] = await trx(table).insert(values).returning('id');
  return inserted.id;
}

export function consoleFeesRepo(db: Knex) {
  return {
    periods: () => db('fee_periods').orderBy('sort_order', 'desc').select('id', 'name', 'sort_order'),
    period: (id: number) => db('fee_periods').where({ id }).first('id', 'name', 'sort_order'),
    items: (): Promise<ItemRow[]> => db('fee_items').orderBy(['sort_order', 'id']).select('*'),
    item: (id: number): Promise<ItemRow | undefined> => db('fee_items').where({ id }).first('*'),
    colleges: () => db('colleges').orderBy('id').select('id', 'name'),
    classes: () => db('classes as k').join('colleges as c', 'c.id', 'k.college_id').orderBy(['c.id', 'k.name']).select('k.id', db.raw(`c.name || ' ' || k.name AS name`)),

    /** Saves a 收费期间 (id null: a new one); the id, or undefined when there is no such period. */
    savePeriod: (trx: Knex, id: number | null, row: Record<string, unknown>) => saveRow(trx, 'fee_periods', id, row),
    /** Saves a 收费项目 (id null: a new one); the id, or undefined when there is no such item. */
    saveItem: (trx: Knex, id: number | null, row: Record<string, unknown>) => saveRow(trx, 'fee_items', id, row),
    periodExists: async (trx: Knex, id: number) => !!(await trx('fee_periods').where('id', id).first('id')),
    itemExists: async (trx: Knex, id: number) => !!(await trx('fee_items').where('id', id).first('id')),

    async targets(trx: Knex, t: { collegeId?: number; classId?: number; numbers?: string[] }) {
      const q = trx('people').select('id', 'number');
      if (t.collegeId) return q.where({ college_id: t.collegeId, kind: 'student' });
      if (t.classId) return q.where({ class_id: t.classId, kind: 'student' });
      return q.whereIn('number', t.numbers ?? []);
    },

    /** Locks one bill for an adjustment, with the owner for the audit entry. */
    lockBill: (trx: Knex, billId: number) =>
      trx('bills as b').join('people as p', 'p.id', 'b.person_id').where('b.id', billId).forUpdate('b')
        .first('b.id', 'b.person_id as personId', 'p.college_id as collegeId', 'b.due', 'b.reduction', 'b.paid', 'b.refunded'),
  };
}

export type ConsoleFeesRepo = ReturnType<typeof consoleFeesRepo>;
