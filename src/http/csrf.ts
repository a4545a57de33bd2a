// Double-submit CSRF tokens (csrf-csrf), bound to the session id. Every page exposes the token as
// res.locals.csrfToken and every form posts it back as _csrf.
import { doubleCsrf } from 'csrf-csrf';
import type { RequestHandler } from 'express';

export function csrfMiddleware(secret: string, secure: boolean): RequestHandler[] {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => req.session.id,
    cookieName: secure ? '__Host-cupp.csrf' : 'cupp.csrf',
    cookieOptions: { sameSite: 'lax', secure, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
  });
  const expose: RequestHandler = (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      // An anonymous session is only saved once it holds something: give it a mark so that the
      // session id (which the token is bound to) survives until the form comes back.
      if (!req.session.accountId && !req.session.anon) req.session.anon = true;
      res.locals.csrfToken = generateCsrfToken(req, res);
    } else {
      res.locals.csrfToken = generateCsrfToken(req, res, { overwrite: false });
    }
    next();
  };
  // The token is exposed before the check: a refused request's 403 page is drawn with the layout,
  // whose 退出登录 form needs this session's token (generating one reads the request's cookie and
  // may set a new one on the answer; it never changes what the check compares).
  return [expose, doubleCsrfProtection];
}
