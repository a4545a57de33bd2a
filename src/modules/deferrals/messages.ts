// 缓缴 and loans: the Chinese the console and the student read.
import { DEFERRAL_KIND_LABEL } from '../../domain/deferral-labels';
import type { DeferralKind } from '../../domain/deferral';
import { formatMoney, type Decimal } from '../../domain/money';

export const M = {
  noLines: '请至少在一个账单上填写缓缴金额',
  billGone: '账单不存在或不在您的管理范围内',
  overOwed: (item: string, owed: Decimal) => `${item}：缓缴金额不能超过欠费金额 ${owed.toFixed(2)} 元`,
  pastDate: '预计到账日期不能早于今天',
  alreadyDeferred: '所选账单已有待审批或生效中的缓缴，未做任何更改',
  mixedPeople: '只能为同一学生的账单办理缓缴',
  notFound: '缓缴记录不存在或不在您的管理范围内',
  decided: '该缓缴申请已处理，请刷新页面查看',
  approveOverOwed: (owed: Decimal) => `账单欠费已变为 ${owed.toFixed(2)} 元，低于申请的缓缴金额，请驳回后重新申请`,
  notStudent: '只能为学生登记助学贷款',
  duplicateLoan: '该笔贷款已登记（同一学号、贷款类型、到账日期、金额），未重复入账',
  noExportable: '没有可导出的退款（状态为待导出、且学生已在个人信息中登记银行卡）',
  refundMoved: '该退款的状态已变化，请刷新页面后重试',
  refundGone: '退款记录不存在',
  batchGone: '没有该导出批次',
};

export const DONE_DEFERRAL: Record<string, string> = {
  deferred: '缓缴已生效',
  requested: '缓缴申请已提交，待财务处批准后生效',
  approved: '缓缴申请已批准',
  rejected: '缓缴申请已驳回',
  loan: '助学贷款已入账',
  exported: '退款批次已导出',
  state: '退款状态已更新',
};

/** The SMS and the 当前费用 notice of a deferral that expired without its loan. */
export function expiredText(p: { schoolName?: string; itemName: string; kind: DeferralKind; expectedOn: string; amount: Decimal }): string {
  const school = p.schoolName ? `【${p.schoolName}】` : '';
  return `${school}您的${p.itemName}缓缴（${DEFERRAL_KIND_LABEL[p.kind]}，${formatMoney(p.amount)}元）预计到账日期${p.expectedOn}已过，未收到贷款，已恢复为欠费，请登录缴费平台查看并缴纳。`;
}
