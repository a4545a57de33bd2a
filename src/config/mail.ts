// E-mail (reminders, confirming a student's address) over SMTP, and the reminders' quiet window.
// No SMTP_URL: e-mail is off — nothing is queued for it, 个人信息 and the console say so.
import { z } from 'zod';
import { parseQuietWindow, type QuietWindow } from '../domain/quiet-window';
import { ConfigError } from './fields';

export const mailEnv = {
  /** smtp://user:pass@host:587 or smtps://host:465; unset: e-mail off. */
  SMTP_URL: z.string().url().refine((v) => /^smtps?:\/\//.test(v), 'must start with smtp:// or smtps://').optional(),
  /** The From of every mail, e.g. "兰州理工大学财务处 <pay@lut.edu.cn>"; required with SMTP_URL. */
  MAIL_FROM: z.string().trim().min(3).max(200).optional(),
  /** Reminders due inside this window (Shanghai time) wait until it ends; equal times: no window. */
  REMINDER_QUIET_HOURS: z.string().default('22:00-08:00').refine((v) => parseQuietWindow(v) !== null, 'must be HH:MM-HH:MM (business time)'),
};

export interface MailConfig {
  /** null: e-mail is off. */
  smtpUrl: string | null;
  from: string;
}

export function mailConfig(e: z.infer<z.ZodObject<typeof mailEnv>>): MailConfig {
  if (e.SMTP_URL && !e.MAIL_FROM) throw new ConfigError('配置错误 MAIL_FROM: required when SMTP_URL is set');
  return { smtpUrl: e.SMTP_URL ?? null, from: e.MAIL_FROM ?? '' };
}

export function reminderQuiet(e: z.infer<z.ZodObject<typeof mailEnv>>): QuietWindow {
  return parseQuietWindow(e.REMINDER_QUIET_HOURS)!;
}
