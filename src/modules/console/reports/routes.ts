import { Router } from 'express';
import { parseQuery } from '../../../http/query';
import { scopeOf } from '../context';
import { reportQuery } from './schemas';
import { COLUMNS, GROUP_LABEL, type ReportsService } from './service';

export function reportsRoutes(deps: { reports: ReportsService }) {
  const r = Router();

  r.get('/', async (req, res) => {
    const view = await deps.reports.dashboard(scopeOf(req.user!));
    res.render('console/dashboard', { title: '工作台', crumbs: ['管理控制台', '工作台'], nav: 'console-home', ...view });
  });

  r.get('/reports', async (req, res) => {
    const { data, errors } = parseQuery(reportQuery, req.query);
    const view = await deps.reports.report(scopeOf(req.user!), data);
    res.render('console/reports/index', {
      title: '欠费报表', crumbs: ['管理控制台', '欠费报表'], nav: 'console-reports', q: data, ...view,
      notices: [...errors, ...view.notices], COLUMNS, GROUP_LABEL, isFinance: req.user!.role === 'finance_admin',
    });
  });

  r.get('/reports.csv', async (req, res) => {
    const { data } = parseQuery(reportQuery, req.query);
    const { fileName, body } = await deps.reports.csv(scopeOf(req.user!), data);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="report.csv"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
    res.send(body);
  });

  return r;
}
