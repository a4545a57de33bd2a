import { z } from 'zod';

const optionalId = (msg: string) =>
  z.union([z.literal(''), z.string().regex(/^[1-9]\d{0,8}$/, msg).transform(Number)]).optional()
    .transform((v) => (v === '' ? undefined : v));

export const currentFeesQuery = z.object({
  period: optionalId('收费期间无效'),
  item: optionalId('收费项目无效'),
  expired: z.enum(['1', 'on']).optional().transform((v) => v !== undefined),
  page: z.union([z.literal(''), z.string().regex(/^[1-9]\d{0,5}$/, '页码无效').transform(Number)]).optional()
    .transform((v) => (v === '' || v === undefined ? 1 : v)),
});

export type CurrentFeesQuery = z.infer<typeof currentFeesQuery>;
