// The codes reconciliation stores (differences, runs, overpayment flags) and the label the
// console shows for each, so the 对账 page and the CLI never spell one two ways.
export type DifferenceKind = 'paid_not_credited' | 'credited_absent' | 'amount_mismatch' | 'status_mismatch' | 'refund_mismatch';

export type DifferenceAction = 'restored' | 'proposed' | 'none';

export type OverpaymentStatus = 'open' | 'refunding' | 'refunded' | 'failed' | 'dismissed';

export const DIFFERENCE_KIND_LABEL: Record<DifferenceKind, string> = {
  paid_not_credited: '渠道已收款本平台未入账',
  credited_absent: '本平台已入账渠道无记录',
  amount_mismatch: '金额不符',
  status_mismatch: '状态不符',
  refund_mismatch: '退款不符',
};

export const DIFFERENCE_ACTION_LABEL: Record<DifferenceAction, string> = {
  restored: '已自动补账',
  proposed: '待财务处理',
  none: '无需处理',
};

export const RUN_STATUS_LABEL: Record<string, string> = { running: '进行中', done: '完成', failed: '失败' };

export const RUN_TRIGGER_LABEL: Record<string, string> = { job: '自动', cli: '命令行', console: '控制台' };

export const OVERPAYMENT_KIND_LABEL: Record<'bill' | 'attempt', string> = { bill: '账单多缴', attempt: '订单重复支付' };

export const OVERPAYMENT_STATUS_LABEL: Record<OverpaymentStatus, string> = {
  open: '待退款',
  refunding: '退款处理中',
  refunded: '已退款',
  failed: '退款失败',
  dismissed: '已处理',
};
