// 银行交易记录 (图23) and its 明细.
import { businessDate, businessTime } from '../../domain/business-date';
import { channelLabel } from '../../domain/channels';
import { formatMoney, type Decimal } from '../../domain/money';
import { isOrderNo } from '../../domain/order-number';
import { paginate } from '../../domain/pagination';
import { AppError } from '../../domain/app-error';
import type { TransactionsRepo } from './repo';

export const BANK_PAGE_SIZE = 10;

/** The steps of an attempt's history, in the payer's words. */
export const EVENT_LABEL: Record<string, string> = {
  create: '已发送至渠道',
  notify: '收到支付通知',
  query: '主动查询',
  close: '关闭订单',
  refund: '退款',
};

/** Outcomes recorded by the channel adapters, in the payer's words; anything else is shown as is. */
export function outcomeLabel(outcome: string): string {
  if (outcome === 'credited') return '已入账';
  if (outcome === 'duplicate') return '重复通知，已忽略';
  if (outcome === 'sent') return '已发送';
  if (outcome === 'closed') return '已关闭';
  // A bank page (or QR) its channel cannot close early: it stays payable until its expiry.
  if (outcome === 'open') return '渠道不能提前关闭，支付页面在有效时间内仍可付款';
  if (outcome === 'paid') return '已支付';
  if (outcome === 'double-paid') return '重复支付，将原路退回';
  if (outcome.startsWith('rejected')) return '已拒绝';
  return outcome;
}

export const ATTEMPT_STATUS_LABEL: Record<string, string> = {
  created: '已创建',
  sent: '已发送',
  paid: '已支付',
  closed: '已关闭',
  failed: '失败',
};

/** The refund of a payment, in the payer's words: how much, when, and which way it went back. */
export function refundNote(r: { amount: Decimal; at: Date; done: boolean }, channel: string): string {
  const how = `原路退回${channelLabel(channel)}`;
  return r.done
    ? `已退款 ${formatMoney(r.amount)} 元，退款日期 ${businessDate(r.at)}，${how}`
    : `退款处理中 ${formatMoney(r.amount)} 元，申请日期 ${businessDate(r.at)}，将${how}`;
}

export function transactionsService(deps: { repo: TransactionsRepo }) {
  const { repo } = deps;
  return {
    async bankRecords(personId: number, requestedPage: number) {
      const total = await repo.countBankRecords(personId);
      const page = paginate(total, requestedPage, BANK_PAGE_SIZE);
      const notices = requestedPage > page.pages ? [`页码超出范围，已显示第 ${page.page} 页`] : [];
      const rows = (await repo.bankRecords(personId, page.offset, page.size)).map((r) => ({
        ...r,
        date: businessDate(r.createdAt),
        time: businessTime(r.createdAt),
        // 交易金额 is what the channel took: nothing until the attempt is paid (图23 shows 0.00).
        traded: r.paid ? r.amount.plus(r.fee) : r.amount.minus(r.amount),
        refundNote: r.refund ? refundNote(r.refund, r.channel) : null,
      }));
      return { rows, page, notices };
    },

    async order(personId: number, orderNo: string) {
      // Order numbers are shown in lower case in the manual (xf200214…); both forms find the order.
      const no = orderNo.toUpperCase();
      const order = isOrderNo(no) ? await repo.order(personId, no) : undefined;
      if (!order) throw new AppError('not_found', '未找到该订单');
      return order;
    },
  };
}

export type TransactionsService = ReturnType<typeof transactionsService>;
