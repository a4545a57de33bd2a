import { z } from 'zod';

export const loginSchema = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(32, '用户名不正确'),
  password: z.string().min(1, '请输入密码').max(72, '密码不正确'),
  // Only sent when the form showed the field (throttle.ts decides when it must).
  captcha: z.string().trim().max(10, '验证码不正确').default(''),
});
