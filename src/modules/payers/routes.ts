// 授权缴费人's pages. Public: /payer/register (two steps, as 新用户注册's). A student's: 个人信息 >
// 授权缴费人 (/profile/payers: invite, revoke, who paid what). A payer's own: /payer (whom to pay
// for, invitations to answer). Every id in a path or form is looked up under the signed-in
// person, so another student's link is never found by its number.
import { Router, type Request, type Response } from 'express';
import { AppError } from '../../domain/app-error';
import { maskMobile } from '../../domain/mask';
import { PAYER_RELATIONS } from '../../domain/payer-labels';
import { notFound } from '../../http/errors';
import { formAction } from '../../http/form-route';
import { requireRole } from '../../http/guards';
import { regenerate, sessionFlow } from '../../http/session-flow';
import { CAPTCHA_PATH } from '../captcha/routes';
import { PAYER_MESSAGES as M } from './messages';
import { chooseSchema, inviteSchema, linkIdSchema, payerStartSchema, payerVerifySchema, resendSchema, revokeSchema } from './schemas';
import type { PayerFlowState, PayersService } from './service';

type Errors = Record<string, string>;

/** Posts that hash (bcrypt: the new password): refused early when its gate is full (src/http/shed-hashing.ts). */
export const PAYER_HASHING_POSTS = ['/payer/register/verify'] as const;
/** Where the login page reads that a payer just registered or reset their password (auth/routes.ts). */
export const PAYER_DONE_QUERY = 'payer';

const linkParam = (req: Request): number => {
  const id = linkIdSchema.safeParse(req.params.id);
  if (!id.success) throw notFound();
  return id.data;
};

/** /payer/register and its second step: no sign-in (a signed-in user is sent home). */
export function payerRegisterRoutes(deps: { payers: PayersService }) {
  const r = Router();
  const { payers } = deps;
  const base = { crumbs: ['授权缴费人注册'], title: '授权缴费人注册', M };

  const flow = sessionFlow('payerFlow', { now: payers.now, restart: '/payer/register?expired=1' });
  const inFlow = flow.inFlow();
  const flowState = flow.state;

  r.use('/payer/register', (req, res, next) => (req.user ? res.redirect(303, '/') : next()));

  const renderStart = (res: Response, values: Record<string, string>, opts: { errors?: Errors; notices?: string[] } = {}) =>
    res.render('payer/register-start', {
      ...base, values, errors: opts.errors ?? {}, notices: opts.notices ?? [], captchaSrc: CAPTCHA_PATH, scripts: ['captcha.js'], captchaRefresh: '/payer/register',
    });

  r.get('/payer/register', (req, res) => renderStart(res, { mobile: '' }, { notices: req.query.expired === '1' ? [M.expired] : [] }));

  r.post('/payer/register', formAction({
    schema: payerStartSchema,
    keep: ['mobile'],
    render: (_req, res, f) => renderStart(res, f.values, { errors: f.errors }),
    run: async (data, req) => {
      const state = await payers.start({ ...data, req, ip: req.ip ?? '' });
      await regenerate(req);
      req.session.payerFlow = state;
    },
    redirect: '/payer/register/verify',
  }));

  const renderVerify = (res: Response, state: PayerFlowState, opts: { errors?: Errors; notices?: string[]; values?: Record<string, string> } = {}) =>
    res.render('payer/register-verify', {
      ...base, values: opts.values ?? { name: '', code: '' }, errors: opts.errors ?? {}, notices: opts.notices ?? [M.sent(maskMobile(state.mobile))],
      existing: state.existing, inviters: state.inviters, waitSeconds: Math.max(0, Math.ceil((state.nextAt - payers.now()) / 1000)),
    });

  r.get('/payer/register/verify', inFlow, (req, res) => {
    const state = flowState(res);
    renderVerify(res, state, { notices: [...(req.query.resent === '1' ? [M.resent] : []), M.sent(maskMobile(state.mobile))] });
  });

  r.post('/payer/register/verify', inFlow, formAction({
    load: (_req, res) => flowState(res),
    schema: payerVerifySchema,
    keep: ['name', 'code'],
    render: (_req, res, f, state) => renderVerify(res, state, { values: f.values, errors: f.errors }),
    run: async (data, req, state) => {
      const done = await payers.complete(state, data, req.ip ?? '');
      delete req.session.payerFlow;
      req.session.registeredIdNumber = state.mobile;
      return done;
    },
    redirect: (done) => `/login?${PAYER_DONE_QUERY}=${done}`,
  }));

  r.post('/payer/register/resend', inFlow, formAction({
    load: (_req, res) => flowState(res),
    schema: resendSchema,
    keep: [],
    render: (_req, res, f, state) => renderVerify(res, state, { errors: f.errors }),
    run: async (_data, req, state) => {
      req.session.payerFlow = await payers.resend(state, req.ip ?? '');
    },
    redirect: '/payer/register/verify?resent=1',
  }));

  return r;
}

