// Fields that recur across the console's forms and queries.
import { z } from 'zod';
import { ID_PATTERN, idPattern } from '../../domain/ids';
import { type Decimal, parseAmount } from '../../domain/money';
import { type FieldErrors, type Parsed, parse } from '../../http/validate';

/** A page number in a pager link: up to six digits. */
const PAGE_PATTERN = idPattern(6);

export const page = z
  .union([z.literal(''), z.string().regex(PAGE_PATTERN, '页码无效').transform(Number)])
  .optional()
  .transform((v) => (v === '' || v === undefined ? 1 : v));

// Not a z.union of '' and the pattern: a union that fails reports only zod's generic 无效输入,
// never the message given here.
export const optionalId = (msg: string) =>
  z
    .string()
    .optional()
    .refine((v) => !v || ID_PATTERN.test(v), msg)
    .transform((v) => (v ? Number(v) : undefined));

export const id = (msg = '编号无效') => z.string().regex(ID_PATTERN, msg).transform(Number);

/** Every change to money or to an account says why; the reason goes to the ledger and the audit log. */
export const reason = z
  .string({ message: '请填写原因' })
  .trim()
  .min(2, '请填写原因（至少2个字）')
  .max(200, '原因不能超过200字');

/** A positive amount in yuan with at most two decimals, kept as Decimal. */
export const positiveAmount = z
  .string({ message: '请输入金额' })
  .trim()
  .transform((s, ctx) => {
    const d = parseAmount(s.replace(/,/g, ''));
    if (!d || d.isZero()) {
      ctx.addIssue({ code: 'custom', message: '金额须为大于0且最多两位小数的数字' });
      return z.NEVER;
    }
    return d;
  });

/** A signed amount (corrections may lower what is due). */
export const signedAmount = z
  .string({ message: '请输入金额' })
  .trim()
  .transform((s, ctx) => {
    const neg = s.startsWith('-');
    const d = parseAmount((neg ? s.slice(1) : s).replace(/,/g, ''));
    if (!d || d.isZero()) {
      ctx.addIssue({ code: 'custom', message: '金额须为非零且最多两位小数的数字，减少时在前面加“-”' });
      return z.NEVER;
    }
    return neg ? d.negated() : d;
  });

/** A yyyy-mm-dd day in Asia/Shanghai, for date filters. */
export const optionalDay = (msg = '日期格式应为 2020-01-20') =>
  z
    .union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, msg).refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00+08:00`)), msg)])
    .optional()
    .transform((v) => (v === '' ? undefined : v));

/**
 * A form of one schema's fields plus an amount per bill (`<prefix>_<billId>`, as the person page's
 * 柜台收费 and 办理缓缴 forms post them): the fields, and every bill's amount; an empty amount
 * means "not this bill".
 */
export function withBillAmounts<S extends z.ZodType<Record<string, unknown>>>(schema: S, prefix: string, values: Record<string, string>): Parsed<z.infer<S> & { lines: { billId: number; amount: Decimal }[] }> {
  const field = new RegExp(`^${prefix}_(${ID_PATTERN.source.slice(1, -1)})$`);
  const errors: FieldErrors = {};
  const form = parse(schema, values);
  if (!form.ok) Object.assign(errors, form.errors);
  const lines: { billId: number; amount: Decimal }[] = [];
  for (const [k, v] of Object.entries(values)) {
    const m = field.exec(k);
    if (!m || !v.trim()) continue;
    const a = positiveAmount.safeParse(v);
    if (a.success) lines.push({ billId: Number(m[1]), amount: a.data });
    else errors[k] = a.error.issues[0]!.message;
  }
  if (!form.ok || Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, data: { ...form.data, lines } };
}
