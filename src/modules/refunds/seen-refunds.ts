// A refund as the student reads it on 银行交易记录, its 明细 and 已缴费信息: how much, when, which way
// the money went back, whether it is done, and why — in plain words, never a stored code.
import type { Knex } from 'knex';
import { businessDate } from '../../domain/business-date';
import { channelLabel, REDUCTION_CAUSE_LABEL } from '../../domain/labels';
import { formatMoney } from '../../domain/money';
import { refundsSeenBy, type SeenRefund, type SeenRefundFilter } from './person-refunds-repo';

export interface RefundLine {
  date: string;
  fee: string;
  amount: string;
  way: string;
  state: string;
  done: boolean;
  why: string;
  orderNo: string | null;
}

export function refundLine(r: SeenRefund): RefundLine {
  const why = r.kind === 'second_payment' ? '重复支付的款项退回'
    : r.kind === 'fee_reduced' ? `${r.reductionCause ? REDUCTION_CAUSE_LABEL[r.reductionCause] : '减免'}退费，应缴金额减免 ${formatMoney(r.reductionAmount ?? 0)} 元`
      : '退回多缴或误缴的款项';
  return {
    date: businessDate(r.at),
    fee: r.period && r.item ? `${r.period} ${r.item}` : `订单 ${r.orderNo ?? ''}`.trim(),
    amount: formatMoney(r.amount),
    way: r.channel ? `原路退回${channelLabel(r.channel)}` : '财务处线下退款',
    state: r.done ? '已退款' : '退款处理中',
    done: r.done,
    why,
    orderNo: r.orderNo,
  };
}

/** The student's refunds, ready for a page. */
export function seenRefunds(db: Knex) {
  return {
    lines: async (personId: number, filter: SeenRefundFilter = {}) => (await refundsSeenBy(db, personId, filter)).map(refundLine),
  };
}

export type SeenRefunds = ReturnType<typeof seenRefunds>;
