import { Router, type Request, type Response } from 'express';
import { notFound } from '../../../http/errors';
import { requireRole } from '../../../http/guards';
import { type FieldErrors, formFields, parse } from '../../../http/validate';
import { businessDateTime } from '../../../domain/business-date';
import { actorOf, ConsoleError, scopeOf } from '../context';
import { doneNotice } from '../messages';
import { renderPerson } from '../people/render';
import type { PeopleService } from '../people/service';
import { id } from '../schemas';
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
    const pid = id().safeParse(req.params.id);
    const p = pid.success ? await fees.repo.period(pid.data) : undefined;
    if (!p) throw notFound();
    periodPage(res, p.id, { name: p.name, sort_order: String(p.sort_order) });
  });
  r.post(['/fees/periods', '/fees/periods/:id'], finance, async (req, res) => {
    const pid = req.params.id === undefined ? null : id().safeParse(req.params.id);
    if (pid && !pid.success) throw notFound();
    const periodId = pid ? pid.data : null;
    const values = formFields(req.body);
    const form = parse(periodForm, values);
    if (!form.ok) return periodPage(res, periodId, values, form.errors, 400);
    try {
      await fees.savePeriod(actorOf(req), periodId, form.data);
    } catch (e) {
      if (!(e instanceof ConsoleError)) throw e;
      return periodPage(res, periodId, values, { [e.field]: e.message }, 400);
    }
    res.redirect(303, '/console/fees?done=saved');
  });

  // 收费项目
  const itemPage = (res: Response, itemId: number | null, values: Record<string, string>, errors: FieldErrors = {}, status = 200) =>
    res.status(status).render('console/fees/item', { title: itemId ? '修改收费项目' : '新增收费项目', crumbs: ['管理控制台', '收费项目与开单', itemId ? '修改收费项目' : '新增收费项目'], nav: 'console-fees', itemId, values, errors });

  r.get('/fees/items/new', finance, (_req, res) => itemPage(res, null, { category: '财政', fee_type: '学费', status: '收费', payee: '甘肃省财政厅', sort_order: '0' }));
  r.get('/fees/items/:id', finance, async (req, res) => {
    const iid = id().safeParse(req.params.id);
    const it = iid.success ? await fees.repo.item(iid.data) : undefined;
    if (!it) throw notFound();
    itemPage(res, it.id, {
      code: it.code, name: it.name, category: it.category, fee_type: it.fee_type, payee: it.payee, status: it.status,
      sort_order: String(it.sort_order), starts_at: localInput(it.starts_at), ends_at: localInput(it.ends_at),
    });
  });
  r.post(['/fees/items', '/fees/items/:id'], finance, async (req, res) => {
    const iid = req.params.id === undefined ? null : id().safeParse(req.params.id);
    if (iid && !iid.success) throw notFound();
    const itemId = iid ? iid.data : null;
    const values = formFields(req.body);
    const form = parse(itemForm, values);
    if (!form.ok) return itemPage(res, itemId, values, form.errors, 400);
    try {
      await fees.saveItem(actorOf(req), itemId, form.data);
    } catch (e) {
      if (!(e instanceof ConsoleError)) throw e;
      return itemPage(res, itemId, values, { [e.field]: e.message }, 400);
    }
    res.redirect(303, '/console/fees?done=saved');
  });

  // 开单
  r.post('/fees/bill-run', finance, async (req, res) => {
    const values = formFields(req.body);
    const form = parse(billRunForm, values, { multiline: ['numbers'] });
    if (!form.ok) return index(req, res, { status: 400, errors: form.errors, values, notices: [] });
    try {
      const result = await fees.billRun(actorOf(req), form.data);
      return index(req, res, { values: {}, notices: [`开单完成：对象 ${result.targeted} 人，新开 ${result.created} 张账单，${result.existing} 人已有该项目账单未重复开单`], result });
    } catch (e) {
      if (!(e instanceof ConsoleError)) throw e;
      return index(req, res, { status: 400, errors: { [e.field]: e.message }, error: e.message, values, notices: [] });
    }
  });

  // 账单调整 (from the person page)
  r.post('/people/:id/adjust', finance, async (req, res) => {
    const personId = id().safeParse(req.params.id);
    if (!personId.success) throw notFound();
    const values = formFields(req.body);
    const form = parse(adjustForm, values);
    const billId = /^\d+$/.test(values.bill ?? '') ? Number(values.bill) : undefined;
    const state = { form: 'adjust' as const, billId, values };
    if (!form.ok) return renderPerson(req, res, deps.people, personId.data, { status: 400, state: { ...state, errors: form.errors } });
    try {
      await fees.adjust(actorOf(req), scopeOf(req.user!).collegeId, personId.data, form.data.bill, form.data.kind, form.data.amount, form.data.reason);
    } catch (e) {
      if (!(e instanceof ConsoleError)) throw e;
      return renderPerson(req, res, deps.people, personId.data, { status: 400, state: { ...state, error: e.message, errors: { [e.field]: e.message } } });
    }
    res.redirect(303, `/console/people/${personId.data}?done=adjusted`);
  });

  return r;
}
