// 人员查询: people, their bills, orders, receipts, refunds and account state — always through the
// caller's scope, so department staff cannot reach another college's people by changing an id.
import type { Knex } from 'knex';
import { count, dec } from '../../../db/rows';
import { disbursementRecords } from '../../deferrals/loans-repo';
import { deferralRecords } from '../../deferrals/repo';
import { PAYER_NAME_SQL } from '../../payers/repo';
import { refundRecords } from '../../refunds/person-refunds-repo';
import { type Scope, scoped } from '../context';

export interface PersonSummary {
  id: number;
  number: string;
  name: string;
  gender: string;
  idNumber: string | null;
  kind: string;
  collegeId: number | null;
  collegeName: string | null;
  className: string | null;
  mobile: string;
  accountId: number | null;
  role: string | null;
  status: string | null;
  initialPassword: boolean;
  mustChangePassword: boolean;
  lastLoginAt: Date | null;
}

const personColumns = [
  'p.id', 'p.number', 'p.name', 'p.gender', 'p.id_number as idNumber', 'p.kind', 'p.college_id as collegeId',
  'c.name as collegeName', 'k.name as className', 'p.mobile', 'a.id as accountId', 'a.role', 'a.status',
  'a.must_change_password as mustChangePassword', 'a.last_login_at as lastLoginAt',
];

export function peopleRepo(db: Knex) {
  const base = (scope: Scope) =>
    scoped(
      db('people as p')
        .leftJoin('colleges as c', 'c.id', 'p.college_id')
        .leftJoin('classes as k', 'k.id', 'p.class_id')
        .leftJoin('accounts as a', 'a.person_id', 'p.id'),
      scope,
    );

  const toSummary = (r: any): PersonSummary => ({ ...r, initialPassword: r.passwordHash === null && r.accountId !== null });

  return {
    /** 编号 (exact or prefix), 姓名 (contains) or 身份证号 (exact). */
    async search(scope: Scope, q: { text: string; idNumber: string | null }, limit: number, offset: number) {
      const where = (qb: Knex.QueryBuilder) =>
        qb.where((w) => {
          w.where('p.number', q.text).orWhere('p.number', 'like', `${escapeLike(q.text)}%`).orWhere('p.name', 'like', `%${escapeLike(q.text)}%`);
          if (q.idNumber) w.orWhere('p.id_number', q.idNumber);
        });
      const [row] = (await where(base(scope)).count({ n: '*' })) as { n: string }[];
      const n = row?.n;
      const rows = await where(base(scope))
        .orderBy('p.number')
        .limit(limit)
        .offset(offset)
        .select([...personColumns, 'a.password_hash as passwordHash']);
      return { total: count(n), rows: rows.map(toSummary) };
    },

    async find(scope: Scope, personId: number): Promise<PersonSummary | undefined> {
      const r = await base(scope).where('p.id', personId).first([...personColumns, 'a.password_hash as passwordHash']);
      return r ? toSummary(r) : undefined;
    },

    async bills(personId: number) {
      const rows = await db('bills as b')
        .join('fee_periods as fp', 'fp.id', 'b.period_id')
        .join('fee_items as fi', 'fi.id', 'b.fee_item_id')
        .where('b.person_id', personId)
        .orderBy([{ column: 'fp.sort_order', order: 'desc' }, { column: 'fi.sort_order' }, { column: 'b.id' }])
        .select('b.id', 'fp.name as period', 'fi.name as item', 'fi.category', 'b.due', 'b.refunded', 'b.reduction', 'b.paid');
      return rows.map((r) => ({ ...r, due: dec(r.due), refunded: dec(r.refunded), reduction: dec(r.reduction), paid: dec(r.paid) }));
    },

    async orders(personId: number) {
      const rows = await db('orders as o').where({ 'o.person_id': personId }).orderBy('o.created_at', 'desc').limit(50)
        .select('o.id', 'o.order_no as orderNo', 'o.category', 'o.status', 'o.amount', 'o.channel', 'o.refunded', 'o.created_at as createdAt', 'o.paid_at as paidAt', db.raw(PAYER_NAME_SQL));
      return rows.map((r) => ({ ...r, amount: dec(r.amount), refunded: dec(r.refunded) }));
    },

    async receipts(personId: number) {
      const rows = await db('receipts').where({ person_id: personId }).orderBy('id', 'desc').limit(50)
        .select('id', 'receipt_no as receiptNo', 'receipt_date as receiptDate', 'preparer', 'category', 'method', 'total', 'ebill_status as ebillStatus');
      return rows.map((r) => ({ ...r, total: dec(r.total) }));
    },

    /** 退费记录: the refunds module's own read of its table. */
    refunds: (personId: number) => refundRecords(db, personId),

    /** 缓缴 and 助学贷款到账: the deferrals module's own reads of its tables. */
    deferrals: (personId: number) => deferralRecords(db, personId),
    loans: (personId: number) => disbursementRecords(db, personId),
  };
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export type PeopleRepo = ReturnType<typeof peopleRepo>;
