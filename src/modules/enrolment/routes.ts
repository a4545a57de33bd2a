// 报名信息 (the manual's 三(一).4 and (七)): the open 报名项目 of the person's
// audience, 报名 with the 报名项目's extra fields, 我的报名 and the printable 报名确认单. Every
// sign-up is read by its owner: another person's id is a page that does not exist. Paying goes
// through 其他费用's wizard: 去缴费 opens its 缴费信息修改 with the sign-up's bill (fee type 其他费用) ticked.
import { Router, type Request, type Response } from 'express';
import { formAction } from '../../http/form-route';
import { pathId } from '../../http/params';
import { parse, type FieldErrors } from '../../http/validate';
import { AppError } from '../../domain/app-error';
import { doneNotice, M } from './messages';
import type { ProjectRow } from './repo';
import { signupSchema } from './schemas';
import type { EnrolmentService } from './service';

const CRUMBS = ['报名信息'];

/** A sign-up's id in the path: digits only (bigint), else not found. */
function signupId(req: Request): string {
  const v = String(req.params.id ?? '');
  if (!/^[1-9]\d{0,17}$/.test(v)) throw new AppError('not_found', M.signupNotFound);
  return v;
}

export function enrolmentRoutes(deps: { enrolment: EnrolmentService }) {
  const { enrolment } = deps;
  const r = Router();

  r.get('/enrolment', async (req, res) => {
    const { open, mine } = await enrolment.overview(req.user!.personId);
    res.render('enrolment/index', { title: '报名信息', crumbs: CRUMBS, nav: 'enrolment', open, mine, notices: doneNotice(req.query.done), M });
  });

  const formPage = (res: Response, p: ProjectRow, values: Record<string, string>, errors: FieldErrors = {}, error?: string) =>
    res.render('enrolment/signup', { title: `报名：${p.name}`, crumbs: [...CRUMBS, p.name], nav: 'enrolment', project: p, values, errors, error, M });

  r.get('/enrolment/projects/:id', async (req, res) => {
    formPage(res, await enrolment.projectFor(req.user!.personId, pathId(req)), {});
  });

  r.post('/enrolment/projects/:id', formAction({
    load: (req) => enrolment.projectFor(req.user!.personId, pathId(req)),
    schema: (fields, _req, p) => parse(signupSchema(p.fields), fields),
    render: (_req, res, f, p) => formPage(res, p, f.values, f.errors, f.error),
    run: (answers, req, p) => enrolment.signUp(req.user!.personId, p.id, answers),
    redirect: (r) => `/enrolment/signups/${r.signupId}?done=${r.paid ? 'confirmed' : 'signed'}`,
  }));

  r.get('/enrolment/signups/:id', async (req, res) => {
    const s = await enrolment.mySignup(req.user!.personId, signupId(req));
    res.render('enrolment/mine', { title: '我的报名', crumbs: [...CRUMBS, '我的报名'], nav: 'enrolment', s, notices: doneNotice(req.query.done), M });
  });

  r.get('/enrolment/signups/:id/confirmation', async (req, res) => {
    const s = await enrolment.mySignup(req.user!.personId, signupId(req));
    if (s.shown !== '已报名') throw new AppError('not_found', M.notConfirmed);
    res.render('enrolment/confirmation', { title: '报名确认单', crumbs: [...CRUMBS, '报名确认单'], nav: 'enrolment', s, M, scripts: ['pay.js'] });
  });

  return r;
}
