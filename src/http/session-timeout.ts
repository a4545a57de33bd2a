// A session timeout, told apart from a first visit: the request carries our session cookie (signed
// by us) but express-session found no live session for it (expired, pruned, or ended elsewhere)
// and started a fresh one. The login page then says 登录已超时，请重新登录, and a form posted into
// the dead session lands there too rather than on the CSRF refusal.
import { signedCookie } from 'cookie-parser';
import type { Request, RequestHandler } from 'express';
import { SESSION_COOKIE } from './session';

/** Mounted after the session and cookie-parser (which leaves the unsigned-by-secret value as sent). */
export function markTimedOut(secret: string): RequestHandler {
  return (req, _res, next) => {
    const raw = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
    // The usual case, the cookie's id is the session's: express-session verified its signature
    // already, and there is nothing to explain (no second HMAC for every request).
    if (typeof raw === 'string' && raw.startsWith('s:') && raw.slice(2, raw.lastIndexOf('.')) !== req.sessionID) {
      const sid = signedCookie(raw, secret);
      // A cookie we did not sign is not ours to explain: it is simply ignored, as express-session does.
      if (sid && sid !== req.sessionID) req.sessionTimedOut = true;
    }
    next();
  };
}

/** The login page's address after a timeout: the message, the place, and where to go after. */
export function loginAfterTimeout(place: { step?: string; next?: string } = {}): string {
  const q = ['timeout=1'];
  if (place.step) q.push(`step=${place.step}`);
  if (place.next) q.push(`next=${encodeURIComponent(place.next)}`);
  return `/login?${q.join('&')}`;
}

/**
 * The browser itself says the form came from one of our pages: Sec-Fetch-Site where it is sent,
 * else Origin, else Referer. A request with none of them (or from another site) is not explained
 * away as a timeout; it meets the CSRF check as before.
 */
export function sameOrigin(req: Request, publicUrl: string): boolean {
  const site = req.get('sec-fetch-site');
  if (site) return site === 'same-origin';
  const ours = new Set([new URL(publicUrl).origin, `${req.protocol}://${req.get('host') ?? ''}`]);
  const origin = req.get('origin');
  if (origin) return ours.has(origin);
  const referer = req.get('referer');
  if (!referer) return false;
  try {
    return ours.has(new URL(referer).origin);
  } catch {
    return false;
  }
}

/** Where a form posted to `path` leaves its sender after a timeout: the step told, and the page after signing in. */
export type PlaceOf = (path: string) => { step: string; next: string } | null;

/**
 * A same-origin POST into a timed-out session goes to the login page with the place it was sent
 * from explained, before the CSRF check (which would refuse it: its token was bound to the dead
 * session). No handler runs, so nothing is written; the new session is empty and not stored.
 * `placeOf` names the forms that have a place of their own (the payment wizard's); any other form
 * is sent back to the page it came from.
 */
export function timedOutPost(publicUrl: string, placeOf: PlaceOf = () => null): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'POST' || !req.sessionTimedOut || req.user || !sameOrigin(req, publicUrl)) return next();
    // 找回密码 is a flow of the signed-out: its expired page is told so by the CSRF refusal's
    // 页面已过期…请返回刷新页面, and the login page would be no place to explain it.
    if (req.path.startsWith('/recover')) return next();
    // 退出登录 from a page left open past the timeout: the person is signed out either way.
    if (req.path === '/logout') return res.redirect(303, '/login?out=1');
    if (req.path === '/login') return res.redirect(303, loginAfterTimeout());
    // Any other form: back to the page it was on (the login route keeps only a local path).
    res.redirect(303, loginAfterTimeout(placeOf(req.path) ?? { step: 'other', next: refererPath(req) }));
  };
}

function refererPath(req: Request): string {
  try {
    const u = new URL(req.get('referer') ?? '');
    return u.pathname + u.search;
  } catch {
    return '';
  }
}
