// Tabs whose feature is not open yet (the manual's (七): 生活缴费暂未开放), saying so plainly rather
// than showing a broken page. 其他费用 (modules/payment/other-routes.ts) and 报名信息 are open.
import { Router } from 'express';

export const NOT_OPEN_TABS: Record<string, string> = {
  '/life': '生活缴费',
};

export function placeholderRoutes(tabs: Record<string, string>) {
  const r = Router();
  for (const [path, title] of Object.entries(tabs)) {
    r.get(path, (_req, res) => res.render('placeholder', { title, crumbs: [title], nav: path.slice(1) }));
  }
  return r;
}
