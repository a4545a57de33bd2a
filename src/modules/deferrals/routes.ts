// 缓缴 and 助学贷款 in the console: a deferral on the person page (finance grants it, a college's
// staff asks for it), 缓缴管理 (the requests finance approves or rejects), a loan recorded by hand,
// and 贷款结余退款 (the bank batch file and each refund's state). The import of a disbursement file
// is on 数据导入 (modules/console/imports). Changes of money and every decision are finance only;
// department staff reach only their own college's students (the scope is applied in SQL).
import { Router, type Request, type Response } from 'express';
import { AppError } from '../../domain/app-error';
import { formAction, type FormRefusal } from '../../http/form-route';
import { requireRole } from '../../http/guards';
import { pathId } from '../../http/params';
import { parseQuery } from '../../http/query';
import { actorOf, scopeOf } from '../console/context';
import { renderPerson } from '../console/people/render';
import type { PeopleService } from '../console/people/service';
import { DONE_DEFERRAL, M } from './messages';
import { decisionForm, deferralCheck, deferralListQuery, loanForm, refundListQuery, refundStateForm } from './schemas';
import type { DeferralsService } from './service';

const done = (q: unknown) => (typeof q === 'string' && Object.hasOwn(DONE_DEFERRAL, q) ? [DONE_DEFERRAL[q]!] : []);

export function deferralRoutes(deps: { deferrals: DeferralsService; people: PeopleService }) {
  const r = Router();
  const finance = requireRole('finance_admin');
  const { deferrals } = deps;

  const personForm = (form: 'deferral' | 'loan') => (req: Request, res: Response, f: FormRefusal, personId: number) =>
    renderPerson(req, res, deps.people, personId, { status: f.status, state: { form, values: f.values, errors: f.errors, error: f.error } });

  r.post('/people/:id/deferrals', formAction({
    load: (req) => pathId(req),
    schema: deferralCheck,
    render: personForm('deferral'),
    run: (d, req, personId) => deferrals.grant(actorOf(req), scopeOf(req.user!), personId, d),
    redirect: (out, _d, personId) => `/console/people/${personId}?done=${out.status === 'approved' ? 'deferred' : 'requested'}`,
  }));

  r.post('/people/:id/loans', finance, formAction({
    load: (req) => pathId(req),
    schema: loanForm,
    render: personForm('loan'),
    run: (d, req, personId) => deferrals.recordLoan(actorOf(req), personId, d),
    redirect: (_out, _d, personId) => `/console/people/${personId}?done=loan`,
  }));

  const listPage = async (req: Request, res: Response, extra: { status?: number; error?: string } = {}) => {
    const { data, errors } = parseQuery(deferralListQuery, req.query);
    const rows = await deferrals.list(scopeOf(req.user!), data.status);
    res.status(extra.status ?? 200).render('console/deferrals/index', {
      title: '缓缴管理', crumbs: ['管理控制台', '缓缴管理'], nav: 'console-deferrals', rows, q: data, isFinance: req.user!.role === 'finance_admin',
      notices: [...errors, ...done(req.query.done)], error: extra.error,
    });
  };
  r.get('/deferrals', (req, res) => listPage(req, res));

  r.post('/deferrals/:id/decision', finance, formAction({
    load: (req) => pathId(req),
    schema: decisionForm,
    render: (req, res, f) => listPage(req, res, { status: f.status, error: f.error ?? Object.values(f.errors)[0] }),
    run: (d, req, id) => deferrals.decide(actorOf(req), id, d.decision),
    redirect: (out) => `/console/deferrals?done=${out.decision === 'approve' ? 'approved' : 'rejected'}`,
  }));

  const refundsPage = async (req: Request, res: Response, extra: { status?: number; error?: string } = {}) => {
    const { data, errors } = parseQuery(refundListQuery, req.query);
    const view = await deferrals.refunds(data.status);
    res.status(extra.status ?? 200).render('console/deferrals/refunds', {
      title: '贷款结余退款', crumbs: ['管理控制台', '贷款结余退款'], nav: 'console-loan-refunds', ...view, q: data,
      notices: [...errors, ...done(req.query.done)], error: extra.error,
    });
  };
  r.get('/loan-refunds', finance, (req, res) => refundsPage(req, res));

  r.post('/loan-refunds/export', finance, async (req, res) => {
    try {
      const out = await deferrals.exportBatch(actorOf(req));
      res.redirect(303, `/console/loan-refunds?done=exported#batch-${out.batchId}`);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      await refundsPage(req, res, { status: 409, error: e.message });
    }
  });

  r.get('/loan-refunds/batches/:id/file.csv', finance, async (req, res) => {
    const id = pathId(req);
    const file = await deferrals.batchFile(id);
    if (file === undefined) throw new AppError('not_found', M.batchGone);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="loan-refunds-${id}.csv"`);
    res.send(file);
  });

  r.post('/loan-refunds/:id/state', finance, formAction({
    load: (req) => pathId(req),
    schema: refundStateForm,
    render: (req, res, f) => refundsPage(req, res, { status: f.status, error: f.error ?? Object.values(f.errors)[0] }),
    run: (d, req, id) => deferrals.setRefundState(actorOf(req), id, d.version, d.state, d.note),
    redirect: '/console/loan-refunds?done=state',
  }));

  return r;
}
