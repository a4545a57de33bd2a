import { z } from 'zod';
import { RECOVERY_MESSAGES as M } from './messages';

export const recoverStartSchema = z.object({
  username: z.string(M.username).trim().min(1, M.username).max(32, M.usernameLong),
  idNumber: z
    .string(M.idNumber)
    .trim()
    .min(1, M.idNumber)
    .regex(/^(\d{15}|\d{17}[\dXx])$/, M.idNumberFormat)
    .transform((v) => v.toUpperCase()),
  // Only sent when the page showed the field (throttle.ts decides when it must).
  captcha: z.string(M.captcha).trim().max(10, M.captchaWrong).default(''),
});

export const recoverAnswerSchema = z.object({
  answer: z.string(M.answer).refine((v) => v.trim().length > 0, M.answer).refine((v) => v.length <= 50, M.answerLong),
  captcha: z.string(M.captcha).trim().min(1, M.captcha).max(10, M.captchaWrong),
});

export const recoverResetSchema = z
  .object({
    next: z.string(M.next).min(1, M.next).max(72, M.nextLong),
    confirm: z.string(M.confirm).min(1, M.confirm),
  })
  .refine((v) => v.next === v.confirm, { message: M.mismatch, path: ['confirm'] });
