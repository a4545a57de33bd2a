// 催缴提醒 in the finance console: campaigns (who, when, channels, a preview with a
// sample person's text and the number reached, 发送 once) and the per-item deadline reminders.
// Finance only; department staff and students are refused.
import { Router, type Request, type Response } from 'express';
import { AppError } from '../../../domain/app-error';
import { businessDateTime } from '../../../domain/business-date';
import { REMINDER_PLACEHOLDERS } from '../../../domain/reminder-text';
import { formAction } from '../../../http/form-route';
import { requireRole } from '../../../http/guards';
import { pathId } from '../../../http/params';
import { type FieldErrors, parse } from '../../../http/validate';
import { NO_CAMPAIGN, type RemindersService } from '../../reminders/service';
import { actorOf } from '../context';
import { campaignAction, campaignForm, deadlineForm } from './schemas';

const crumbs = (...more: string[]) => ['管理控制台', '催缴提醒', ...more];
const localInput = (d: Date | null) => (d ? businessDateTime(d).replace(' ', 'T').slice(0, 16) : '');

export function consoleRemindersRoutes(deps: { reminders: RemindersService }) {
  const r = Router();
  const finance = requireRole('finance_admin');
  const svc = deps.reminders;
  const common = () => ({ nav: 'console-reminders', emailEnabled: svc.emailEnabled, placeholders: REMINDER_PLACEHOLDERS, quiet: svc.quiet });

  const renderNew = async (res: Response, values: Record<string, string>, errors: FieldErrors = {}, status = 200, preview: unknown = null, error?: string) =>
    res.status(status).render('console/reminders/new', { title: '新建提醒', crumbs: crumbs('新建提醒'), ...common(), choices: await svc.choices(), values, errors, preview, error });

  r.get('/reminders', finance, async (req, res) => {
    const done = req.query.done === 'deadline' ? ['到期提醒设置已保存'] : [];
    res.render('console/reminders/index', { title: '催缴提醒', crumbs: crumbs(), ...common(), campaigns: await svc.list(), deadlines: await svc.deadlines(), notices: done, localInput });
  });

  r.get('/reminders/new', finance, (_req, res) => renderNew(res, { when: 'now', sms: '1', min_arrears: '0.00', deferred: 'all', body: '{姓名}同学，您尚有欠费{欠费金额}元，请尽快登录统一支付平台缴纳。' }));

  r.post('/reminders', finance, formAction({
    schema: (values) => {
      const act = parse(campaignAction, { action: values.action });
      const f = parse(campaignForm, values);
      if (act.ok && f.ok) return { ok: true, data: { ...f.data, action: act.data.action } };
      return { ok: false, errors: { ...(act.ok ? {} : act.errors), ...(f.ok ? {} : f.errors) } };
    },
    render: (_req, res, f) => renderNew(res, f.values, f.errors, f.status, null, f.error),
    run: async (d, req) => {
      const input = {
        title: d.title, body: d.body, periodId: d.period ?? null, collegeId: d.college ?? null, classId: d.class ?? null, feeItemId: d.item ?? null,
        minArrears: d.min_arrears, deferred: d.deferred, bySms: d.sms, byEmail: d.email, sendAt: d.when === 'now' ? null : d.send_at,
      };
      if (d.action === 'preview') return { preview: await svc.preview(input) };
      return { id: await svc.create(actorOf(req), input) };
    },
    respond: async (req: Request, res: Response, result) => {
      if ('id' in result) return res.redirect(303, `/console/reminders/${result.id}`);
      return renderNew(res, Object.fromEntries(Object.entries(req.body as Record<string, string>).filter(([k]) => k !== '_csrf')), {}, 200, result.preview);
    },
  }));

  const show = async (req: Request, res: Response, status = 200, error?: string) => {
    const v = await svc.get(pathId(req, 'id', NO_CAMPAIGN));
    res.status(status).render('console/reminders/campaign', { title: v.campaign.title, crumbs: crumbs(v.campaign.title), ...common(), ...v, error, localInput, notices: req.query.sent === '1' ? ['已发送'] : [] });
  };

  r.get('/reminders/:id', finance, (req, res) => show(req, res));

  r.post('/reminders/:id/send', finance, async (req, res) => {
    const id = pathId(req, 'id', NO_CAMPAIGN);
    try {
      await svc.send(actorOf(req), id);
    } catch (e) {
      if (!(e instanceof AppError) || e.code === 'not_found') throw e;
      return show(req, res, 409, e.message);
    }
    res.redirect(303, `/console/reminders/${id}?sent=1`);
  });

  r.post('/reminders/deadlines', finance, formAction({
    schema: deadlineForm,
    render: async (_req, res, f) => res.render('console/reminders/index', {
      title: '催缴提醒', crumbs: crumbs(), ...common(), campaigns: await svc.list(), deadlines: await svc.deadlines(), notices: [], localInput,
      deadlineError: { item: f.values.item, errors: f.errors, values: f.values, error: f.error },
    }),
    run: (d, req) => svc.saveDeadline(actorOf(req), { feeItemId: d.item, enabled: d.enabled, daysBefore: d.days, bySms: d.sms, byEmail: d.email, body: d.body }),
    redirect: '/console/reminders?done=deadline',
  }));

  return r;
}
