import { z } from 'zod';
import { PAYER_RELATIONS } from '../../domain/payer-labels';
import { codeAndPassword, passwordsAgree } from '../sms-codes/schemas';
import { PAYER_MESSAGES as M } from './messages';

// 姓名 as people write their parents' names: Chinese characters (with the middle dot of minority
// names) or Latin letters and spaces.
export const PAYER_NAME = /^(?:[\u3400-\u9fff\u00b7\u2022]{2,30}|[A-Za-z][A-Za-z .'-]{1,29})$/;
const mobile = z.string(M.mobile).trim().min(1, M.mobile).regex(/^1[3-9]\d{9}$/, M.mobileFormat);

export const inviteSchema = z.object({
  name: z.string(M.name).trim().min(1, M.name).regex(PAYER_NAME, M.nameFormat),
  mobile,
  relation: z.enum(PAYER_RELATIONS, { message: M.relation }),
});
export type Invite = z.infer<typeof inviteSchema>;

/** An id in the path or a form: a positive integer, else the page answers 404. */
export const linkIdSchema = z.string().regex(/^[1-9]\d{0,14}$/).transform(Number);

export const revokeSchema = z.object({});

export const payerStartSchema = z.object({
  mobile,
  captcha: z.string(M.captcha).trim().min(1, M.captcha).max(10, M.captchaWrong),
});

export const payerVerifySchema = z
  .object({ name: z.string(M.name).trim().max(30, M.nameFormat).optional(), ...codeAndPassword })
  .refine(...passwordsAgree);

export const resendSchema = z.object({});

export const chooseSchema = z.object({ link: z.string().regex(/^[1-9]\d{0,14}$/, M.notYours).transform(Number) });
