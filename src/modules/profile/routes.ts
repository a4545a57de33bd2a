import { Router } from 'express';
import { formFields, parse } from '../../http/validate';
import { PASSWORD_RULE } from '../../domain/password-policy';
import { passwordChangeSchema } from './schemas';
import type { ProfileService } from './service';

export function profileRoutes(deps: { profile: ProfileService }) {
  const r = Router();

  const renderPassword = (res: import('express').Response, errors: Record<string, string> = {}, status = 200) =>
    res.status(status).render('profile/password', {
      title: '密码修改', crumbs: ['个人信息', '密码修改'], nav: 'profile', errors, rule: PASSWORD_RULE,
      forced: res.locals.user?.mustChangePassword ?? false,
    });

  r.get('/profile/password', (_req, res) => renderPassword(res));

  r.post('/profile/password', async (req, res) => {
    const parsed = parse(passwordChangeSchema, formFields(req.body));
    if (!parsed.ok) return renderPassword(res, parsed.errors, 400);
    const result = await deps.profile.changePassword({
      accountId: req.user!.accountId, current: parsed.data.current, next: parsed.data.next, sessionId: req.sessionID, ip: req.ip ?? '',
    });
    if (!result.ok) return renderPassword(res, result.errors, 400);
    res.redirect(303, '/?changed=1');
  });

  return r;
}
