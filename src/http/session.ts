import session from 'express-session';
import type { Request, RequestHandler } from 'express';
import type { QueryPool } from '../db/connection';
import type { AlongSql, PageRead } from './session-repo';
import { MergingSessionStore, sessionStored } from './session-store';

export const SESSION_COOKIE = 'cupp.sid';
const IDLE_MINUTES = 30;

/** Sessions live in PostgreSQL on both engines, so any instance can serve any request. */
export function sessionMiddleware(opts: {
  pool: QueryPool; secret: string; secure: boolean; along?: AlongSql;
  /** The page read sent with this request's session, if its page has one (src/http/page-reads.ts). */
  pageOf?: (req: Request) => PageRead | undefined;
  /** Failures of the store's background work (its prune, ending a replaced session). */
  errorLog?: (message: string, err: unknown) => void;
}): RequestHandler {
  // Overlapping requests of one browser each write only what they changed (src/http/session-store.ts).
  const store = new MergingSessionStore({
    pool: opts.pool,
    pruneIntervalSeconds: 15 * 60,
    // The idle limit is the store's, renewed by a request once the last renewal is a minute old
    // (src/http/session-store.ts TOUCH_AFTER_SECONDS): never longer than IDLE_MINUTES.
    ttlSeconds: IDLE_MINUTES * 60,
    // What every signed-in page reads next (its user), read in the session's own statement.
    ...(opts.along ? { along: opts.along } : {}),
    ...(opts.errorLog ? { errorLog: opts.errorLog } : {}),
  });
  const handle = session({
    name: SESSION_COOKIE,
    store,
    secret: opts.secret,
    resave: false,
    saveUninitialized: false,
    // Not rolling: the cookie has no expiry to move forward (below), so re-sending it with every
    // answer (index.js shouldSetCookie: rollingSessions) only signed the same id again and sent an
    // identical Set-Cookie; the idle limit is the store's row expiry, renewed by its touch. A new
    // id (login, 找回密码, a first session) is still sent, as it is new (cookieId !== sessionID).
    rolling: false,
    // No maxAge: a browser session cookie. With one, the browser dropped the cookie at the very
    // moment the store ended the session, and a timeout looked like a first visit; now the dead
    // session's id comes back and the login page can say 登录已超时 (src/http/session-timeout.ts).
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure },
  });
  const { pageOf } = opts;
  if (!pageOf) return handle;
  return (req, res, next) => {
    store.nextPage = pageOf(req);
    handle(req, res, next);
    // A request without a session id never calls get: its read must not wait for the next one.
    store.nextPage = undefined;
  };
}

/**
 * A redirect waits until the session it depends on is in the store. express-session sends the
 * headers of an answer before its store write has finished (it holds back only the last byte), and
 * a browser follows a 303 as soon as it has the headers: the next page then read the session
 * without the wizard's or 找回密码's step in it and sent the student back to the start
 * (node_modules/express-session/index.js, res.end: writetop() sends all but the last byte while
 * session.save runs). A new session left empty is never written (saveUninitialized is off), so it
 * is not waited for; a stored one that was just emptied is, or the key it lost would still be read.
 * After regenerate (login, 找回密码) req.session is the new session, so the new id's row is what
 * is waited for.
 */
export const saveBeforeRedirect: RequestHandler = (req, res, next) => {
  const hasData = () => Object.keys(req.session ?? {}).some((k) => k !== 'cookie');
  const saveThen = (go: () => void) => req.session!.save((err) => (err ? next(err) : go()));
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session || (!hasData() && !sessionStored(req))) return redirect(...args);
    saveThen(() => redirect(...args));
  }) as typeof res.redirect;
  // A page that starts a session (the first anonymous page, with its CSRF mark) is followed at once
  // by its own requests (the 验证码 image, then its form). Sent before its row exists, the image
  // came with an id the store did not know yet, express-session gave it a fresh session (index.js:
  // store.get finds nothing → generate()), and the answer and the form's token were bound to two
  // different ids. So a session's first page waits for its first write, as a redirect does.
  const render = res.render.bind(res) as (...args: unknown[]) => void;
  // Not for an error page: the error handler draws it through res.render too, and while the
  // database is down the save would fail and turn the 503 page into a bare 500. A page whose first
  // write fails is still drawn (its 验证码 may then need one reload), never replaced by an error.
  res.render = ((...args: unknown[]) => {
    if (!req.session || !hasData() || sessionStored(req) || res.statusCode >= 400) return render(...args);
    req.session.save(() => render(...args));
  }) as typeof res.render;
  next();
};
