// 报名项目 in the console: finance, and a department's staff for their own
// department's 报名项目 (the scope is applied in the service on every id), create and edit a draft,
// publish and close it, read its sign-ups and export them; 取消报名 (with its refund through the
// channel) is finance's only, as every money action of the console is.
import { Router, type Request, type Response } from 'express';
import { AppError } from '../../../domain/app-error';
import { businessDateTime } from '../../../domain/business-date';
import { forbidden } from '../../../http/errors';
import { formAction } from '../../../http/form-route';
import { requireRole } from '../../../http/guards';
import { optionalPathId, pathId } from '../../../http/params';
import type { FieldErrors } from '../../../http/validate';
import { doneNotice, M } from '../../enrolment/messages';
import type { ProjectRow } from '../../enrolment/repo';
import { cancelForm, FIELD_ROWS, projectForm } from '../../enrolment/schemas';
import type { EnrolmentService } from '../../enrolment/service';
import { actorOf, scopeOf } from '../context';

const CRUMBS = ['管理控制台', '报名项目'];
const localInput = (d: Date) => businessDateTime(d).replace(' ', 'T').slice(0, 16);

/** The form's fields of a saved 报名项目. */
function valuesOf(p: ProjectRow): Record<string, string> {
  const v: Record<string, string> = {
    name: p.name, description: p.description, audience: p.audience, opens_at: localInput(p.opensAt), closes_at: localInput(p.closesAt),
    quota: String(p.quota), hold_minutes: String(p.holdMinutes), fee_item: p.feeItemId ? String(p.feeItemId) : '', period: p.periodId ? String(p.periodId) : '',
    amount: p.amount?.toFixed(2) ?? '', ...(p.amount ? {} : { free: '1' }),
  };
  p.fields.forEach((f, i) => Object.assign(v, { [`field_label_${i + 1}`]: f.label, [`field_max_${i + 1}`]: String(f.maxLength), ...(f.required ? { [`field_required_${i + 1}`]: '1' } : {}) }));
  return v;
}

/** The actor's department (null: finance); a department account with no department may not create. */
function scopeFor(req: Request): number | null {
  const c = scopeOf(req.user!).collegeId;
  if (c !== null && c < 0) throw forbidden();
  return c;
}

const signupParam = (req: Request) => {
  const v = String(req.params.sid ?? '');
  if (!/^[1-9]\d{0,17}$/.test(v)) throw new AppError('not_found', M.signupNotFound);
  return v;
};

export function consoleEnrolmentRoutes(deps: { enrolment: EnrolmentService }) {
  const { enrolment } = deps;
  const r = Router();
  const finance = requireRole('finance_admin');

  r.get('/enrolment', async (req, res) => {
    const projects = await enrolment.projects(scopeOf(req.user!).collegeId);
    res.render('console/enrolment/index', { title: '报名项目', crumbs: CRUMBS, nav: 'console-enrolment', projects, notices: doneNotice(req.query.done), M });
  });

  const formPage = async (res: Response, id: number | null, values: Record<string, string>, errors: FieldErrors = {}, error?: string) =>
    res.render('console/enrolment/project', {
      title: id ? '修改报名项目' : '新增报名项目', crumbs: [...CRUMBS, id ? '修改报名项目' : '新增报名项目'], nav: 'console-enrolment',
      projectId: id, values, errors, error, rows: FIELD_ROWS, ...(await enrolment.choices()),
    });

  r.get('/enrolment/new', (req, res) => { scopeFor(req); return formPage(res, null, { audience: 'external', hold_minutes: '30' }); });
  r.get('/enrolment/:id/edit', async (req, res) => formPage(res, pathId(req), valuesOf(await enrolment.project(scopeFor(req), pathId(req)))));
  r.post(['/enrolment', '/enrolment/:id'], formAction({
    load: (req) => ({ id: optionalPathId(req), scope: scopeFor(req) }),
    schema: projectForm,
    render: (_req, res, f, c) => formPage(res, c.id, f.values, f.errors, f.error),
    run: (data, req, c) => enrolment.save(actorOf(req), c.scope, c.id, data),
    redirect: (id) => `/console/enrolment/${id}?done=saved`,
  }));

  r.post('/enrolment/:id/publish', async (req, res) => {
    await enrolment.publish(actorOf(req), scopeFor(req), pathId(req));
    res.redirect(303, `/console/enrolment/${pathId(req)}?done=published`);
  });
  r.post('/enrolment/:id/close', async (req, res) => {
    await enrolment.close(actorOf(req), scopeFor(req), pathId(req));
    res.redirect(303, `/console/enrolment/${pathId(req)}?done=closed`);
  });

  const signupsPage = async (req: Request, res: Response, extra: { errors?: FieldErrors; error?: string; values?: Record<string, string>; target?: string } = {}) => {
    const { project, rows } = await enrolment.signups(scopeOf(req.user!).collegeId, pathId(req));
    res.render('console/enrolment/signups', {
      title: project.name, crumbs: [...CRUMBS, project.name], nav: 'console-enrolment', project, rows, M,
      notices: doneNotice(req.query.done), errors: extra.errors ?? {}, error: extra.error, values: extra.values ?? {}, target: extra.target ?? '',
    });
  };
  r.get('/enrolment/:id', (req, res) => signupsPage(req, res));

  r.get('/enrolment/:id/signups.csv', async (req, res) => {
    const { fileName, body } = await enrolment.csv(scopeOf(req.user!).collegeId, pathId(req));
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="signups.csv"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
    res.send(body);
  });

  r.post('/enrolment/:id/signups/:sid/cancel', finance, formAction({
    load: (req) => ({ id: pathId(req), sid: signupParam(req) }),
    schema: cancelForm,
    render: (req, res, f, c) => signupsPage(req, res, { errors: f.errors, error: f.error, values: f.values, target: c.sid }),
    run: (d, req, c) => enrolment.cancel(actorOf(req), null, c.id, c.sid, d.reason),
    redirect: (r, _d, c) => `/console/enrolment/${c.id}?done=${({ none: 'cancelled', succeeded: 'refunded', pending: 'refunding' } as const)[r.refunded]}`,
  }));

  return r;
}
