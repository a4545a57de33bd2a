// 个人信息 (图3–图7). Every handler acts on req.user — the signed-in account — and
// never reads an account or person id from the URL or the form.
import { Router, type Request, type Response } from 'express';
import { maskMobile } from '../../domain/mask';
import { PASSWORD_RULE } from '../../domain/password-policy';
import { notFound } from '../../http/errors';
import { formAction } from '../../http/form-route';
import { pageReadFor } from '../../http/page-reads';
import { formFields, parse } from '../../http/validate';
import { CAPTCHA_PATH, type Captchas } from '../captcha/routes';
import { BANK_SUGGESTIONS, PROFILE_MESSAGES as M, SECURITY_QUESTIONS } from './messages';
import { bankCardSchema, passwordChangeSchema, profileEditSchema, securitySchema, verifyPasswordSchema } from './schemas';
import type { ProfileService } from './service';
import { profileRead } from './page-reads';

/** How long a passed 第一步：验证密码 opens 第二步 for. */
export const SECURITY_STEP_MS = 10 * 60 * 1000;

type Errors = Record<string, string>;

/** Posts that hash (bcrypt: the password asked again, a new password or 密保 answer): refused early when its gate is full (src/http/shed-hashing.ts). */
export const PROFILE_HASHING_POSTS = ['/profile/password', '/profile/security', '/profile/security/question', '/profile/bank'] as const;

const actor = (req: Request) => ({ accountId: req.user!.accountId, ip: req.ip ?? '' });

