// With secure cookies on (COOKIE_SECURE, on by default in production) a browser on plain http would
// never send the session cookie back, and login would silently loop. Such a request is answered
// plainly instead: a page read is sent to the same address over https, anything else is refused with
// a page that says to use https. A request counts as https when it came over TLS, or when a trusted
// proxy (TRUST_PROXY) says so in X-Forwarded-Proto; the same header from anyone else is ignored.
import type { RequestHandler } from 'express';
import { HttpError } from './errors';

export const HTTPS_REQUIRED = '本站须通过 HTTPS 访问，请使用以 https:// 开头的地址重新打开页面';

export function requireHttps(opts: { secure: boolean; publicUrl: string }): RequestHandler {
  const publicOrigin = opts.publicUrl.startsWith('https://') ? new URL(opts.publicUrl).origin : undefined;
  return (req, res, next) => {
    if (!opts.secure || req.secure) return next();
    if (req.method === 'GET' || req.method === 'HEAD') {
      // PUBLIC_URL names the real address; without an https one, the host the browser asked for.
      return res.redirect(308, `${publicOrigin ?? `https://${req.hostname}`}${req.originalUrl}`);
    }
    next(new HttpError(403, HTTPS_REQUIRED));
  };
}
