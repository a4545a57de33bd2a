import { z } from 'zod';
import { positiveAmount, reason, signedAmount } from '../schemas';
import { businessDateTime } from '../../../domain/business-date';
import { ID_PATTERN } from '../../../domain/ids';
import { parseAmount } from '../../../domain/money';

/** datetime-local input (Asia/Shanghai wall time) → instant; empty → null. */
export const optionalLocalTime = (msg: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      // Checked here rather than by a z.union with '': a failed union says only 无效输入, not msg.
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v)) {
        ctx.addIssue({ code: 'custom', message: msg });
        return z.NEVER;
      }
      const wall = v.length === 16 ? `${v}:00` : v;
      const d = new Date(`${wall}+08:00`);
      // Date rolls 2026-02-30 over to 03-02 rather than failing: only a time that reads back the
      // same is real (as businessMinute checks for the queues page and the CLI).
      if (Number.isNaN(d.getTime()) || businessDateTime(d) !== wall.replace('T', ' ')) {
        ctx.addIssue({ code: 'custom', message: msg });
        return z.NEVER;
      }
      return d;
    });

export const periodForm = z.object({
  name: z.string().trim().min(1, '请输入期间名称').max(50, '期间名称不能超过50字'),
  sort_order: z.string().trim().regex(/^-?\d{1,6}$/, '排序须为整数').transform(Number),
});

/** A checkbox: present ('1' or 'on') when ticked, absent when not. */
const tick = z.enum(['1', 'on'], { message: '选项无效' }).optional().transform((v) => v !== undefined);

export const itemForm = z
  .object({
    code: z.string().trim().regex(/^[0-9A-Za-z]{1,32}$/, '项目编码须为1-32位字母或数字'),
    name: z.string().trim().min(1, '请输入项目名称').max(100, '项目名称不能超过100字'),
    category: z.enum(['财政', '代收'], { message: '请选择项目类别' }),
    fee_type: z.enum(['学费', '其他费用'], { message: '请选择收费类型' }),
    payee: z.string().trim().min(1, '请输入收款单位').max(100, '收款单位不能超过100字'),
    starts_at: optionalLocalTime('收费起始时间无效'),
    ends_at: optionalLocalTime('收费终止时间无效'),
    status: z.enum(['收费', '停止'], { message: '请选择收费状态' }),
    sort_order: z.string().trim().regex(/^-?\d{1,6}$/, '排序须为整数').transform(Number),
    /** 逾期可缴: still payable after 收费终止. */
    payable_after_end: tick,
    /** 选缴: nobody is billed until they choose it on 其他费用; then billed offer_amount in offer_period. */
    optional: tick,
    offer_period: z.string().optional().default('').refine((v) => !v || ID_PATTERN.test(v), '请选择选缴期间'),
    offer_amount: z.string().trim().max(20, '金额须为大于0且最多两位小数的数字').optional().default(''),
    offer_audience: z.enum(['all', 'student', 'staff', 'external'], { message: '请选择选缴对象' }).optional().default('all'),
  })
  .refine((f) => !f.starts_at || !f.ends_at || f.starts_at < f.ends_at, { message: '收费终止须晚于收费起始', path: ['ends_at'] })
  .refine((f) => !f.payable_after_end || f.ends_at, { message: '逾期可缴的项目须填写收费终止', path: ['payable_after_end'] })
  .refine((f) => !f.optional || f.fee_type === '其他费用', { message: '选缴项目的收费类型须为其他费用', path: ['optional'] })
  .refine((f) => !f.optional || f.offer_period, { message: '请选择选缴期间', path: ['offer_period'] })
  .transform((f, ctx) => {
    const amount = f.optional ? parseAmount(f.offer_amount.replace(/,/g, '')) : null;
    if (f.optional && (!amount || amount.isZero())) {
      ctx.addIssue({ code: 'custom', path: ['offer_amount'], message: '选缴金额须为大于0且最多两位小数的数字' });
      return z.NEVER;
    }
    const { offer_period, offer_amount: _typed, offer_audience, ...item } = f;
    return {
      ...item,
      offer_period_id: f.optional ? Number(offer_period) : null,
      offer_amount: amount ? amount.toFixed(2) : null,
      offer_audience: f.optional ? offer_audience : 'all',
    };
  });

export const billRunForm = z
  .object({
    period: z.string().regex(ID_PATTERN, '请选择收费期间').transform(Number),
    item: z.string().regex(ID_PATTERN, '请选择收费项目').transform(Number),
    target: z.enum(['college', 'class', 'list'], { message: '请选择开单对象' }),
    college: z.string().optional().default(''),
    klass: z.string().optional().default(''),
    numbers: z.string().max(200_000, '名单过长').optional().default(''),
    amount: positiveAmount,
    reason,
  })
  .superRefine((f, ctx) => {
    if (f.target === 'college' && !ID_PATTERN.test(f.college)) ctx.addIssue({ code: 'custom', path: ['college'], message: '请选择学院' });
    if (f.target === 'class' && !ID_PATTERN.test(f.klass)) ctx.addIssue({ code: 'custom', path: ['klass'], message: '请选择班级' });
    if (f.target === 'list' && !f.numbers.trim()) ctx.addIssue({ code: 'custom', path: ['numbers'], message: '请输入学号名单' });
  });

export const adjustForm = z.object({
  bill: z.string().regex(ID_PATTERN, '请选择账单').transform(Number),
  kind: z.enum(['reduction', 'adjustment'], { message: '请选择调整类型' }),
  amount: signedAmount,
  reason,
});
