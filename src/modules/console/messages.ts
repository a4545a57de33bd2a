// The console's user-facing strings in one place (the labels of stored codes are in src/domain/labels.ts).
import { REDUCTION_CAUSE_LABEL, REFUND_PURPOSE_LABEL } from '../../domain/labels';
import { formatMoney } from '../../domain/money';
import { DONE_DEFERRAL } from '../deferrals/messages';
import type { RefundMeaning, RefundPlan } from '../../domain/refund-plan';

export const DONE: Record<string, string> = {
  reset: '密码已重置为初始密码（身份证号后8位），该用户下次登录时须修改密码',
  unlocked: '已解除登录限制',
  disabled: '账户已停用',
  enabled: '账户已启用',
  adjusted: '调整已记账',
  paid: '柜台收费已入账',
  refunded: '退费已入账',
  billed: '开单完成',
  saved: '已保存',
  published: '公告已发布',
  withdrawn: '公告已撤回',
  ...DONE_DEFERRAL,
};

export const doneNotice = (q: unknown): string[] => (typeof q === 'string' && Object.hasOwn(DONE, q) ? [DONE[q]!] : []);

export const NOT_IN_SCOPE = '人员不存在或不在您的管理范围内';
export const BILL_REFUSED = '该操作会使账单金额不合法（退费不能超过实缴金额，减免不能超过应收金额），未做任何更改';

/**
 * 核对退费: what a refund will do to its bill, in the words finance reads before confirming —
 * above all whether the bill will be owed again (shown to the student as 未完成, payable, and
 * counted in the arrears reports) or stay settled because its fee is reduced with the refund.
 */
export function refundConsequence(plan: RefundPlan, meaning: RefundMeaning): { text: string; owedAgain: boolean } {
  const before = plan.arrearsBefore;
  const after = plan.arrearsAfter;
  const reduced = meaning.purpose === 'fee_reduced' ? `应收金额同时减免 ${formatMoney(plan.reduction)} 元（${REDUCTION_CAUSE_LABEL[meaning.cause]}）。` : '';
  if (after.greaterThan(before)) {
    const owed = before.isZero() ? `退费后该账单将重新欠费 ${formatMoney(after)} 元` : `退费后该账单的欠费将由 ${formatMoney(before)} 元增至 ${formatMoney(after)} 元`;
    return {
      owedAgain: true,
      text: `${reduced}${owed}：学生的当前费用中显示为“未完成”，可以再次缴费，并计入欠费统计。这适用于应收金额不变的退费（如误缴）；如是因休学、退学或减免而退费，请点“返回修改”，选择“${REFUND_PURPOSE_LABEL.fee_reduced}”。`,
    };
  }
  if (after.isZero()) {
    const why = meaning.purpose === 'fee_reduced' ? reduced : '退回的是多缴的部分。';
    return { owedAgain: false, text: `${why}退费后该账单仍为已缴清，学生无需再缴，不计入欠费统计。` };
  }
  if (after.equals(before)) return { owedAgain: false, text: `${reduced}退费后该账单欠费仍为 ${formatMoney(after)} 元，与退费前相同。` };
  return { owedAgain: false, text: `${reduced}退费后该账单的欠费由 ${formatMoney(before)} 元减为 ${formatMoney(after)} 元。` };
}
