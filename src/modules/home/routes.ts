import { Router } from 'express';
import type { AnnouncementRepo } from '../announcements/repo';
import { pageReadFor } from '../../http/page-reads';
import { openArrearsRead } from '../fees/page-reads';
import type { FeesService } from '../fees/service';

export function homeRoutes(deps: { fees: FeesService; announcements: AnnouncementRepo }) {
  const r = Router();

  r.get('/', async (req, res) => {
    const user = req.user!;
    if (user.role === 'finance_admin' || user.role === 'dept_staff') {
      // Staff have no bills of their own here; the console is their home.
      return res.redirect(303, '/console');
    }
    const [arrears, announcements] = await Promise.all([
      deps.fees.openArrears(user.personId, new Date(), pageReadFor(req, openArrearsRead)),
      deps.announcements.published(new Date()),
    ]);
    const notices = req.query.changed === '1' ? ['密码修改成功'] : [];
    res.render('home/index', { title: '首页', crumbs: ['首页'], nav: 'home', ...arrears, announcements, notices });
  });

  return r;
}
