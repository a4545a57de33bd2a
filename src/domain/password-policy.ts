// 密码修改: 9位以上字母、数字和符号. The initial password is derived from the ID number, so a
// new password may not contain the person's number or the digits of their ID.

export const PASSWORD_RULE = '新密码须为9位以上，且同时包含字母、数字和符号';

export interface PolicyContext {
  number: string;
  idNumber: string | null;
  oldPassword?: string;
}

/** Returns a Chinese message for the first broken rule, or null when the password is acceptable. */
export function checkPassword(pw: string, ctx: PolicyContext): string | null {
  if (pw.length < 9) return PASSWORD_RULE;
  if (pw.length > 72) return '密码不能超过72位';
  if (!/[A-Za-z]/.test(pw) || !/\d/.test(pw) || !/[^A-Za-z0-9]/.test(pw)) return PASSWORD_RULE;
  if (/\s/.test(pw)) return '密码不能包含空格';
  if (ctx.oldPassword !== undefined && pw === ctx.oldPassword) return '新密码不能与原密码相同';
  const lower = pw.toLowerCase();
  if (ctx.number.length >= 4 && lower.includes(ctx.number.toLowerCase())) return '密码不能包含学号或用户编号';
  const id = ctx.idNumber?.toLowerCase();
  if (id && (lower.includes(id.slice(-8)) || lower.includes(id.slice(-6)))) return '密码不能包含身份证号码';
  return null;
}

/** The initial password of a student or staff member: the last 8 of the ID number, X in capitals. */
export function initialPassword(idNumber: string): string {
  return idNumber.slice(-8).toUpperCase();
}
