// The forms of 缓缴, 助学贷款 and 贷款结余退款: every field through zod.
import { z } from 'zod';
import { DEFERRAL_KINDS, isDay, LOAN_KINDS } from '../../domain/deferral';
import { ID_PATTERN } from '../../domain/ids';
import type { Decimal } from '../../domain/money';
import { type FieldErrors, type Parsed, parse } from '../../http/validate';
import { positiveAmount, reason } from '../console/schemas';

const day = (msg: string) => z.string({ message: msg }).trim().refine(isDay, msg);

export const deferralForm = z.object({
  kind: z.enum(DEFERRAL_KINDS, { message: '请选择缓缴类型' }),
  expected: day('预计到账日期格式应为 2026-10-31'),
  reason,
});

/** One amount field per bill, named defer_<billId>. */
const AMOUNT_FIELD = new RegExp(`^defer_(${ID_PATTERN.source.slice(1, -1)})$`);

export type DeferralInput = z.infer<typeof deferralForm> & { lines: { billId: number; amount: Decimal }[] };

/** The kind, date and reason, and every bill's deferred amount; an empty amount means "not this bill". */
export function deferralCheck(values: Record<string, string>): Parsed<DeferralInput> {
  const errors: FieldErrors = {};
  const form = parse(deferralForm, values);
  if (!form.ok) Object.assign(errors, form.errors);
  const lines: DeferralInput['lines'] = [];
  for (const [k, v] of Object.entries(values)) {
    const m = AMOUNT_FIELD.exec(k);
    if (!m || !v.trim()) continue;
    const a = positiveAmount.safeParse(v);
    if (a.success) lines.push({ billId: Number(m[1]), amount: a.data });
    else errors[k] = a.error.issues[0]!.message;
  }
  if (!form.ok || Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, data: { ...form.data, lines } };
}

export const decisionForm = z.object({ decision: z.enum(['approve', 'reject'], { message: '请选择批准或驳回' }) });

export const loanForm = z.object({
  kind: z.enum(LOAN_KINDS, { message: '请选择贷款类型' }),
  amount: positiveAmount,
  arrived: day('到账日期格式应为 2026-09-01'),
});

export const refundStateForm = z.object({
  state: z.enum(['paid', 'failed'], { message: '请选择已到账或失败' }),
  version: z.string().regex(/^\d{1,9}$/, '版本无效').transform(Number),
  note: z.string().trim().max(200, '说明不能超过200字').optional().default(''),
});

export const deferralListQuery = z.object({
  status: z.enum(['requested', 'approved', 'rejected', 'settled', 'expired', ''], { message: '状态无效' }).optional().transform((v) => v || undefined),
});

export const refundListQuery = z.object({
  status: z.enum(['pending', 'exported', 'paid', 'failed', ''], { message: '状态无效' }).optional().transform((v) => v || undefined),
});
