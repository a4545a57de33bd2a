import { z } from 'zod';
import { isValidIdNumber, normaliseIdNumber } from '../../domain/id-number';
import { codeAndPassword, passwordsAgree } from '../sms-codes/schemas';
import { REGISTRATION_MESSAGES as M } from './messages';

// 姓名 as on the ID card: Chinese characters, with the middle dot of minority names, or Latin
// letters and spaces for foreign names written so.
const NAME = /^(?:[\u3400-\u9fff\u00b7\u2022]{2,30}|[A-Za-z][A-Za-z .'-]{1,29})$/;

export const registerStartSchema = z.object({
  name: z.string(M.name).trim().min(1, M.name).regex(NAME, M.nameFormat),
  idNumber: z
    .string(M.idNumber)
    .trim()
    .min(1, M.idNumber)
    .refine((v) => normaliseIdNumber(v) !== null, M.idNumberFormat)
    .refine((v) => normaliseIdNumber(v) === null || isValidIdNumber(v), M.idNumberCheck)
    .transform((v) => normaliseIdNumber(v)!),
  mobile: z.string(M.mobile).trim().min(1, M.mobile).regex(/^1[3-9]\d{9}$/, M.mobileFormat),
  captcha: z.string(M.captcha).trim().min(1, M.captcha).max(10, M.captchaWrong),
});
export type RegisterStart = z.infer<typeof registerStartSchema>;

export const registerVerifySchema = z.object(codeAndPassword).refine(...passwordsAgree);

/** 重新获取验证码: nothing but the form's token. */
export const registerResendSchema = z.object({});
