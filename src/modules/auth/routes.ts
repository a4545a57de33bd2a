import { Router } from 'express';
import { formAction } from '../../http/form-route';
import { formFields } from '../../http/validate';
import { heldHashing } from '../../http/shed-hashing';
import { PASSWORD_CHANGE_PATH } from '../../http/guards';
import { SESSION_COOKIE } from '../../http/session';
import type { AnnouncementRepo } from '../announcements/repo';
import { CAPTCHA_PATH } from '../captcha/routes';
import { qrSvg } from '../ebills/view';
import { AUTH_MESSAGES, timeoutNotices } from './messages';
import { loginSchema } from './schemas';
import type { AuthService } from './service';

/** Posts that hash (bcrypt): refused early when its gate is full, else holding their place from arrival (src/http/shed-hashing.ts). */
export const AUTH_HASHING_POSTS = ['/login'] as const;

export function authRoutes(deps: { auth: AuthService; announcements: AnnouncementRepo; financePhones: string; publicUrl: string }) {
  const r = Router();
  const { auth } = deps;
  // 四.2: the platform's address as a QR code, for a phone to open it. Drawn once on the server
  // (inline SVG, nothing for the CSP to allow), since every visit to the login page shows it.
  const phoneAddress = `${deps.publicUrl.replace(/\/+$/, '')}/`;
  let phoneQr: Promise<string> | null = null;
  const qr = () => (phoneQr ??= qrSvg(phoneAddress).catch((e: unknown) => {
    phoneQr = null;
    throw e;
  }));

  const renderLogin = async (res: import('express').Response, view: { values?: Record<string, string>; errors?: Record<string, string>; error?: string; notices?: string[]; next?: string; captcha?: boolean }, status = 200) => {
    res.status(status).render('auth/login', {
      title: '登录',
      captcha: view.captcha ?? false,
      captchaSrc: CAPTCHA_PATH,
      captchaRefresh: refreshLink(view.values?.username ?? '', view.next ?? ''),
      captchaWhy: AUTH_MESSAGES.captchaWhy,
      scripts: view.captcha ? ['captcha.js'] : [],
      values: view.values ?? {},
      errors: view.errors ?? {},
      error: view.error,
      notices: view.notices ?? [],
      next: view.next ?? '',
      financePhones: deps.financePhones,
      hints: AUTH_MESSAGES.loginHints(deps.financePhones),
      phone: { address: phoneAddress, qr: await qr(), title: AUTH_MESSAGES.phoneQrTitle, note: AUTH_MESSAGES.phoneQrNote },
      announcements: await deps.announcements.published(new Date()),
    });
  };

  r.get('/login', async (req, res) => {
    if (req.user) return res.redirect(303, '/');
    const next = safeNext(req.query.next);
    const notices = req.query.out === '1' ? [AUTH_MESSAGES.signedOut] : req.query.timeout === '1' ? timeoutNotices(req.query.step) : req.query.registered === '1' ? [AUTH_MESSAGES.registered]
      : req.query.payer === 'registered' ? [AUTH_MESSAGES.payerRegistered] : req.query.payer === 'reset' ? [AUTH_MESSAGES.payerReset] : [];
    // 换一张 without script comes back here with captcha=1: the field stays (the account may need it
    // even when this address does not), and so does the 用户名 typed. Asking for a 验证码 nobody
    // needs costs nothing: throttle.ts checks one only when its limits want one.
    const again = req.query.captcha === '1';
    const captcha = again || await auth.captchaNeeded(req.ip ?? '');
    // Just registered (新用户注册): the 身份证号 is the 用户名 from now on, so it is filled in once.
    const registered = req.session.registeredIdNumber;
    if (registered) delete req.session.registeredIdNumber;
    const username = again && typeof req.query.username === 'string' ? req.query.username.slice(0, 32) : registered ?? '';
    await renderLogin(res, { next, notices, captcha, values: { username } });
  });

  r.post('/login', formAction({
    schema: loginSchema,
    // What was typed in 用户名 comes back; the password and the 验证码 never do.
    keep: ['username'],
    render: (_req, res, f) => {
      const next = safeNext(f.fields.next);
      // A wrong field: the 验证码 stays on the page if it was on it (or is itself what was wrong).
      if (!f.refusal) return renderLogin(res, { values: f.values, errors: f.errors, next, captcha: f.fields.captcha !== undefined || Boolean(f.errors.captcha) }, f.status);
      const captcha = f.refusal.details.captcha === true;
      if (f.refusal.field === '_') return renderLogin(res, { values: f.values, error: f.refusal.message, next, captcha }, f.status);
      return renderLogin(res, { values: f.values, errors: f.errors, next, captcha }, f.status);
    },
    run: (data, req) => auth.login({ ...data, ip: req.ip ?? '', req, turn: heldHashing(req) }),
    respond: async (req, res, signedIn) => {
      // A fresh session id at login: an id planted before sign-in is worth nothing after it.
      await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
      req.session.accountId = signedIn.accountId;
      await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
      res.redirect(303, signedIn.mustChangePassword ? PASSWORD_CHANGE_PATH : safeNext(formFields(req.body).next) || '/');
    },
  }));

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

/** 看不清，换一张 as a link: the login page again, with its 验证码 and the 用户名 typed. */
function refreshLink(username: string, next: string): string {
  const q = new URLSearchParams({ captcha: '1' });
  if (username) q.set('username', username);
  if (next) q.set('next', next);
  return `/login?${q.toString()}`;
}

/** Only a local path: an open redirect after login would make a fine phishing tool. */
function safeNext(v: unknown): string {
  return typeof v === 'string' && /^\/(?![/\\])[\w\-/?=&.%]*$/.test(v) && !v.startsWith('/login') ? v : '';
}
