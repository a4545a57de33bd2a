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
  });
  return session({
    name: SESSION_COOKIE,
    store,
    secret: opts.secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, maxAge: IDLE_MINUTES * 60 * 1000 },
  });
}
