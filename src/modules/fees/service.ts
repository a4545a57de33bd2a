// 欠费信息查询 (当前费用, 图8): the person's bills with the summary line and pagination.
import { arrears, netPaid, payable, paymentStatus } from '../../domain/arrears';
import { collectionStatus, isExpired } from '../../domain/payable';
import { type Decimal, sum } from '../../domain/money';
import { paginate, type Page } from '../../domain/pagination';
import type { CurrentFeesQuery } from './schemas';
import type { FeesRepo, PersonBill } from './repo';

export const FEES_PAGE_SIZE = 10;

export interface FeeRow extends PersonBill {
  payable: Decimal;
  netPaid: Decimal;
  arrears: Decimal;
  status: '已完成' | '未完成';
  /** 收费状态 at the moment of reading: finance's switch and the collection window together. */
  collecting: '收费' | '停止';
}

export interface FeeSummary {
  count: number;
  payable: Decimal; // 共需交费
  paid: Decimal; // 已缴费
  arrears: Decimal; // 欠费
}

/** The periods and items of these bills (already newest period first), items in fee-item order. */
function filterChoices(bills: PersonBill[]) {
  const periods = new Map(bills.map((b) => [b.periodId, b.periodName]));
  const byItemOrder = [...bills].sort((a, b) => a.itemSort - b.itemSort);
  const items = new Map(byItemOrder.map((b) => [b.feeItemId, b.itemName]));
  return {
    periods: [...periods].map(([id, name]) => ({ id, name })),
    items: [...items].map(([id, name]) => ({ id, name })),
  };
}

export function feesService(deps: { repo: FeesRepo }) {
  const { repo } = deps;

  const toRow = (now: Date) => (b: PersonBill): FeeRow => ({
    ...b, payable: payable(b), netPaid: netPaid(b), arrears: arrears(b), status: paymentStatus(b), collecting: collectionStatus(b, now),
  });

  const summarise = (rows: FeeRow[]): FeeSummary => ({
    count: rows.length,
    payable: sum(rows.map((r) => r.payable)),
    paid: sum(rows.map((r) => r.netPaid)),
    arrears: sum(rows.map((r) => r.arrears)),
  });

  return {
    async currentFees(personId: number, q: CurrentFeesQuery, now = new Date()) {
      // A person has tens of bills at most: one query, then the filters in memory, so the filter
      // choices and the table come from the same snapshot.
      const all = await repo.billsOf(personId);
      const choices = filterChoices(all);
      // A period or item this person has no bills for is reported, then ignored.
      const notices: string[] = [];
      const periodId = q.period && choices.periods.some((p) => p.id === q.period) ? q.period : undefined;
      if (q.period && !periodId) notices.push('所选收费期间不存在，已显示全部期间');
      const feeItemId = q.item && choices.items.some((i) => i.id === q.item) ? q.item : undefined;
      if (q.item && !feeItemId) notices.push('所选收费项目不存在，已显示全部项目');

      const rows = all
        .filter((b) => (!periodId || b.periodId === periodId) && (!feeItemId || b.feeItemId === feeItemId))
        .filter((b) => q.expired || !isExpired(b, now))
        .map(toRow(now));
      const page: Page = paginate(rows.length, q.page, FEES_PAGE_SIZE);
      if (q.page > page.pages) notices.push(`页码超出范围，已显示第 ${page.page} 页`);
      return {
        choices,
        filter: { periodId, feeItemId, expired: q.expired },
        summary: summarise(rows),
        rows: rows.slice(page.offset, page.offset + page.size),
        page,
        notices,
      };
    },

    /** The home page (图2): what is still owed, windows not yet ended. */
    async openArrears(personId: number, now = new Date()) {
      const rows = (await repo.billsOf(personId, { hideExpiredAt: now })).map(toRow(now));
      return { rows, summary: summarise(rows) };
    },
  };
}

export type FeesService = ReturnType<typeof feesService>;