const actor = (req: Request) => ({ accountId: req.user!.accountId, personId: req.user!.personId, ip: req.ip ?? '' });

/** 个人信息 > 授权缴费人, for a student. */
export function studentPayerRoutes(deps: { payers: PayersService }) {
  const r = Router();
  const { payers } = deps;
  r.use('/profile/payers', requireRole('student'));

  const render = async (req: Request, res: Response, opts: { values?: Record<string, string>; errors?: Errors; error?: string | undefined } = {}) => {
    const data = await payers.ofStudent(req.user!.personId);
    const notices = [
      typeof req.query.invited === 'string' ? M.invited(req.query.invited.slice(0, 30)) : undefined,
      typeof req.query.revoked === 'string' ? M.revoked(req.query.revoked.slice(0, 30)) : undefined,
    ].filter(Boolean);
    res.render('profile/payers', {
      title: '授权缴费人', crumbs: ['个人信息', '授权缴费人'], nav: 'profile', M, ...data, relations: PAYER_RELATIONS, notices,
      values: opts.values ?? { name: '', mobile: '', relation: '' }, errors: opts.errors ?? {}, error: opts.error,
    });
  };

  r.get('/profile/payers', (req, res) => render(req, res));

  r.post('/profile/payers', formAction({
    schema: inviteSchema,
    keep: ['name', 'mobile', 'relation'],
    render: (req, res, f) => render(req, res, { values: f.values, errors: f.errors, error: f.refusal?.field === '_' ? f.refusal.message : undefined }),
    run: (d, req) => payers.invite({ ...actor(req), name: req.user!.name, mobile: req.user!.mobile }, d).then(() => d.name),
    redirect: (name) => `/profile/payers?invited=${encodeURIComponent(name)}`,
  }));

  r.post('/profile/payers/:id/revoke', formAction({
    load: (req) => linkParam(req),
    schema: revokeSchema,
    keep: [],
    render: (req, res, f) => render(req, res, { error: f.error }),
    run: (_d, req, id) => payers.revoke(actor(req), id),
    redirect: (name) => `/profile/payers?revoked=${encodeURIComponent(name)}`,
  }));

  return r;
}

/** The payer's own page: choose a student, answer invitations. */
export function payerHomeRoutes(deps: { payers: PayersService }) {
  const r = Router();
  const { payers } = deps;
  r.use('/payer', requireRole('payer'));

  const render = async (req: Request, res: Response, error?: string) => {
    const me = req.user!;
    const data = await payers.home({ personId: me.personId, mobile: me.mobile });
    const q = req.query;
    const notices = [q.gone === '1' ? M.gone : undefined, q.accepted === '1' ? M.accepted : undefined, q.declined === '1' ? M.declined : undefined].filter(Boolean);
    res.render('payer/choose', { title: '选择学生', crumbs: ['选择学生'], nav: 'payer', M, ...data, chosen: req.session.payerStudentId ?? null, notices, error });
  };

  r.get('/payer', (req, res) => render(req, res));

  r.post('/payer/choose', formAction({
    schema: chooseSchema,
    keep: [],
    render: (req, res, f) => render(req, res, f.error ?? Object.values(f.errors)[0]),
    run: async (d, req) => {
      const student = (await payers.activeStudents(req.user!.personId)).find((s) => s.linkId === d.link);
      if (!student) throw new AppError('not_found', M.notYours, '_');
      if (req.session.payerStudentId !== student.studentId) delete req.session.wizard;
      req.session.payerStudentId = student.studentId;
    },
    redirect: '/fees',
  }));

  for (const [path, accept] of [['accept', true], ['decline', false]] as const) {
    r.post(`/payer/invitations/:id/${path}`, formAction({
      load: (req) => linkParam(req),
      schema: revokeSchema,
      keep: [],
      render: (req, res, f) => render(req, res, f.error),
      run: (_d, req, id) => payers.answer({ ...actor(req), mobile: req.user!.mobile }, id, accept),
      redirect: `/payer?${accept ? 'accepted' : 'declined'}=1`,
    }));
  }

  return r;
}
