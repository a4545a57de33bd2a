// 欠费信息查询 (当前费用, 图8): the person's bills with the summary line and pagination.
import { arrears, netPaid, payable, paymentStatus } from '../../domain/arrears';
import { collectionStatus, isExpired } from '../../domain/payable';
import { type Decimal, formatMoney, sum } from '../../domain/money';
import { DEFERRAL_KIND_LABEL } from '../../domain/deferral-labels';
import { type DeferralKind, deferredPart, expiredNoticeSince } from '../../domain/deferral';
import { paginate, type Page } from '../../domain/pagination';
import type { CurrentFeesQuery } from './schemas';
import type { BillsWithDeferrals, FeesRepo, PersonBill } from './repo';

export const FEES_PAGE_SIZE = 10;

/** A deferral that ended without its loan: its part is owed again (the SMS said so too). */
const expiredNotice = (itemName: string, e: { kind: string; expectedOn: string; amount: Decimal; covered: Decimal }) =>
  `您的${itemName}缓缴（${DEFERRAL_KIND_LABEL[e.kind as DeferralKind] ?? e.kind}）预计到账日期${e.expectedOn}已过，未收到贷款，${formatMoney(e.amount.minus(e.covered))}元已恢复为欠费，请及时缴纳。`;

export interface FeeRow extends PersonBill {
  payable: Decimal;
  netPaid: Decimal;
  arrears: Decimal;
  status: '已完成' | '未完成';
  /** 收费状态 at the moment of reading: finance's switch and the collection window together. */
  collecting: '收费' | '停止';
  /** 缓缴 in force: the part of the arrears held back until the loan arrives, and the date expected. */
  deferral?: { kind: string; amount: Decimal; expectedOn: string } | undefined;
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

  const toRow = (now: Date, deferred: BillsWithDeferrals['inForce']) => (b: PersonBill): FeeRow => {
    const a = arrears(b);
    const d = deferred.get(b.billId);
    const part = d ? deferredPart(d.remaining, a) : undefined;
    return {
      ...b, payable: payable(b), netPaid: netPaid(b), arrears: a, status: paymentStatus(b), collecting: collectionStatus(b, now),
      deferral: d && part?.greaterThan(0) ? { kind: d.kind, amount: part, expectedOn: d.expectedOn } : undefined,
    };
  };

  const summarise = (rows: FeeRow[]): FeeSummary => ({
    count: rows.length,
    payable: sum(rows.map((r) => r.payable)),
    paid: sum(rows.map((r) => r.netPaid)),
    arrears: sum(rows.map((r) => r.arrears)),
  });

  return {
    /** `read`: the bills as read with the session (./page-reads.ts currentFeesRead), when they were. */
    async currentFees(personId: number, q: CurrentFeesQuery, now = new Date(), read?: BillsWithDeferrals) {
      // A person has tens of bills at most: one query (their deferrals in it), then the filters in
      // memory, so the filter choices and the table come from the same snapshot.
      const { bills: all, inForce: deferred, expired } = read ?? await repo.billsWithDeferrals(personId, { expiredSince: expiredNoticeSince(now) });
      const choices = filterChoices(all);
      // A period or item this person has no bills for is reported, then ignored.
      // Told while the bill still owes (paid since: nothing to say).
      const owing = new Map(all.filter((b) => arrears(b).greaterThan(0)).map((b) => [b.billId, b.itemName]));
      const notices: string[] = expired.filter((e) => owing.has(e.billId)).map((e) => expiredNotice(owing.get(e.billId)!, e));
      const periodId = q.period && choices.periods.some((p) => p.id === q.period) ? q.period : undefined;
      if (q.period && !periodId) notices.push('所选收费期间不存在，已显示全部期间');
      const feeItemId = q.item && choices.items.some((i) => i.id === q.item) ? q.item : undefined;
      if (q.item && !feeItemId) notices.push('所选收费项目不存在，已显示全部项目');

      const rows = all
        .filter((b) => (!periodId || b.periodId === periodId) && (!feeItemId || b.feeItemId === feeItemId))
        .filter((b) => q.expired || !isExpired(b, now))
        .map(toRow(now, deferred));
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
    async openArrears(personId: number, now = new Date(), read?: BillsWithDeferrals) {
      const { bills, inForce: deferred } = read ?? await repo.billsWithDeferrals(personId, { hideExpiredAt: now });
      const rows = bills.map(toRow(now, deferred));
      return { rows, summary: summarise(rows) };
    },
  };
}

export type FeesService = ReturnType<typeof feesService>;
