import { z } from 'zod';
import { optionalLocalTime } from '../fees/schemas';

export const announcementForm = z
  .object({
    title: z.string().trim().min(1, '请输入标题').max(200, '标题不能超过200字'),
    body: z.string().trim().min(1, '请输入公告内容').max(5000, '内容不能超过5000字'),
    publish_from: optionalLocalTime('发布开始时间无效'),
    publish_until: optionalLocalTime('发布结束时间无效'),
  })
  .refine((f) => !f.publish_from || !f.publish_until || f.publish_from < f.publish_until, { message: '结束时间须晚于开始时间', path: ['publish_until'] });

export const announcementAction = z.object({ action: z.enum(['save', 'publish', 'withdraw'], { message: '操作无效' }) });
