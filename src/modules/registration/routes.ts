// 新用户注册 (manual 三(一).4), linked from the login page (图1). Public: mounted before requireLogin.
// Step 1 /register: 姓名, 身份证号, 手机号, 验证码 → 获取验证码; step 2 /register/verify: the SMS
// code and the password twice → the account → the login page, which says the registration worked
// and has the 身份证号 in 用户名: signing in once with the password just chosen is what the manual
// describes ("注册…之后再登陆") and shows the person what their 用户名 is from now on.
import { Router, type Request, type Response } from 'express';
import { maskMobile } from '../../domain/mask';
import { formAction } from '../../http/form-route';
import { regenerate, sessionFlow } from '../../http/session-flow';
import { CAPTCHA_PATH } from '../captcha/routes';
import { REGISTRATION_MESSAGES as M } from './messages';
import { registerResendSchema, registerStartSchema, registerVerifySchema } from './schemas';
import type { RegistrationService, RegistrationState } from './service';

type Errors = Record<string, string>;

/** Posts that hash (bcrypt: the new password): refused early when its gate is full (src/http/shed-hashing.ts). */
export const REGISTRATION_HASHING_POSTS = ['/register/verify'] as const;

/** Where the login page reads that a registration just finished (auth/routes.ts). */
export const REGISTERED_QUERY = 'registered';

export function registrationRoutes(deps: { registration: RegistrationService }) {
  const r = Router();
  const { registration } = deps;
  const base = { crumbs: ['新用户注册'], title: '新用户注册', M };

  const flow = sessionFlow('registration', { now: registration.now, restart: '/register?expired=1' });
  const inFlow = flow.inFlow();
  const flowState = flow.state;

  const renderStart = (res: Response, values: Record<string, string>, opts: { errors?: Errors; error?: string; notices?: string[]; registered?: boolean } = {}, status = 200) =>
    res.status(status).render('register/start', {
      ...base, values, errors: opts.errors ?? {}, error: opts.error, notices: opts.notices ?? [], registered: opts.registered ?? false,
      captchaSrc: CAPTCHA_PATH, scripts: ['captcha.js'], captchaRefresh: '/register',
    });

  // Someone signed in has an account already.
  r.use('/register', (req, res, next) => (req.user ? res.redirect(303, '/') : next()));

  r.get('/register', (req, res) => {
    renderStart(res, { name: '', idNumber: '', mobile: '' }, { notices: req.query.expired === '1' ? [M.expired] : [] });
  });

  r.post('/register', formAction({
    schema: registerStartSchema,
    keep: ['name', 'idNumber', 'mobile'],
    render: (_req, res, f) => renderStart(res, f.values, { errors: f.errors, error: f.refusal?.field === '_' ? f.refusal.message : undefined, registered: f.refusal?.details.registered === true }, f.status),
    run: async (data, req) => {
      const state = await registration.start({ ...data, req, ip: req.ip ?? '' });
      // A fresh session id as the flow moves on: an id planted before cannot ride along.
      await regenerate(req);
      req.session.registration = state;
    },
    redirect: '/register/verify',
  }));

  const renderVerify = (req: Request, res: Response, state: RegistrationState, opts: { errors?: Errors; error?: string; notices?: string[]; values?: Record<string, string> } = {}, status = 200) =>
    res.status(status).render('register/verify', {
      ...base, values: opts.values ?? { code: '' }, errors: opts.errors ?? {}, error: opts.error,
      notices: opts.notices ?? [M.sent(maskMobile(state.mobile))],
      name: state.name, waitSeconds: Math.max(0, Math.ceil((state.nextAt - registration.now()) / 1000)),
    });

  r.get('/register/verify', inFlow, (req, res) => {
    const state = flowState(res);
    renderVerify(req, res, state, { notices: [...(req.query.resent === '1' ? [M.resent] : []), M.sent(maskMobile(state.mobile))] });
  });

  r.post('/register/verify', inFlow, formAction({
    load: (_req, res) => flowState(res),
    schema: registerVerifySchema,
    // The code typed comes back (to correct one digit); the passwords never do.
    keep: ['code'],
    render: (req, res, f, state) => renderVerify(req, res, state, { values: f.values, errors: f.errors, error: f.refusal?.field === '_' ? f.refusal.message : undefined }, f.status),
    run: async (data, req, state) => {
      await registration.complete(state, data, req.ip ?? '');
      delete req.session.registration;
      req.session.registeredIdNumber = state.idNumber;
    },
    redirect: `/login?${REGISTERED_QUERY}=1`,
  }));

  r.post('/register/resend', inFlow, formAction({
    load: (_req, res) => flowState(res),
    schema: registerResendSchema,
    keep: [],
    render: (req, res, f, state) => renderVerify(req, res, state, { errors: f.errors, error: f.refusal?.message }, f.status),
    run: async (_data, req, state) => {
      req.session.registration = await registration.resend(state, req.ip ?? '');
    },
    redirect: '/register/verify?resent=1',
  }));

  return r;
}
