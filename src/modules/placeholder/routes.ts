// Tabs whose feature is not open yet (the manual's (七): 生活缴费、报名信息暂未开放), each saying so
// plainly rather than showing a broken page. 其他费用 is open (modules/payment/other-routes.ts).
import { Router } from 'express';

export const NOT_OPEN_TABS: Record<string, string> = {
  '/life': '生活缴费',
  '/enrolment': '报名信息',
};

export function placeholderRoutes(tabs: Record<string, string>) {
  const r = Router();
  for (const [path, title] of Object.entries(tabs)) {
    r.get(path, (_req, res) => res.render('placeholder', { title, crumbs: [title], nav: path.slice(1) }));
  }
  return r;
}
