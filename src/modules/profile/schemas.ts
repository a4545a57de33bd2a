import { z } from 'zod';
import { isCardNumber, normaliseCardNumber } from '../../domain/luhn';
import { normaliseAnswer } from '../../domain/security-answer';
import { PROFILE_MESSAGES as M, SECURITY_QUESTIONS } from './messages';

export const passwordChangeSchema = z
  .object({
    current: z.string().min(1, '请输入原始密码').max(72, '原始密码不正确'),
    next: z.string().min(1, '请输入新密码').max(72, '密码不能超过72位'),
    confirm: z.string().min(1, '请再次输入新密码'),
  })
  .refine((v) => v.next === v.confirm, { message: '两次输入的新密码不一致', path: ['confirm'] });

/** 个人信息修改 (图4). An empty 手机 keeps the stored number: the page only ever shows it masked. */
export const profileEditSchema = z.object({
  mobile: z
    .string()
    .trim()
    .refine((v) => v === '' || /^1[3-9]\d{9}$/.test(v), M.mobile)
    .default(''),
  email: z
    .string()
    .trim()
    .max(100, M.emailLong)
    .refine((v) => v === '' || z.email().safeParse(v).success, M.email)
    .default(''),
  postcode: z
    .string()
    .trim()
    .refine((v) => v === '' || /^\d{6}$/.test(v), M.postcode)
    .default(''),
  address: z.string().trim().max(200, M.addressLong).default(''),
});
export type ProfileEdit = z.infer<typeof profileEditSchema>;

export const verifyPasswordSchema = z.object({
  password: z.string(M.passwordMissing).min(1, M.passwordMissing).max(72, M.passwordWrong),
});

export const securitySchema = z.object({
  question: z.enum(SECURITY_QUESTIONS, M.question),
  answer: z
    .string(M.answer)
    .refine((v) => normaliseAnswer(v).length > 0, M.answer)
    .refine((v) => v.length <= 50, M.answerLong),
  captcha: z.string(M.captcha).trim().min(1, M.captcha).max(10, M.captchaWrong),
});

export const bankCardSchema = z.object({
  bankName: z.string(M.bankName).trim().min(1, M.bankName).max(50, M.bankNameLong),
  cardNumber: z
    .string(M.cardNumber)
    .transform(normaliseCardNumber)
    .refine((v) => v.length > 0, M.cardNumber)
    .refine((v) => v.length === 0 || isCardNumber(v), M.cardInvalid),
  password: z.string(M.passwordMissing).min(1, M.passwordMissing).max(72, M.passwordWrong),
});
