// 欠费报表: one GROUP BY over bills ⋈ people, so the database does the sums (120,000 bills stay
// well under a second). Arrears per bill is computed in SQL exactly as src/domain/arrears does:
// greatest(due − reduction − (paid − refunded), 0).
import type { Knex } from 'knex';
import { count, dec } from '../../../db/rows';
import type { Decimal } from '../../../domain/money';
import { type Scope, scoped } from '../context';

export type GroupBy = 'college' | 'class' | 'period' | 'item';
export type SortKey = 'name' | 'heads' | 'due' | 'reduction' | 'paid' | 'refunded' | 'arrears' | 'inArrears';

export interface ReportFilter {
  periodId?: number | undefined;
  feeItemId?: number | undefined;
  collegeId?: number | undefined;
  classId?: number | undefined;
}

export interface ReportRow {
  key: number | null;
  name: string;
  college?: string;
  heads: number;
  due: Decimal;
  reduction: Decimal;
  paid: Decimal;
  refunded: Decimal;
  arrears: Decimal;
  inArrears: number;
}

const ARREARS = 'GREATEST(b.due - b.reduction - b.paid + b.refunded, 0)';

const MEASURES = `count(DISTINCT b.person_id) AS heads, sum(b.due) AS due, sum(b.reduction) AS reduction,
  sum(b.paid) AS paid, sum(b.refunded) AS refunded, sum(${ARREARS}) AS arrears,
  count(DISTINCT b.person_id) FILTER (WHERE b.due - b.reduction - b.paid + b.refunded > 0) AS in_arrears`;

const GROUPS: Record<GroupBy, { key: string; name: string; extra?: string; group: string }> = {
  college: { key: 'c.id', name: `COALESCE(c.name, '（无学院）')`, group: 'c.id, c.name' },
  class: { key: 'k.id', name: `COALESCE(k.name, '（无班级）')`, extra: `COALESCE(c.name, '（无学院）')`, group: 'k.id, k.name, c.name' },
  period: { key: 'fp.id', name: 'fp.name', group: 'fp.id, fp.name, fp.sort_order' },
  item: { key: 'fi.id', name: 'fi.name', group: 'fi.id, fi.name' },
};

const SORT_SQL: Record<SortKey, string> = {
  name: 'name', heads: 'heads', due: 'due', reduction: 'reduction', paid: 'paid', refunded: 'refunded', arrears: 'arrears', inArrears: 'in_arrears',
};

const toRow = (r: any): ReportRow => ({
  key: r.key === null || r.key === undefined ? null : Number(r.key), name: r.name ?? '合计', college: r.college ?? undefined,
  heads: count(r.heads), due: dec(r.due), reduction: dec(r.reduction), paid: dec(r.paid), refunded: dec(r.refunded),
  arrears: dec(r.arrears), inArrears: count(r.in_arrears),
});

export function reportsRepo(db: Knex) {
  const from = (scope: Scope, f: ReportFilter) => {
    let q = db('bills as b')
      .join('people as p', 'p.id', 'b.person_id')
      .leftJoin('colleges as c', 'c.id', 'p.college_id')
      .leftJoin('classes as k', 'k.id', 'p.class_id')
      .join('fee_periods as fp', 'fp.id', 'b.period_id')
      .join('fee_items as fi', 'fi.id', 'b.fee_item_id');
    q = scoped(q, scope);
    if (f.periodId) q = q.where('b.period_id', f.periodId);
    if (f.feeItemId) q = q.where('b.fee_item_id', f.feeItemId);
    if (f.collegeId) q = q.where('p.college_id', f.collegeId);
    if (f.classId) q = q.where('p.class_id', f.classId);
    return q;
  };

  return {
    /** One page of groups, with the number of groups (window count) for the pager. */
    async groups(scope: Scope, by: GroupBy, f: ReportFilter, sort: { key: SortKey; dir: 'asc' | 'desc' }, limit: number | null, offset: number) {
      const g = GROUPS[by];
      const cols = [`${g.key} AS key`, `${g.name} AS name`, ...(g.extra ? [`${g.extra} AS college`] : []), MEASURES, 'count(*) OVER () AS groups'];
      // Ties (and the default) fall back to the name, then the key, so pages never overlap.
      const order = `${SORT_SQL[sort.key]} ${sort.dir} NULLS LAST, ${by === 'class' ? 'college, ' : ''}name, key`;
      let q = from(scope, f).select(db.raw(cols.join(', '))).groupByRaw(g.group).orderByRaw(order);
      if (limit !== null) q = q.limit(limit).offset(offset);
      const rows = await q;
      return { groups: rows.length ? count(rows[0].groups) : 0, rows: rows.map(toRow) };
    },

    async totals(scope: Scope, f: ReportFilter): Promise<ReportRow> {
      const [row] = await from(scope, f).select(db.raw(MEASURES));
      return { ...toRow(row), name: '合计' };
    },

    async choices(scope: Scope) {
      const [periods, items, colleges, classes] = await Promise.all([
        db('fee_periods').orderBy('sort_order', 'desc').select('id', 'name'),
        db('fee_items').orderBy('sort_order').select('id', 'name'),
        scope.collegeId === null ? db('colleges').orderBy('id').select('id', 'name') : db('colleges').where('id', scope.collegeId).select('id', 'name'),
        scoped(db('classes as k').join('colleges as c', 'c.id', 'k.college_id'), scope, 'k.college_id')
          .orderBy(['c.id', 'k.name']).select('k.id', db.raw(`c.name || ' ' || k.name AS name`)),
      ]);
      return { periods, items, colleges, classes } as Record<'periods' | 'items' | 'colleges' | 'classes', { id: number; name: string }[]>;
    },
  };
}

export type ReportsRepo = ReturnType<typeof reportsRepo>;
