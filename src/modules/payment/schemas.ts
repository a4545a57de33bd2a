import { z } from 'zod';
import { isOrderNo } from '../../domain/order-number';
import type { FeeType } from '../../domain/payable';

const id = z.string().regex(/^[1-9]\d{0,8}$/).transform(Number);
/** A field that may come once or repeated (checkbox groups). */
const many = <T extends z.ZodType>(item: T) =>
  z.union([item.transform((v) => [v]), z.array(item)]).optional().transform((v) => (v ?? []) as z.infer<T>[]);

export const category = z.enum(['财政', '代收'], { message: '请点击“财政项目缴费”或“代收项目缴费”' });

/**
 * Which tab's wizard: `fee=other` is 其他费用's, absent 学费缴费's (the links 学费缴费 has always
 * made). One wizard, its bills of that fee type only (src/domain/payable.ts).
 */
export const feeTab = z.enum(['other'], { message: '收费类型无效' }).optional()
  .transform((v): FeeType => (v === 'other' ? '其他费用' : '学费'));

/** The `fee` field that names `feeType`'s wizard in links and forms ('' for 学费缴费's). */
export const feeParam = (feeType: FeeType) => (feeType === '其他费用' ? 'other' : '');

/** 应交款明细表 → 缴费信息修改: which periods and which payee. */
export const itemsQuery = z.object({
  fee: feeTab,
  category,
  period: many(id).refine((v) => v.length > 0 && v.length <= 20, '请选择收费区间'),
  // One bill to tick alone (报名信息's 去缴费 leads here with the sign-up's bill); the others of
  // the period are shown unticked. Not a bill of the person's or not payable: ignored.
  bill: id.optional().catch(undefined),
});

/** 缴费信息修改's form: checked bills and the typed amounts (amount_<billId>), parsed by the service. */
export const itemsForm = z.object({
  fee: feeTab,
  category,
  period: many(id),
  bill: many(id),
});

/** Extracts amount_<billId> fields as typed; their content is judged by validateSelection. */
export function typedAmounts(body: unknown): Map<number, string> {
  const out = new Map<number, string>();
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body)) {
    const m = /^amount_([1-9]\d{0,8})$/.exec(k);
    if (m && typeof v === 'string') out.set(Number(m[1]), v.slice(0, 32));
  }
  return out;
}

/** What the wizard keeps in the session between 缴费信息修改 and 下一步. */
export const wizardState = z.object({
  /** A wizard begun before fee types were kept is 学费缴费's, the only one there was. */
  feeType: z.enum(['学费', '其他费用']).default('学费'),
  category,
  periods: z.array(z.number().int().positive()),
  lines: z.array(z.object({ billId: z.number().int().positive(), amount: z.string() })).min(1),
});
export type WizardState = z.input<typeof wizardState>;

/** The wizard's fee type (学费 for one kept from before fee types were). */
export const feeTypeOf = (w: Pick<WizardState, 'feeType'>): FeeType => w.feeType ?? '学费';

/** 其他费用's 选缴: the optional items ticked (fee item ids). */
export const chooseForm = z.object({
  item: many(id).refine((v) => v.length > 0, '请勾选要选缴的项目').refine((v) => v.length <= 20, '一次最多选缴20个项目'),
});

export const orderNoParam = z.string().refine(isOrderNo);

/**
 * 交费信息显示's 下一步: `replace`, the live orders the payer chose to cancel for this new one
 * (comma separated, as the offer named them); absent when nothing was offered.
 */
export const buildForm = z.object({
  replace: z.string().max(400).optional().refine((v) => !v || v.split(',').every(isOrderNo), '请重新选择缴费项目')
    .transform((v) => (v ? v.split(',') : [])),
});

export const submitForm = z.object({
  channel: z.string({ message: '请选择支付方式' }).min(1, '请选择支付方式').max(16),
  /**
   * 仍使用…缴费: the ids of the still-payable attempts the warning showed, comma separated;
   * absent on an ordinary 确定缴费. Only the attempts named here are taken as acknowledged.
   */
  acknowledge: z.string().regex(/^[1-9]\d{0,17}(,[1-9]\d{0,17}){0,19}$/, '请重新选择支付方式').optional()
    .transform((v) => (v ? v.split(',') : [])),
  /** 在电脑上扫码支付: a phone asks for the QR code rather than the channel's mobile payment. */
  mode: z.enum(['qr'], { message: '请选择支付方式' }).optional(),
});

export const mobileForm = z.object({ mobile: z.string().regex(/^1[3-9]\d{9}$/, '请输入11位手机号码') });
