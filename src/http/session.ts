import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type { RequestHandler } from 'express';
import type { QueryPool } from '../db/connection';

export const SESSION_COOKIE = 'cupp.sid';
const IDLE_MINUTES = 30;

/** Sessions live in PostgreSQL on both engines, so any instance can serve any request. */
export function sessionMiddleware(opts: { pool: QueryPool; secret: string; secure: boolean }): RequestHandler {
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool: opts.pool as never,
    tableName: 'sessions',
    createTableIfMissing: false,
    pruneSessionInterval: 15 * 60,
    // The idle limit is the store's, renewed on every request (rolling, and touch when unchanged).
    ttl: IDLE_MINUTES * 60,
  });
  return session({
    name: SESSION_COOKIE,
    store,
    secret: opts.secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    // No maxAge: a browser session cookie. With one, the browser dropped the cookie at the very
    // moment the store ended the session, and a timeout looked like a first visit; now the dead
    // session's id comes back and the login page can say 登录已超时 (src/http/session-timeout.ts).
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure },
  });
}

/**
 * A redirect waits until the session it depends on is in the store. express-session sends the
 * headers of an answer before its store write has finished (it holds back only the last byte), and
 * a browser follows a 303 as soon as it has the headers: the next page then read the session
 * without the wizard's or 找回密码's step in it and sent the student back to the start. An empty
 * session is never written (saveUninitialized is off), so it is not waited for either.
 */
export const saveBeforeRedirect: RequestHandler = (req, res, next) => {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    const s = req.session as (typeof req.session & Record<string, unknown>) | undefined;
    if (!s || Object.keys(s).every((k) => k === 'cookie')) return redirect(...args);
    s.save((err) => (err ? next(err) : redirect(...args)));
  }) as typeof res.redirect;
  next();
};
