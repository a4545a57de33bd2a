import { z } from 'zod';

export const passwordChangeSchema = z
  .object({
    current: z.string().min(1, '请输入原始密码').max(72, '原始密码不正确'),
    next: z.string().min(1, '请输入新密码').max(72, '密码不能超过72位'),
    confirm: z.string().min(1, '请再次输入新密码'),
  })
  .refine((v) => v.next === v.confirm, { message: '两次输入的新密码不一致', path: ['confirm'] });
