// Tabs whose feature is not open yet (其他费用、生活缴费暂未开放; 报名信息 opened by issue 17), each saying so plainly
// rather than showing a broken page.
import { Router } from 'express';

export const NOT_OPEN_TABS: Record<string, string> = {
  '/other-fees': '其他费用',
  '/life': '生活缴费',
};

export function placeholderRoutes(tabs: Record<string, string>) {
  const r = Router();
  for (const [path, title] of Object.entries(tabs)) {
    r.get(path, (_req, res) => res.render('placeholder', { title, crumbs: [title], nav: path.slice(1) }));
  }
  return r;
}
