// 已缴费信息 (图24–图27) and 收费单明细 (图26).
import { AppError } from '../../domain/app-error';
import { paginate } from '../../domain/pagination';
import { type FeeTypeKey, type ReceiptsQuery, FEE_TYPES, RECEIPT_NO } from './schemas';
import type { SeenRefunds } from '../refunds';
import type { ReceiptsRepo } from './repo';

export const RECEIPTS_PAGE_SIZE = 10;

export function receiptsService(deps: { repo: ReceiptsRepo; refunds: SeenRefunds }) {
  const { repo } = deps;
  /**
   * 费用类型 when the address names none: the first, in the select's order, of which the person
   * has a receipt — an outsider pays only 其他费用 (报名 among them) and would otherwise open on an
   * empty 学费交费 — and 学费交费 (图24) for someone who has paid nothing yet.
   */
  const defaultType = async (personId: number): Promise<FeeTypeKey> => {
    const paid = await repo.feeTypesPaid(personId);
    const keys = Object.keys(FEE_TYPES) as FeeTypeKey[];
    return keys.find((k) => paid.has(FEE_TYPES[k].feeType)) ?? 'tuition';
  };
  return {
    async list(personId: number, q: ReceiptsQuery) {
      const notices: string[] = [];
      let { from, to } = q;
      if (from && to && from > to) {
        notices.push('收费日期的起始日期晚于截止日期，已忽略日期条件');
        from = undefined;
        to = undefined;
      }
      const type = q.type ?? (await defaultType(personId));
      const filter = { feeType: FEE_TYPES[type].feeType, from, to, receiptNo: q.no };
      const total = await repo.count(personId, filter);
      const page = paginate(total, q.page, RECEIPTS_PAGE_SIZE);
      if (q.page > page.pages) notices.push(`页码超出范围，已显示第 ${page.page} 页`);
      const rows = await repo.list(personId, filter, page.offset, page.size);
      // The refunds of this fee type: 已缴费信息 is where a student checks what they have paid, and
      // money handed back is part of that answer.
      const refunds = await deps.refunds.lines(personId, { feeType: filter.feeType });
      return { rows, page, notices, refunds, filter: { type, from, to, no: q.no } };
    },

    async detail(personId: number, receiptNo: string) {
      const r = RECEIPT_NO.test(receiptNo) ? await repo.detail(personId, receiptNo) : undefined;
      if (!r) throw new AppError('not_found', '未找到该收费单');
      return { ...r, refunds: await deps.refunds.lines(personId, { receiptNo: r.receiptNo }) };
    },
  };
}

export type ReceiptsService = ReturnType<typeof receiptsService>;
