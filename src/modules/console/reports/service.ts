// 欠费报表 and the dashboard.
import { businessDate, businessDateTime, startOfBusinessDay } from '../../../domain/business-date';
import { toCsv } from '../../../domain/csv';
import { type Decimal, sum } from '../../../domain/money';
import { plainMoney } from '../../../domain/money';
import { paginate } from '../../../domain/pagination';
import type { Scope } from '../context';
import type { DashboardRepo } from './dashboard-repo';
import type { ReportFilter, ReportRow, ReportsRepo } from './repo';
import type { ReportQuery } from './schemas';

export const REPORT_PAGE_SIZE = 20;

export const GROUP_LABEL = { college: '学院', class: '班级', period: '收费期间', item: '收费项目' } as const;

export const COLUMNS: [keyof ReportRow & string, string][] = [
  ['heads', '人数'], ['due', '应收金额'], ['reduction', '减免金额'], ['paid', '实缴金额'], ['refunded', '退费金额'], ['arrears', '欠费金额'], ['deferred', '缓缴金额'], ['realArrears', '实际欠费'], ['inArrears', '欠费人数'],
];

type Choices = Awaited<ReturnType<ReportsRepo['choices']>>;

/**
 * What the report was drawn with, as the filters read on the page: [label, value] for 统计口径,
 * each filter (全部 when not set; department staff are held to their own college whatever they
 * ask), and the sort. The CSV starts with these lines and names its file after the ones set.
 */
export function reportFilters(scope: Scope, q: ReportQuery, choices: Choices): { lines: [string, string][]; named: string[] } {
  const nameOf = (list: { id: number; name: string }[], id: number | undefined) =>
    id === undefined ? null : list.find((x) => x.id === id)?.name ?? `编号${id}（不存在）`;
  const college = scope.collegeId === null ? nameOf(choices.colleges, q.college) : nameOf(choices.colleges, scope.collegeId);
  const set: [string, string | null][] = [
    ['收费期间', nameOf(choices.periods, q.period)], ['收费项目', nameOf(choices.items, q.item)], ['学院', college], ['班级', nameOf(choices.classes, q.klass)],
  ];
  const sortName = q.sort === 'name' ? GROUP_LABEL[q.by] : COLUMNS.find(([k]) => k === q.sort)?.[1] ?? q.sort;
  return {
    lines: [['统计口径', `按${GROUP_LABEL[q.by]}`], ...set.map(([l, v]): [string, string] => [l, v ?? '全部']), ['排序', `${sortName} ${q.dir === 'asc' ? '升序' : '降序'}`]],
    named: set.flatMap(([, v]) => (v ? [v] : [])),
  };
}

/** A file name Windows and every browser keep: no path or reserved characters. */
const safeFileName = (s: string) => s.replace(/[\\/:*?"<>|\s]+/g, '_');

export function reportsService(deps: { repo: ReportsRepo; dashboard: DashboardRepo }) {
  const { repo, dashboard } = deps;

  const filterOf = (scope: Scope, q: ReportQuery): ReportFilter => ({
    periodId: q.period, feeItemId: q.item,
    // Department staff are fixed to their college by the scope; a college filter cannot widen it.
    collegeId: scope.collegeId === null ? q.college : undefined,
    classId: q.klass,
  });

  return {
    async report(scope: Scope, q: ReportQuery) {
      const filter = filterOf(scope, q);
      const sort = { key: q.sort, dir: q.dir };
      // Three independent queries: run side by side on the pool.
      const [first, totals, choices] = await Promise.all([
        repo.groups(scope, q.by, filter, sort, REPORT_PAGE_SIZE, (q.page - 1) * REPORT_PAGE_SIZE), repo.totals(scope, filter), repo.choices(scope),
      ]);
      const page = paginate(first.groups, q.page, REPORT_PAGE_SIZE);
      let rows = first.rows;
      const notices: string[] = [];
      if (first.groups > 0 && page.page !== q.page) {
        rows = (await repo.groups(scope, q.by, filter, sort, REPORT_PAGE_SIZE, page.offset)).rows;
        notices.push(`页码超出范围，已显示第 ${page.page} 页`);
      }
      return { rows, totals, page, choices, notices };
    },

    /** The whole report (every group, the same sort) with a 合计 line, as Excel-ready CSV. */
    async csv(scope: Scope, q: ReportQuery): Promise<{ fileName: string; body: string }> {
      const filter = filterOf(scope, q);
      const [{ rows }, totals, choices] = await Promise.all([repo.groups(scope, q.by, filter, { key: q.sort, dir: q.dir }, null, 0), repo.totals(scope, filter), repo.choices(scope)]);
      const about = reportFilters(scope, q, choices);
      const now = new Date();
      const header = [...(q.by === 'class' ? ['学院'] : []), GROUP_LABEL[q.by], ...COLUMNS.map(([, l]) => l)];
      const line = (r: ReportRow, first: string[]) => [
        ...first, String(r.heads), plainMoney(r.due), plainMoney(r.reduction), plainMoney(r.paid), plainMoney(r.refunded), plainMoney(r.arrears), plainMoney(r.deferred), plainMoney(r.realArrears), String(r.inArrears),
      ];
      const body = toCsv(header, [
        ...rows.map((r) => line(r, q.by === 'class' ? [r.college ?? '', r.name] : [r.name])),
        line(totals, q.by === 'class' ? ['合计', ''] : ['合计']),
      ], [['欠费报表'], ...about.lines, ['导出时间', businessDateTime(now)]]);
      return { fileName: safeFileName(['欠费报表', `按${GROUP_LABEL[q.by]}`, ...about.named, businessDate(now)].join('-')) + '.csv', body };
    },

    async dashboard(scope: Scope, now = new Date()) {
      const today = businessDate(now);
      const monthStart = `${today.slice(0, 8)}01`;
      const tomorrow = new Date(startOfBusinessDay(today).getTime() + 24 * 3600 * 1000);
      const [dayChannels, monthChannels, dayItems, monthItems, dayRefunds, monthRefunds] = await Promise.all([
        dashboard.byChannel(scope, today, today), dashboard.byChannel(scope, monthStart, today),
        dashboard.byItem(scope, today, today), dashboard.byItem(scope, monthStart, today),
        dashboard.refunds(scope, startOfBusinessDay(today), tomorrow), dashboard.refunds(scope, startOfBusinessDay(monthStart), tomorrow),
      ]);
      const total = (rows: { amount: Decimal }[]) => sum(rows.map((r) => r.amount));
      return {
        today, monthStart,
        day: { channels: dayChannels, items: dayItems, total: total(dayChannels), refunds: dayRefunds },
        month: { channels: monthChannels, items: monthItems, total: total(monthChannels), refunds: monthRefunds },
      };
    },
  };
}

export type ReportsService = ReturnType<typeof reportsService>;
