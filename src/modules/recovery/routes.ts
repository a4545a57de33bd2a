// 找回密码 (linked from the login page). Public: mounted before requireLogin.
import { Router, type Response } from 'express';
import { PASSWORD_RULE } from '../../domain/password-policy';
import { formAction } from '../../http/form-route';
import { regenerate, sessionFlow } from '../../http/session-flow';
import { parse } from '../../http/validate';
import { CAPTCHA_PATH, type Captchas } from '../captcha/routes';
import { RECOVERY_MESSAGES as M } from './messages';
import { recoverAnswerSchema, recoverResetSchema, recoverStartSchema } from './schemas';
import type { RecoveryService, RecoveryState } from './service';

type Errors = Record<string, string>;

/** Posts that hash (bcrypt: the 密保 answer, the new password): refused early when its gate is full (src/http/shed-hashing.ts). */
export const RECOVERY_HASHING_POSTS = ['/recover/answer', '/recover/reset'] as const;

export function recoveryRoutes(deps: { recovery: RecoveryService; captchas: Captchas; financePhones: string }) {
  const r = Router();
  const { recovery, captchas, financePhones } = deps;
  const base = { crumbs: ['找回密码'], M, financePhones };

  const flow = sessionFlow('recovery', { now: Date.now, restart: '/recover?expired=1' });
  /** Steps 2 and 3 need the flow begun (and, for 3, the answer given) in this session; else back to the start. */
  const inFlow = (needs: 'question' | 'answered') => flow.inFlow((s) => needs === 'question' || s.answered);
  const flowState = flow.state;

  const renderStart = (res: Response, values: Record<string, string>, opts: { errors?: Errors; error?: string; notices?: string[]; captcha?: boolean } = {}, status = 200) =>
    res.status(status).render('recover/start', {
      ...base, title: '找回密码', values, errors: opts.errors ?? {}, error: opts.error, notices: opts.notices ?? [],
      captcha: opts.captcha ?? false, captchaSrc: CAPTCHA_PATH, scripts: opts.captcha ? ['captcha.js'] : [],
      // 换一张 without script: this page again with its 验证码 and the 用户名 (never the 身份证号 in a URL).
      captchaRefresh: `/recover?${new URLSearchParams({ captcha: '1', ...(values.username ? { username: values.username } : {}) }).toString()}`,
    });

  // Someone signed in knows the password: 密码修改 is the way, and regenerating would sign them out.
  r.use('/recover', (req, res, next) => (req.user ? res.redirect(303, '/profile/password') : next()));

  r.get('/recover', async (req, res) => {
    const again = req.query.captcha === '1';
    const captcha = again || await recovery.captchaNeeded(req.ip ?? '');
    const username = again && typeof req.query.username === 'string' ? req.query.username.slice(0, 32) : '';
    renderStart(res, { username, idNumber: '' }, { captcha, notices: req.query.expired === '1' ? [M.expired] : [] });
  });

  r.post('/recover', formAction({
    schema: recoverStartSchema,
    keep: ['username', 'idNumber'],
    render: (_req, res, f) => {
      // The 验证码 field stays on the page once it was shown, and from the moment the throttle asks for it.
      if (!f.refusal) return renderStart(res, f.values, { errors: f.errors, captcha: f.fields.captcha !== undefined }, f.status);
      if (f.refusal.code === 'too_many') return renderStart(res, f.values, { error: f.refusal.message, captcha: true }, f.status);
      return renderStart(res, f.values, { error: M.captchaWhy, errors: f.errors, captcha: true }, f.status);
    },
    run: async (data, req) => {
      const state = await recovery.start({ ...data, ip: req.ip ?? '', req });
      await regenerate(req);
      req.session.recovery = state;
    },
    redirect: '/recover/answer',
  }));

  const renderAnswer = (res: Response, state: RecoveryState, values: Record<string, string>, opts: { errors?: Errors; error?: string } = {}, status = 200) =>
    res.status(status).render('recover/answer', {
      ...base, title: '找回密码', question: state.question, values, errors: opts.errors ?? {}, error: opts.error, scripts: ['captcha.js'],
      captchaRefresh: '/recover/answer',
    });

  r.get('/recover/answer', inFlow('question'), (_req, res) => renderAnswer(res, flowState(res), { answer: '' }));

  r.post('/recover/answer', inFlow('question'), formAction({
    load: (_req, res) => flowState(res),
    // The 验证码 is taken (and so used up) whatever the answer says, and reported beside its field.
    schema: async (fields, req) => {
      const parsed = parse(recoverAnswerSchema, fields);
      const captcha = await captchas.take(req, fields.captcha ?? '');
      const errors: Errors = parsed.ok ? {} : { ...parsed.errors };
      if (!errors.captcha && captcha !== 'ok') errors.captcha = captcha === 'expired' ? M.captchaExpired : M.captchaWrong;
      return parsed.ok && !Object.keys(errors).length ? parsed : { ok: false, errors };
    },
    keep: ['answer'],
    render: (_req, res, f, state) => renderAnswer(res, state, f.values, { errors: f.errors }, f.status),
    run: async (data, req, state) => {
      await recovery.answer(state, data.answer, req.ip ?? '');
      await regenerate(req);
      req.session.recovery = { ...state, answered: true };
    },
    redirect: '/recover/reset',
  }));

  const renderReset = (res: Response, errors: Errors = {}, status = 200) =>
    res.status(status).render('recover/reset', { ...base, title: '找回密码', errors, rule: PASSWORD_RULE });

  r.get('/recover/reset', inFlow('answered'), (_req, res) => renderReset(res));

  r.post('/recover/reset', inFlow('answered'), formAction({
    load: (_req, res) => flowState(res),
    schema: recoverResetSchema,
    keep: [],
    render: (_req, res, f) => renderReset(res, f.errors, f.status),
    run: async (data, req, state) => {
      await recovery.reset(state, data.next, req.ip ?? '');
      delete req.session.recovery;
    },
    redirect: '/recover/done',
  }));

  r.get('/recover/done', (_req, res) => res.render('recover/done', { ...base, title: '找回密码' }));

  return r;
}
