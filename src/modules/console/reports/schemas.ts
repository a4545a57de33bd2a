import { z } from 'zod';
import { optionalId, page } from '../schemas';

export const reportQuery = z.object({
  by: z.enum(['college', 'class', 'period', 'item'], { message: '统计口径无效' }).optional().default('college'),
  period: optionalId('收费期间无效'),
  item: optionalId('收费项目无效'),
  college: optionalId('学院无效'),
  klass: optionalId('班级无效'),
  sort: z.enum(['name', 'heads', 'due', 'reduction', 'paid', 'refunded', 'arrears', 'deferred', 'realArrears', 'inArrears'], { message: '排序字段无效' }).optional().default('name'),
  dir: z.enum(['asc', 'desc'], { message: '排序方向无效' }).optional().default('asc'),
  page,
});

export type ReportQuery = z.infer<typeof reportQuery>;
