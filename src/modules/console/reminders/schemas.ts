// The 催缴提醒 forms: a campaign (who, when, channels, text) and a fee item's deadline reminder.
import { z } from 'zod';
import { REMINDER_DEFERRED } from '../../../domain/labels';
import { parseAmount } from '../../../domain/money';
import { optionalLocalTime } from '../fees/schemas';
import { optionalId } from '../schemas';

const text = z.string().trim().min(2, '请填写提醒内容（至少2个字）').max(300, '提醒内容不能超过300字');
/** Checkboxes: present ('1') or absent. */
const box = z.union([z.literal('1'), z.literal('')]).optional().transform((v) => v === '1');

export const campaignForm = z
  .object({
    title: z.string().trim().min(2, '请填写标题（至少2个字）').max(100, '标题不能超过100字'),
    body: text,
    period: optionalId('收费期间无效'),
    college: optionalId('学院无效'),
    class: optionalId('班级无效'),
    item: optionalId('收费项目无效'),
    min_arrears: z.string().trim().max(20, '金额无效').optional().transform((s, ctx) => {
      if (!s) return '0.00';
      const d = parseAmount(s.replace(/,/g, ''));
      if (!d) {
        ctx.addIssue({ code: 'custom', message: '欠费金额须为最多两位小数的数字' });
        return z.NEVER;
      }
      return d.toFixed(2);
    }),
    // 缓缴情况; a post without the field (a page opened before the field existed) means 全部.
    deferred: z.enum(REMINDER_DEFERRED, { message: '缓缴情况无效，请选择全部、仅缓缴或不含缓缴' }).optional().transform((v) => v ?? 'all'),
    when: z.enum(['now', 'later'], { message: '请选择发送时间' }),
    send_at: optionalLocalTime('发送时间无效'),
    sms: box,
    email: box,
  })
  .refine((f) => f.sms || f.email, { message: '请至少选择一个渠道', path: ['channels'] })
  .refine((f) => f.when === 'now' || f.send_at !== null, { message: '请填写发送时间', path: ['send_at'] });

export const campaignAction = z.object({ action: z.enum(['preview', 'save'], { message: '操作无效' }) });

export const deadlineForm = z
  .object({
    item: z.string().regex(/^[1-9]\d{0,8}$/, '收费项目无效').transform(Number),
    enabled: box,
    days: z.string().trim().regex(/^[1-9]\d?$/, '提前天数须为1到60').transform(Number).refine((n) => n <= 60, '提前天数须为1到60'),
    body: text,
    sms: box,
    email: box,
  })
  .refine((f) => f.sms || f.email, { message: '请至少选择一个渠道', path: ['channels'] });
