import { Router } from 'express';
import { formFields, parse } from '../../http/validate';
import { PASSWORD_CHANGE_PATH } from '../../http/guards';
import { SESSION_COOKIE } from '../../http/session';
import type { AnnouncementRepo } from '../announcements/repo';
import { CAPTCHA_PATH } from '../captcha/routes';
import { AUTH_MESSAGES, timeoutNotices } from './messages';
import { loginSchema } from './schemas';
import type { AuthService } from './service';

export function authRoutes(deps: { auth: AuthService; announcements: AnnouncementRepo; financePhones: string }) {
  const r = Router();
  const { auth } = deps;

  const renderLogin = async (res: import('express').Response, view: { values?: Record<string, string>; errors?: Record<string, string>; error?: string; notices?: string[]; next?: string; captcha?: boolean }, status = 200) => {
    res.status(status).render('auth/login', {
      title: '登录',
      captcha: view.captcha ?? false,
      captchaSrc: CAPTCHA_PATH,
      captchaWhy: AUTH_MESSAGES.captchaWhy,
      scripts: view.captcha ? ['captcha.js'] : [],
      values: view.values ?? {},
      errors: view.errors ?? {},
      error: view.error,
      notices: view.notices ?? [],
      next: view.next ?? '',
      financePhones: deps.financePhones,
      announcements: await deps.announcements.published(new Date()),
    });
  };

  r.get('/login', async (req, res) => {
    if (req.user) return res.redirect(303, '/');
    const next = safeNext(req.query.next);
    const notices = req.query.out === '1' ? [AUTH_MESSAGES.signedOut] : req.query.timeout === '1' ? timeoutNotices(req.query.step) : [];
    const captcha = await auth.captchaNeeded(req.ip ?? '');
    await renderLogin(res, { next, notices, captcha });
  });

  r.post('/login', async (req, res, next) => {
    const fields = formFields(req.body);
    const values = { username: fields.username ?? '' };
    const parsed = parse(loginSchema, fields);
    if (!parsed.ok) {
      return renderLogin(res, { values, errors: parsed.errors, next: safeNext(fields.next), captcha: Boolean(fields.captcha !== undefined || parsed.errors.captcha) }, 400);
    }
    const result = await auth.login({ ...parsed.data, ip: req.ip ?? '', req });
    if (!result.ok) {
      const view = { values, next: safeNext(fields.next), captcha: result.captcha };
      if (result.reason === 'wait') return renderLogin(res, { ...view, error: AUTH_MESSAGES.wait(result.seconds) }, 429);
      if (result.reason === 'invalid' || result.reason === 'disabled') return renderLogin(res, { ...view, error: AUTH_MESSAGES[result.reason] }, 401);
      return renderLogin(res, { ...view, errors: { captcha: AUTH_MESSAGES[result.reason] } }, 400);
    }
    // A fresh session id at login: an id planted before sign-in is worth nothing after it.
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.accountId = result.accountId;
      req.session.save((err2) => {
        if (err2) return next(err2);
        res.redirect(303, result.mustChangePassword ? PASSWORD_CHANGE_PATH : safeNext(fields.next) || '/');
      });
    });
  });

  r.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      // The browser would otherwise keep sending the ended session's id, and the next visit
      // would read as a timeout (登录已超时) rather than the 退出登录 it was.
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      res.redirect(303, '/login?out=1');
    });
  });

  return r;
}

/** Only a local path: an open redirect after login would make a fine phishing tool. */
function safeNext(v: unknown): string {
  return typeof v === 'string' && /^\/(?![/\\])[\w\-/?=&.%]*$/.test(v) && !v.startsWith('/login') ? v : '';
}
