// The console's user-facing strings in one place (the labels of stored codes are in src/domain/labels.ts).

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
};

export const doneNotice = (q: unknown): string[] => (typeof q === 'string' && Object.hasOwn(DONE, q) ? [DONE[q]!] : []);

export const NOT_IN_SCOPE = '人员不存在或不在您的管理范围内';
export const BILL_REFUSED = '该操作会使账单金额不合法（退费不能超过实缴金额，减免不能超过应收金额），未做任何更改';
