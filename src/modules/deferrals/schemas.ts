// The forms of 缓缴, 助学贷款 and 贷款结余退款: every field through zod.
import { z } from 'zod';
import { DEFERRAL_KINDS, isDay, LOAN_KINDS } from '../../domain/deferral';
import type { Decimal } from '../../domain/money';
import type { Parsed } from '../../http/validate';
import { positiveAmount, reason, withBillAmounts } from '../console/schemas';

const day = (msg: string) => z.string({ message: msg }).trim().refine(isDay, msg);

export const deferralForm = z.object({
  kind: z.enum(DEFERRAL_KINDS, { message: '请选择缓缴类型' }),
  expected: day('预计到账日期格式应为 2026-10-31'),
  reason,
});

/** One amount field per bill, named defer_<billId>. */

export type DeferralInput = z.infer<typeof deferralForm> & { lines: { billId: number; amount: Decimal }[] };

/** The kind, date and reason, and every bill's deferred amount; an empty amount means "not this bill". */
export function deferralCheck(values: Record<string, string>): Parsed<DeferralInput> {
  return withBillAmounts(deferralForm, 'defer', values);
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
