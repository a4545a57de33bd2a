// 报名信息's forms: the console's 报名项目 (with up to EXTRA_FIELDS_MAX extra fields, posted as rows
// field_label_N / field_required_N / field_max_N) and a sign-up, whose schema is built from the
// 报名项目's own field definitions.
import { z } from 'zod';
import { ID_PATTERN } from '../../domain/ids';
import { AUDIENCE_LABEL, EXTRA_FIELD_MAX, EXTRA_FIELDS_MAX, type ExtraField } from '../../domain/enrolment';
import { positiveAmount } from '../console/schemas';
import { optionalLocalTime } from '../console/fees/schemas';
import { M } from './messages';

const requiredTime = (msg: string) => optionalLocalTime(msg).refine((d): d is Date => d !== null, { message: msg });
const wholeNumber = (msg: string, min: number, max: number) =>
  z.string({ message: msg }).trim().regex(/^\d{1,6}$/, msg).transform(Number).refine((n) => n >= min && n <= max, { message: msg });

export const FIELD_ROWS = Array.from({ length: EXTRA_FIELDS_MAX }, (_, i) => i + 1);

/** The filled rows of the extra-field table (a row without a label is left out). */
function extraFields(raw: Record<string, unknown>): { n: number; field: ExtraField; badMax: boolean }[] {
  const out: { n: number; field: ExtraField; badMax: boolean }[] = [];
  for (const n of FIELD_ROWS) {
    const label = String(raw[`field_label_${n}`] ?? '').trim();
    if (!label) continue;
    const max = String(raw[`field_max_${n}`] ?? '').trim();
    const maxLength = max === '' ? 50 : /^\d{1,3}$/.test(max) ? Number(max) : NaN;
    out.push({ n, field: { key: `f${n}`, label, required: raw[`field_required_${n}`] === '1', maxLength }, badMax: !(maxLength >= 1 && maxLength <= EXTRA_FIELD_MAX) });
  }
  return out;
}

export const projectForm = z
  .object({
    name: z.string().trim().min(1, M.nameMissing).max(100, M.nameLong),
    description: z.string().trim().max(2000, M.descriptionLong).optional().default(''),
    audience: z.enum(Object.keys(AUDIENCE_LABEL) as [keyof typeof AUDIENCE_LABEL], { message: M.audienceMissing }),
    opens_at: requiredTime(M.opensMissing),
    closes_at: requiredTime(M.closesMissing),
    quota: wholeNumber(M.quotaBad, 1, 100_000),
    hold_minutes: wholeNumber(M.holdBad, 1, 7 * 24 * 60),
    free: z.literal('1').optional(),
    fee_item: z.string().optional().default(''),
    period: z.string().optional().default(''),
    amount: z.string().optional().default(''),
  })
  .passthrough()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    for (const { n, field, badMax } of extraFields(f as Record<string, unknown>)) {
      if (field.label.length > 20) ctx.addIssue({ code: 'custom', path: [`field_label_${n}`], message: M.fieldLabelLong });
      if (badMax) ctx.addIssue({ code: 'custom', path: [`field_max_${n}`], message: M.fieldMaxBad });
      if (seen.has(field.label)) ctx.addIssue({ code: 'custom', path: [`field_label_${n}`], message: M.fieldLabelTwice });
      seen.add(field.label);
    }
    if (f.opens_at && f.closes_at && f.opens_at >= f.closes_at) ctx.addIssue({ code: 'custom', path: ['closes_at'], message: M.windowBad });
    if (f.free) return;
    if (!ID_PATTERN.test(f.fee_item)) ctx.addIssue({ code: 'custom', path: ['fee_item'], message: M.feeItemMissing });
    if (!ID_PATTERN.test(f.period)) ctx.addIssue({ code: 'custom', path: ['period'], message: M.periodMissing });
    if (!positiveAmount.safeParse(f.amount).success) ctx.addIssue({ code: 'custom', path: ['amount'], message: M.amountBad });
  })
  .transform((f) => {
    const fields = extraFields(f as Record<string, unknown>).map(({ field }) => field);
    const amount = f.free ? null : positiveAmount.safeParse(f.amount).data ?? null;
    return {
      name: f.name, description: f.description, audience: f.audience, opensAt: f.opens_at!, closesAt: f.closes_at!, quota: f.quota, holdMinutes: f.hold_minutes,
      feeItemId: f.free ? null : Number(f.fee_item), periodId: f.free ? null : Number(f.period), amount, fields,
    };
  });

export type ProjectForm = z.infer<typeof projectForm>;

/** The sign-up form of one 报名项目: each extra field as its definition says (required, max length). */
export function signupSchema(fields: readonly ExtraField[]) {
  const shape: Record<string, z.ZodString> = {};
  for (const f of fields) {
    const text = z.string().trim().max(f.maxLength, M.answerLong(f.label, f.maxLength));
    shape[f.key] = f.required ? text.min(1, M.answerMissing(f.label)) : text;
  }
  // A field missing from the post altogether reads as empty, so a required one says so in words.
  return z.preprocess((v) => ({ ...Object.fromEntries(fields.map((f) => [f.key, ''])), ...(v as object) }), z.object(shape));
}

export const cancelForm = z.object({
  reason: z.string({ message: M.reasonMissing }).trim().min(2, M.reasonMissing).max(200, M.reasonLong),
});
