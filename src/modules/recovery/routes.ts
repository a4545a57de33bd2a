// 找回密码 (linked from the login page). Public: mounted before requireLogin.
import { Router, type Request, type Response } from 'express';
import { PASSWORD_RULE } from '../../domain/password-policy';
import { formFields, parse } from '../../http/validate';
import { CAPTCHA_PATH, type Captchas } from '../captcha/routes';
import { RECOVERY_MESSAGES as M } from './messages';
import { recoverAnswerSchema, recoverResetSchema, recoverStartSchema } from './schemas';
import type { RecoveryService, RecoveryState } from './service';

type Errors = Record<string, string>;

/** A fresh session id whenever the flow moves forward: an id planted before cannot ride along. */
function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

export function recoveryRoutes(deps: { recovery: RecoveryService; captchas: Captchas; financePhones: string }) {
  const r = Router();
  const { recovery, captchas, financePhones } = deps;
  const base = { crumbs: ['找回密码'], M, financePhones };

  const current = (req: Request): RecoveryState | undefined => {
    const s = req.session.recovery;
    if (!s) return undefined;
    if (s.expires < Date.now()) {
      delete req.session.recovery;
      return undefined;
    }
    return s;
  };

  const renderStart = (res: Response, values: Record<string, string>, opts: { errors?: Errors; error?: string; notices?: string[]; captcha?: boolean } = {}, status = 200) =>
    res.status(status).render('recover/start', {
      ...base, title: '找回密码', values, errors: opts.errors ?? {}, error: opts.error, notices: opts.notices ?? [],
      captcha: opts.captcha ?? false, captchaSrc: CAPTCHA_PATH, scripts: opts.captcha ? ['captcha.js'] : [],
    });

  // Someone signed in knows the password: 密码修改 is the way, and regenerating would sign them out.
  r.use('/recover', (req, res, next) => (req.user ? res.redirect(303, '/profile/password') : next()));

  r.get('/recover', async (req, res) => {
    const captcha = await recovery.captchaNeeded(req.ip ?? '');
    renderStart(res, { username: '', idNumber: '' }, { captcha, notices: req.query.expired === '1' ? [M.expired] : [] });
  });

  r.post('/recover', async (req, res) => {
    const fields = formFields(req.body);
    const values = { username: fields.username ?? '', idNumber: fields.idNumber ?? '' };
    const parsed = parse(recoverStartSchema, fields);
    if (!parsed.ok) return renderStart(res, values, { errors: parsed.errors, captcha: fields.captcha !== undefined }, 400);
    const result = await recovery.start({ ...parsed.data, ip: req.ip ?? '', req });
    if (result.kind === 'wait') return renderStart(res, values, { error: M.wait(result.seconds), captcha: true }, 429);
    if (result.kind !== 'question') return renderStart(res, values, { error: M.captchaWhy, errors: { captcha: M[result.kind] }, captcha: true }, 400);
    await regenerate(req);
    req.session.recovery = result.state;
    res.redirect(303, '/recover/answer');
  });

  const renderAnswer = (res: Response, state: RecoveryState, values: Record<string, string>, opts: { errors?: Errors; error?: string } = {}, status = 200) =>
    res.status(status).render('recover/answer', {
      ...base, title: '找回密码', question: state.question, values, errors: opts.errors ?? {}, error: opts.error, scripts: ['captcha.js'],
    });

  r.get('/recover/answer', (req, res) => {
    const state = current(req);
    if (!state) return res.redirect(303, '/recover?expired=1');
    renderAnswer(res, state, { answer: '' });
  });

  r.post('/recover/answer', async (req, res) => {
    const state = current(req);
    if (!state) return res.redirect(303, '/recover?expired=1');
    const fields = formFields(req.body);
    const values = { answer: fields.answer ?? '' };
    const parsed = parse(recoverAnswerSchema, fields);
    const captcha = await captchas.take(req, fields.captcha ?? '');
    const errors: Errors = parsed.ok ? {} : { ...parsed.errors };
    if (!errors.captcha && captcha !== 'ok') errors.captcha = captcha === 'expired' ? M.captchaExpired : M.captchaWrong;
    if (!parsed.ok || Object.keys(errors).length) return renderAnswer(res, state, values, { errors }, 400);
    const outcome = await recovery.answer(state, parsed.data.answer, req.ip ?? '');
    if (outcome.kind === 'wrong') return renderAnswer(res, state, values, { errors: { answer: M.answerWrong } }, 400);
    await regenerate(req);
    req.session.recovery = { ...state, answered: true };
    res.redirect(303, '/recover/reset');
  });

  const renderReset = (res: Response, errors: Errors = {}, status = 200) =>
    res.status(status).render('recover/reset', { ...base, title: '找回密码', errors, rule: PASSWORD_RULE });

  r.get('/recover/reset', (req, res) => {
    const state = current(req);
    if (!state?.answered) return res.redirect(303, '/recover?expired=1');
    renderReset(res);
  });

  r.post('/recover/reset', async (req, res) => {
    const state = current(req);
    if (!state?.answered) return res.redirect(303, '/recover?expired=1');
    const parsed = parse(recoverResetSchema, formFields(req.body));
    if (!parsed.ok) return renderReset(res, parsed.errors, 400);
    const result = await recovery.reset(state, parsed.data.next, req.ip ?? '');
    if (!result.ok) return renderReset(res, result.errors, 400);
    delete req.session.recovery;
    res.redirect(303, '/recover/done');
  });

  r.get('/recover/done', (_req, res) => res.render('recover/done', { ...base, title: '找回密码' }));

  return r;
}
