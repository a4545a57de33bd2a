// The links in the mails: 确认邮箱 and 退订. Public (the mail may be opened anywhere, signed in or
// not): the token is the proof. GET only shows a button, POST acts, so a mail scanner that
// follows links confirms or unsubscribes nothing.
import { Router, type Response } from 'express';
import { z } from 'zod';
import { isAppError } from '../../domain/app-error';
import { formFields, parse } from '../../http/validate';
import { EMAIL_MESSAGES as M } from './messages';
import type { EmailService } from './service';

const tokenSchema = z.object({ token: z.string().trim().min(1, '链接不完整').max(200, '链接无效').regex(/^[A-Za-z0-9._-]+$/, '链接无效') });

export function emailRoutes(deps: { email: EmailService }) {
  const r = Router();
  const { email } = deps;

  const page = (res: Response, status: number, v: { title: string; message: string; ok?: boolean; ask?: boolean; action?: string; token?: string }) => {
    res.set({ 'Referrer-Policy': 'no-referrer' });
    res.status(status).render('email/link', { crumbs: [v.title], ok: false, ask: false, action: '', token: '', ...v });
  };
  const token = (src: unknown) => parse(tokenSchema, formFields(src));

  r.get('/email/confirm', async (req, res) => {
    const t = token(req.query);
    if (!t.ok) return page(res, 400, { title: M.confirmTitle, message: M.confirmBad });
    try {
      const address = await email.peekConfirmation(t.data.token);
      page(res, 200, { title: M.confirmTitle, message: M.confirmAsk(address), ask: true, action: '/email/confirm', token: t.data.token });
    } catch (e) {
      if (!isAppError(e)) throw e;
      page(res, 400, { title: M.confirmTitle, message: e.message });
    }
  });

  r.post('/email/confirm', async (req, res) => {
    const t = token(req.body);
    if (!t.ok) return page(res, 400, { title: M.confirmTitle, message: M.confirmBad });
    try {
      page(res, 200, { title: M.confirmTitle, message: M.confirmed(await email.confirm(t.data.token, req.ip ?? '')), ok: true });
    } catch (e) {
      if (!isAppError(e)) throw e;
      page(res, 400, { title: M.confirmTitle, message: e.message });
    }
  });

  r.get('/email/unsubscribe', (req, res) => {
    const t = token(req.query);
    try {
      if (!t.ok) throw new Error('bad');
      email.checkUnsubscribe(t.data.token);
      page(res, 200, { title: M.unsubscribeTitle, message: M.unsubscribeAsk, ask: true, action: '/email/unsubscribe', token: t.data.token });
    } catch {
      page(res, 400, { title: M.unsubscribeTitle, message: M.unsubscribeBad });
    }
  });

  r.post('/email/unsubscribe', async (req, res) => {
    const t = token(req.body);
    try {
      if (!t.ok) throw new Error('bad');
      await email.unsubscribe(t.data.token, req.ip ?? '');
      page(res, 200, { title: M.unsubscribeTitle, message: M.unsubscribed, ok: true });
    } catch (e) {
      if (t.ok && !isAppError(e)) throw e;
      page(res, 400, { title: M.unsubscribeTitle, message: M.unsubscribeBad });
    }
  });

  return r;
}
