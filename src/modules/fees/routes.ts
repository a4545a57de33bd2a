import { Router } from 'express';
import { pageReadFor } from '../../http/page-reads';
import { parseQuery } from '../../http/query';
import { currentFeesRead } from './page-reads';
import { currentFeesQuery } from './schemas';
import type { FeesService } from './service';

export function feesRoutes(deps: { fees: FeesService }) {
  const r = Router();

  r.get('/fees', async (req, res) => {
    const { data, errors } = parseQuery(currentFeesQuery, req.query);
    const view = await deps.fees.currentFees(req.user!.personId, data, new Date(), pageReadFor(req, currentFeesRead));
    res.render('fees/current', { title: '当前费用', crumbs: ['欠费信息'], nav: 'fees', ...view, notices: [...errors, ...view.notices] });
  });

  return r;
}
