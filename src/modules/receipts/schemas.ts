import { z } from 'zod';
import { idPattern } from '../../domain/ids';

const PAGE_PATTERN = idPattern(6);

/** 费用类型 as the select shows it (图24): 学费交费 / 其他费用. */
export const FEE_TYPES = { tuition: { label: '学费交费', feeType: '学费' }, other: { label: '其他费用', feeType: '其他费用' } } as const;
export type FeeTypeKey = keyof typeof FEE_TYPES;

// Each field is an optional string checked by refine, so a bad value carries its own Chinese
// message (a zod union would only say "Invalid input") and '' means "not given".
const DAY = /^(\d{4})-?(\d{2})-?(\d{2})$/;

/** 2020-01-20 or 20200120, and a real calendar day. */
function isDay(s: string): boolean {
  const m = DAY.exec(s);
  if (!m) return false;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

const day = (msg: string) =>
  z.string().optional()
    .refine((v) => !v || isDay(v), msg)
    .transform((v) => (v ? v.replace(DAY, '$1-$2-$3') : undefined));

const page = z.string().optional()
  .refine((v) => !v || PAGE_PATTERN.test(v), '页码无效')
  .transform((v) => (v ? Number(v) : 1));

export const receiptsQuery = z.object({
  // Not given (or dropped as nonsense): undefined, and the service opens the person's own first
  // fee type (receipts/service.ts), so 其他费用-only payers do not land on an empty 学费交费.
  type: z.string().optional()
    .refine((v) => !v || Object.hasOwn(FEE_TYPES, v), '费用类型无效')
    .transform((v): FeeTypeKey | undefined => (v ? (v as FeeTypeKey) : undefined)),
  from: day('收费日期（起）格式应为 2020-01-20'),
  to: day('收费日期（止）格式应为 2020-01-20'),
  // 收费单号 is six digits; a shorter number is the same receipt without its leading zeros.
  no: z.string().optional()
    .refine((v) => !v || /^\d{1,6}$/.test(v), '收费单号应为不超过6位的数字')
    .transform((v) => (v ? v.padStart(6, '0') : undefined)),
  page,
});

export type ReceiptsQuery = z.infer<typeof receiptsQuery>;

export const pageQuery = z.object({ page });

export const RECEIPT_NO = /^\d{6}$/;