export function profileRoutes(deps: { profile: ProfileService; captchas: Captchas }) {
  const r = Router();
  const { profile } = deps;

  const load = async (req: Request) => {
    const p = await profile.view(req.user!.accountId, pageReadFor(req, profileRead));
    if (!p) throw notFound();
    return p;
  };

  r.get('/profile', async (req, res) => {
    // The e-mail state comes with the rest (one statement after the session's, src/modules/profile/repo.ts).
    const p = await load(req);
    const saved = typeof req.query.saved === 'string' && Object.hasOwn(M.saved, req.query.saved) ? M.saved[req.query.saved as keyof typeof M.saved] : undefined;
    res.render('profile/index', {
      title: '个人信息', crumbs: ['个人信息'], nav: 'profile', p, M, emailState: p.emailState,
      notices: [saved, req.query.unchanged === '1' ? M.unchanged : undefined].filter(Boolean),
    });
  });

  // ── 个人信息修改 (图4) ──
  const renderEdit = async (req: Request, res: Response, values: Record<string, string> | null, errors: Errors = {}, status = 200) => {
    const p = await load(req);
    res.status(status).render('profile/edit', {
      title: '信息修改', crumbs: ['个人信息', '信息修改'], nav: 'profile', M, errors,
      mobileMasked: maskMobile(p.mobile),
      values: values ?? { mobile: '', email: p.email, postcode: p.postcode, address: p.address },
    });
  };

  r.get('/profile/edit', (req, res) => renderEdit(req, res, null));

  r.post('/profile/edit', async (req, res) => {
    const fields = formFields(req.body);
    const values = { mobile: fields.mobile ?? '', email: fields.email ?? '', postcode: fields.postcode ?? '', address: fields.address ?? '' };
    const parsed = parse(profileEditSchema, values);
    if (!parsed.ok) return renderEdit(req, res, values, parsed.errors, 400);
    const { changed, confirmationSent } = await profile.updateContact(actor(req), parsed.data);
    res.redirect(303, confirmationSent ? '/profile?saved=email' : changed.length ? '/profile?saved=info' : '/profile?unchanged=1');
  });

  // ── 密码修改 (图5) ──
  const renderPassword = (res: Response, errors: Errors = {}, status = 200) =>
    res.status(status).render('profile/password', {
      title: '密码修改', crumbs: ['个人信息', '密码修改'], nav: 'profile', errors, rule: PASSWORD_RULE,
      forced: res.locals.user?.mustChangePassword ?? false,
    });

  r.get('/profile/password', (_req, res) => renderPassword(res));

  r.post('/profile/password', formAction({
    schema: passwordChangeSchema, keep: [],
    // Read before the change clears it: where a forced change goes next.
    load: (req) => ({ forced: req.user!.mustChangePassword }),
    render: (_req, res, f) => renderPassword(res, f.errors, f.status),
    run: (d, req) => profile.changePassword({ accountId: req.user!.accountId, current: d.current, next: d.next, sessionId: req.sessionID, ip: req.ip ?? '' }),
    redirect: (_r, _d, ctx) => (ctx.forced ? '/?changed=1' : '/profile?saved=password'),
  }));

  // ── 密保修改 第一步：验证密码 (图6) ──
  const securityCrumbs = ['个人信息', '修改密保'];
  const renderVerify = (res: Response, errors: Errors = {}, status = 200, notices: string[] = []) =>
    res.status(status).render('profile/security-verify', { title: '修改密保', crumbs: securityCrumbs, nav: 'profile', M, errors, notices });

  r.get('/profile/security', (req, res) => renderVerify(res, {}, 200, req.query.first === '1' ? [M.step1First] : []));

  r.post('/profile/security', formAction({
    schema: verifyPasswordSchema, keep: [],
    render: (_req, res, f) => renderVerify(res, f.errors, f.status),
    run: async (d, req) => {
      await profile.verifyForSecurity(actor(req), d.password);
      req.session.securityVerifiedAt = Date.now();
    },
    redirect: '/profile/security/question',
  }));

  // ── 密保修改 第二步：修改密保 (图7) ──
  const stepOnePassed = (req: Request) => {
    const at = req.session.securityVerifiedAt;
    return typeof at === 'number' && Date.now() - at < SECURITY_STEP_MS;
  };
  const renderSecurity = (res: Response, values: Record<string, string>, errors: Errors = {}, status = 200) =>
    res.status(status).render('profile/security', {
      title: '修改密保', crumbs: securityCrumbs, nav: 'profile', M, errors, values, questions: SECURITY_QUESTIONS,
      captchaSrc: CAPTCHA_PATH, scripts: ['captcha.js'], captchaRefresh: '/profile/security/question',
    });

  r.get('/profile/security/question', (req, res) => {
    if (!stepOnePassed(req)) return res.redirect(303, '/profile/security?first=1');
    renderSecurity(res, { question: '', answer: '' });
  });

  r.post('/profile/security/question', async (req, res) => {
    if (!stepOnePassed(req)) return res.redirect(303, '/profile/security?first=1');
    const fields = formFields(req.body);
    const values = { question: fields.question ?? '', answer: fields.answer ?? '' };
    const parsed = parse(securitySchema, fields);
    // The captcha is spent by any submission, so a wrong answer cannot be retried on the same image.
    const captcha = await deps.captchas.take(req, fields.captcha ?? '');
    const errors: Errors = parsed.ok ? {} : { ...parsed.errors };
    if (!errors.captcha && captcha !== 'ok') errors.captcha = captcha === 'expired' ? M.captchaExpired : M.captchaWrong;
    if (!parsed.ok || Object.keys(errors).length) return renderSecurity(res, values, errors, 400);
    await profile.setSecurity(actor(req), parsed.data);
    delete req.session.securityVerifiedAt;
    res.redirect(303, '/profile?saved=security');
  });

  // ── 银行卡修改 ──
  const renderBank = async (req: Request, res: Response, values: Record<string, string> | null, errors: Errors = {}, status = 200) => {
    const p = await load(req);
    res.status(status).render('profile/bank', {
      title: '银行卡修改', crumbs: ['个人信息', '银行卡修改'], nav: 'profile', M, errors, banks: BANK_SUGGESTIONS,
      current: p.bankCardMasked ? { bankName: p.bankName, masked: p.bankCardMasked } : null,
      values: values ?? { bankName: p.bankName ?? '', cardNumber: '' },
    });
  };

  r.get('/profile/bank', (req, res) => renderBank(req, res, null));

  r.post('/profile/bank', formAction({
    schema: bankCardSchema, keep: ['bankName', 'cardNumber'],
    render: (req, res, f) => renderBank(req, res, f.values, f.errors, f.status),
    run: (d, req) => profile.setBankCard(actor(req), d),
    redirect: '/profile?saved=bank',
  }));

  return r;
}
