// 欠费报表: one GROUP BY over bills ⋈ people, so the database does the sums (120,000 bills stay
// well under a second). Arrears per bill is computed in SQL exactly as src/domain/arrears does:
// greatest(due − reduction − (paid − refunded), 0). Of that, the part a deferral in force (缓缴)
// holds back is 缓缴金额 and the rest 实际欠费 (src/domain/deferral.ts deferredPart: never more
// than the bill owes).
import type { Knex } from 'knex';
import { count, dec } from '../../../db/rows';
import type { Decimal } from '../../../domain/money';
import { type Scope, scoped } from '../context';

export type GroupBy = 'college' | 'class' | 'period' | 'item';
export type SortKey = 'name' | 'heads' | 'due' | 'reduction' | 'paid' | 'refunded' | 'arrears' | 'deferred' | 'realArrears' | 'inArrears';

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
  deferred: Decimal;
  realArrears: Decimal;
  inArrears: number;
}

const ARREARS = 'GREATEST(b.due - b.reduction - b.paid + b.refunded, 0)';

// Sums per person first (a hash aggregate), then per group: head counts become count(*) instead
// of count(DISTINCT person_id), which would sort 120,000 rows per measure. A person is "in
// arrears" in a group when any of their bills there has arrears (each bill's arrears is >= 0).
const PER_PERSON = `b.person_id, sum(b.due) AS due, sum(b.reduction) AS reduction, sum(b.paid) AS paid,
  sum(b.refunded) AS refunded, sum(${ARREARS}) AS arrears, sum(LEAST(${ARREARS}, COALESCE(dfr.held, 0))) AS deferred`;

const MEASURES = `count(*) AS heads, sum(due) AS due, sum(reduction) AS reduction, sum(paid) AS paid,
  sum(refunded) AS refunded, sum(arrears) AS arrears, sum(deferred) AS deferred, sum(arrears) - sum(deferred) AS real_arrears,
  count(*) FILTER (WHERE arrears > 0) AS in_arrears`;

const GROUPS: Record<GroupBy, { key: string; name: string; extra?: string; group: string; joins: ('college' | 'class' | 'period' | 'item')[] }> = {
  college: { key: 'p.college_id', name: `COALESCE(c.name, '（无学院）')`, group: 'p.college_id, c.name', joins: ['college'] },
  class: { key: 'p.class_id', name: `COALESCE(k.name, '（无班级）')`, extra: `COALESCE(c.name, '（无学院）')`, group: 'p.class_id, k.name, c.name', joins: ['college', 'class'] },
  period: { key: 'b.period_id', name: 'fp.name', group: 'b.period_id, fp.name', joins: ['period'] },
  item: { key: 'b.fee_item_id', name: 'fi.name', group: 'b.fee_item_id, fi.name', joins: ['item'] },
};

const SORT_SQL: Record<SortKey, string> = {
  name: 'name', heads: 'heads', due: 'due', reduction: 'reduction', paid: 'paid', refunded: 'refunded', arrears: 'arrears', deferred: 'deferred', realArrears: 'real_arrears', inArrears: 'in_arrears',
};

const toRow = (r: any): ReportRow => ({
  key: r.key === null || r.key === undefined ? null : Number(r.key), name: r.name ?? '合计', college: r.college ?? undefined,
  heads: count(r.heads), due: dec(r.due), reduction: dec(r.reduction), paid: dec(r.paid), refunded: dec(r.refunded),
  arrears: dec(r.arrears), deferred: dec(r.deferred), realArrears: dec(r.real_arrears), inArrears: count(r.in_arrears),
});

export function reportsRepo(db: Knex) {
  const from = (scope: Scope, f: ReportFilter, joins: GroupBy[] = []) => {
    // At most one deferral per bill is in force (deferrals_one_live), so this join keeps one row per bill.
    let q = db('bills as b').join('people as p', 'p.id', 'b.person_id')
      .leftJoin(db.raw(`(SELECT bill_id, amount - covered AS held FROM deferrals WHERE status = 'approved') AS dfr`), 'dfr.bill_id', 'b.id');
    // Only the joins the grouping needs: the filters work on ids.
    if (joins.includes('college')) q = q.leftJoin('colleges as c', 'c.id', 'p.college_id');
    if (joins.includes('class')) q = q.leftJoin('classes as k', 'k.id', 'p.class_id');
    if (joins.includes('period')) q = q.join('fee_periods as fp', 'fp.id', 'b.period_id');
    if (joins.includes('item')) q = q.join('fee_items as fi', 'fi.id', 'b.fee_item_id');
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
      const inner = from(scope, f, g.joins as GroupBy[])
        .select(db.raw(`${g.key} AS key, ${g.name} AS name, ${g.extra ? `${g.extra} AS college, ` : ''}${PER_PERSON}`))
        .groupByRaw(`${g.group}, b.person_id`);
      // Ties (and the default) fall back to the name, then the key, so pages never overlap.
      const order = `${SORT_SQL[sort.key]} ${sort.dir} NULLS LAST, ${by === 'class' ? 'college, ' : ''}name, key`;
      let q = db.from(inner.as('g'))
        .select(db.raw(`key, name, ${g.extra ? 'college, ' : ''}${MEASURES}, count(*) OVER () AS groups`))
        .groupByRaw(`key, name${g.extra ? ', college' : ''}`)
        .orderByRaw(order);
      if (limit !== null) q = q.limit(limit).offset(offset);
      const rows = await q;
      return { groups: rows.length ? count(rows[0].groups) : 0, rows: rows.map(toRow) };
    },

    async totals(scope: Scope, f: ReportFilter): Promise<ReportRow> {
      const inner = from(scope, f).select(db.raw(PER_PERSON)).groupBy('b.person_id');
      const [row] = await db.from(inner.as('g')).select(db.raw(MEASURES));
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
