// The second step of a flow that confirms a mobile with a texted code and then sets a password
// (新用户注册, 授权缴费人注册): the code as typed and the password twice.
import { z } from 'zod';
import { CODE_FORM_MESSAGES as M } from './messages';

export const codeAndPassword = {
  code: z.string(M.code).trim().min(1, M.code).regex(/^\d{6}$/, M.codeFormat),
  password: z.string(M.password).min(1, M.password).max(72, M.passwordLong),
  confirm: z.string(M.confirm).min(1, M.confirm),
};

/** The refinement both flows end with: the two passwords agree, or the message sits under 确认密码. */
export const passwordsAgree: [(v: { password: string; confirm: string }) => boolean, { message: string; path: string[] }] = [
  (v) => v.password === v.confirm, { message: M.mismatch, path: ['confirm'] },
];
