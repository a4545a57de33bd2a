import type { RequestHandler } from 'express';

/**
 * Every page and file the app itself answers is kept out of every cache: after 退出登录 the
 * browser's Back must not show the previous person's 个人信息 (the full 身份证号 to its owner),
 * 当前费用 or a console export, and a shared campus proxy must never hand one student's page to
 * another. Mounted after the static files, which keep their own caching.
 */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};
