// Tabs whose feature is not open yet (其他费用、生活缴费、报名信息暂未开放), each saying so plainly
// rather than showing a broken page.
import { Router } from 'express';

export const NOT_OPEN_TABS: Record<string, string> = {
  '/other-fees': '其他费用',
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
