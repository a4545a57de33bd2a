import { z } from 'zod';

/** An optional numeric id from a select box: '' or absent means "all". */
const optionalId = (msg: string) =>
  z.string().optional()
    .refine((v) => !v || /^[1-9]\d{0,8}$/.test(v), msg)
    .transform((v) => (v ? Number(v) : undefined));

export const currentFeesQuery = z.object({
  period: optionalId('收费期间无效'),
  item: optionalId('收费项目无效'),
  expired: z.enum(['1', 'on'], { message: '显示过期项目参数无效' }).optional().transform((v) => v !== undefined),
  page: z.string().optional()
    .refine((v) => !v || /^[1-9]\d{0,5}$/.test(v), '页码无效')
    .transform((v) => (v ? Number(v) : 1)),
});

export type CurrentFeesQuery = z.infer<typeof currentFeesQuery>;
