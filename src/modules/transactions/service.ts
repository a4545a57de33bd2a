// 银行交易记录 (图23) and its 明细.
import { businessDate, businessTime } from '../../domain/business-date';
import { channelLabel } from '../../domain/channels';
import { formatMoney, type Decimal } from '../../domain/money';
import { isOrderNo } from '../../domain/order-number';
import { paginate } from '../../domain/pagination';
import { AppError } from '../../domain/app-error';
import { refundLine, type SeenRefunds } from '../refunds';
import type { BankPage, TransactionsRepo } from './repo';

export const BANK_PAGE_SIZE = 10;

/** The refund of a payment, in the payer's words: how much, when, and which way it went back. */
export function refundNote(r: { amount: Decimal; at: Date; done: boolean }, channel: string): string {
  const how = `原路退回${channelLabel(channel)}`;
  return r.done
    ? `已退款 ${formatMoney(r.amount)} 元，退款日期 ${businessDate(r.at)}，${how}`
    : `退款处理中 ${formatMoney(r.amount)} 元，申请日期 ${businessDate(r.at)}，将${how}`;
}

export function transactionsService(deps: { repo: TransactionsRepo; refunds: SeenRefunds }) {
  const { repo } = deps;
  return {
    /** `first`: the first page as read with the session (./page-reads.ts), when it was; taken for page 1 only. */
    async bankRecords(personId: number, requestedPage: number, first?: BankPage) {
      // The page asked for, or the last one when that is past the end: the statement clamps the
      // offset as paginate does, and says how many there are.
      const asked = paginate(Number.MAX_SAFE_INTEGER, requestedPage, BANK_PAGE_SIZE);
      const read = first && requestedPage === 1 ? first : await repo.bankPage(personId, asked.offset, asked.size);
      const page = paginate(read.total, requestedPage, BANK_PAGE_SIZE);
      const notices = requestedPage > page.pages ? [`页码超出范围，已显示第 ${page.page} 页`] : [];
      const rows = read.rows.map((r) => ({
        ...r,
        date: businessDate(r.createdAt),
        time: businessTime(r.createdAt),
        // 交易金额 is what the channel took: nothing until the attempt is paid (图23 shows 0.00).
        traded: r.paid ? r.amount.plus(r.fee) : r.amount.minus(r.amount),
        refundNote: r.refund ? refundNote(r.refund, r.channel) : null,
      }));
      // Every refund, below the table: an offline one went through no bank record of its own.
      return { rows, page, notices, refunds: read.refunds.map(refundLine) };
    },

    async order(personId: number, orderNo: string) {
      // Order numbers are often written in lower case (xf200214…); both forms find the order.
      const no = orderNo.toUpperCase();
      const order = isOrderNo(no) ? await repo.order(personId, no) : undefined;
      if (!order) throw new AppError('not_found', '未找到该订单');
      return { ...order, refunds: await deps.refunds.lines(personId, { orderNo: order.orderNo }) };
    },
  };
}

export type TransactionsService = ReturnType<typeof transactionsService>;
