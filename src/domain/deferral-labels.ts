// 缓缴 and loans in the words finance and students read (one place, beside src/domain/labels.ts,
// which spreads these into its own vocabularies).
import type { DeferralKind, LoanKind } from './deferral';

export const DEFERRAL_KIND_LABEL: Record<DeferralKind, string> = { green: '绿色通道', national: '国家助学贷款', local: '生源地信用助学贷款', other: '其他' };
export const LOAN_KIND_LABEL: Record<LoanKind, string> = { national: '国家助学贷款', local: '生源地信用助学贷款' };
export const DEFERRAL_STATUS_LABEL: Record<string, string> = { requested: '申请', approved: '已批准', rejected: '已驳回', settled: '已结清', expired: '已过期' };
export const LOAN_REFUND_STATUS_LABEL: Record<string, string> = { pending: '待导出', exported: '已导出', paid: '已到账', failed: '失败' };
export const DISBURSEMENT_SOURCE_LABEL: Record<string, string> = { import: '文件导入', manual: '手工登记' };
/** The receipt of a loan paid into bills: its 收费方式. */
export const LOAN_METHOD_LABEL = { loan: '助学贷款' } as const;
/** What an import of a disbursement file did. */
export const LOAN_IMPORT_OUTCOME_LABEL = { applied: '入账', duplicates: '已导入过', refunds: '生成退款' } as const;

export const DEFERRAL_AUDIT_LABEL: Record<string, string> = {
  'deferral.grant': '批准缓缴', 'deferral.request': '申请缓缴', 'deferral.approve': '批准缓缴申请', 'deferral.reject': '驳回缓缴申请',
  'deferral.expire': '缓缴到期恢复欠费', 'loan.disburse': '助学贷款入账', 'import.loans': '导入贷款放款', 'import.loans.rejected': '贷款放款导入未通过校验',
  'loan_refund.export': '导出退款批次', 'loan_refund.state': '退款状态变更',
};
