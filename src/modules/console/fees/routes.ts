import { Router, type Request, type Response } from 'express';
import { AppError } from '../../../domain/app-error';
import { businessDateTime } from '../../../domain/business-date';
import { PAGE_NOT_FOUND } from '../../../http/errors';
import { formAction } from '../../../http/form-route';
import { requireRole } from '../../../http/guards';
import { optionalPathId, pathId } from '../../../http/params';
import type { FieldErrors } from '../../../http/validate';
import { actorOf, scopeOf } from '../context';
import { doneNotice } from '../messages';
import { renderPerson } from '../people/render';
import type { PeopleService } from '../people/service';
import { adjustForm, billRunForm, itemForm, periodForm } from './schemas';
import type { ConsoleFeesService } from './service';

/** An instant as the datetime-local input wants it, in Shanghai wall time. */
const localInput = (d: Date | null) => (d ? businessDateTime(d).replace(' ', 'T').slice(0, 16) : '');

export function consoleFeesRoutes(deps: { fees: ConsoleFeesService; people: PeopleService }) {
  const r = Router();
  const finance = requireRole('finance_admin');
  const { fees } = deps;

  const index = async (req: Request, res: Response, extra: { status?: number; notices?: string[]; error?: string; errors?: FieldErrors; values?: Record<string, string>; result?: unknown } = {}) => {
    const [periods, items, colleges, classes] = await Promise.all([fees.repo.periods(), fees.repo.items(), fees.repo.colleges(), fees.repo.classes()]);
    res.status(extra.status ?? 200).render('console/fees/index', {
      title: '收费项目与开单', crumbs: ['管理控制台', '收费项目与开单'], nav: 'console-fees', periods, items, colleges, classes,
      notices: extra.notices ?? doneNotice(req.query.done), error: extra.error, errors: extra.errors ?? {}, values: extra.values ?? {}, result: extra.result ?? null,
    });
  };

  r.get('/fees', finance, (req, res) => index(req, res));

  // 收费期间
  const periodPage = (res: Response, periodId: number | null, values: Record<string, string>, errors: FieldErrors = {}, status = 200) =>
    res.status(status).render('console/fees/period', { title: periodId ? '修改收费期间' : '新增收费期间', crumbs: ['管理控制台', '收费项目与开单', periodId ? '修改收费期间' : '新增收费期间'], nav: 'console-fees', periodId, values, errors });

  r.get('/fees/periods/new', finance, (_req, res) => periodPage(res, null, { sort_order: '0' }));
  r.get('/fees/periods/:id', finance, async (req, res) => {
    const p = await fees.repo.period(pathId(req));
    if (!p) throw new AppError('not_found', PAGE_NOT_FOUND);
    periodPage(res, p.id, { name: p.name, sort_order: String(p.sort_order) });
  });
  r.post(['/fees/periods', '/fees/periods/:id'], finance, formAction({
    load: (req) => optionalPathId(req),
    schema: periodForm,
    render: (_req, res, f, periodId) => periodPage(res, periodId, f.values, f.errors, f.status),
    run: (data, req, periodId) => fees.savePeriod(actorOf(req), periodId, data),
    redirect: '/console/fees?done=saved',
  }));

  // 收费项目
  const itemPage = async (res: Response, itemId: number | null, values: Record<string, string>, errors: FieldErrors = {}, status = 200) =>
    res.status(status).render('console/fees/item', {
      title: itemId ? '修改收费项目' : '新增收费项目', crumbs: ['管理控制台', '收费项目与开单', itemId ? '修改收费项目' : '新增收费项目'], nav: 'console-fees', itemId, values, errors,
      periods: await fees.repo.periods(),
    });

  r.get('/fees/items/new', finance, (_req, res) => itemPage(res, null, { category: '财政', fee_type: '学费', status: '收费', payee: '甘肃省财政厅', sort_order: '0' }));
  r.get('/fees/items/:id', finance, async (req, res) => {
    const it = await fees.repo.item(pathId(req));
    if (!it) throw new AppError('not_found', PAGE_NOT_FOUND);
    itemPage(res, it.id, {
      code: it.code, name: it.name, category: it.category, fee_type: it.fee_type, payee: it.payee, status: it.status,
      sort_order: String(it.sort_order), starts_at: localInput(it.starts_at), ends_at: localInput(it.ends_at),
      ...(it.payable_after_end ? { payable_after_end: '1' } : {}), ...(it.optional ? { optional: '1' } : {}),
      offer_period: it.offer_period_id ? String(it.offer_period_id) : '', offer_amount: it.offer_amount ?? '', offer_audience: it.offer_audience,
    });
  });
  r.post(['/fees/items', '/fees/items/:id'], finance, formAction({
    load: (req) => optionalPathId(req),
    schema: itemForm,
    render: (_req, res, f, itemId) => itemPage(res, itemId, f.values, f.errors, f.status),
    run: (data, req, itemId) => fees.saveItem(actorOf(req), itemId, data),
    redirect: '/console/fees?done=saved',
  }));

  // 开单: the result is shown on the page itself, with the form emptied.
  r.post('/fees/bill-run', finance, formAction({
    schema: billRunForm,
    multiline: ['numbers'],
    render: (req, res, f) => index(req, res, { status: f.status, errors: f.errors, error: f.error, values: f.values, notices: [] }),
    run: (data, req) => fees.billRun(actorOf(req), data),
    respond: (req, res, result) => index(req, res, { values: {}, notices: [`开单完成：对象 ${result.targeted} 人，新开 ${result.created} 张账单，${result.existing} 人已有该项目账单未重复开单`], result }),
  }));

  // 账单调整 (from the person page)
  r.post('/people/:id/adjust', finance, formAction({
    load: (req) => pathId(req),
    schema: adjustForm,
    render: (req, res, f, personId) => {
      const billId = /^\d+$/.test(f.values.bill ?? '') ? Number(f.values.bill) : undefined;
      return renderPerson(req, res, deps.people, personId, { status: f.status, state: { form: 'adjust', billId, values: f.values, errors: f.errors, error: f.error } });
    },
    run: (d, req, personId) => fees.adjust(actorOf(req), scopeOf(req.user!).collegeId, personId, d.bill, d.kind, d.amount, d.reason),
    redirect: (_result, _d, personId) => `/console/people/${personId}?done=adjusted`,
  }));

  return r;
}
