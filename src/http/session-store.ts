// Sessions stored as each request's changes rather than as whole objects. express-session loads the
// whole session when a request begins (index.js: store.get → inflate → store.createSession) and
// hands the whole object back when it saves (session/session.js: save → store.set(this.id, this));
// connect-pg-simple writes that object over the row (index.js set: INSERT … ON CONFLICT (sid) DO
// UPDATE SET sess=$1). Two requests of one browser that overlap (two tabs, a 验证码 image beside a
// form post, a page and its next step) each loaded the same session, and the later save put back
// what it had loaded: the other's step was undone (the wizard's items, step 1 of 密保修改), a key
// the other deleted came back, and a session ended meanwhile (退出登录, a new id at login) was
// written again. Here a save writes only the keys this request changed since it loaded the
// session, into the row as it is at that moment (src/http/session-repo.ts).
import type { Request } from 'express';
import connectPgSimple from 'connect-pg-simple';
import session, { type Session, type SessionData } from 'express-session';
import type { QueryPool } from '../db/connection';
import { sessionRows, type SessionRows } from './session-repo';

const PgStore = connectPgSimple(session);

/** Each key's value as JSON, the cookie left out (express-session's own hash leaves it out too). */
type Values = Map<string, string>;

/** Per request: the session id it holds and the values it last read from or wrote to the store. */
const known = new WeakMap<Request, { sid: string; values: Values }>();

function valuesOf(sess: object): Values {
  const out: Values = new Map();
  for (const [k, v] of Object.entries(sess)) if (k !== 'cookie' && v !== undefined) out.set(k, JSON.stringify(v));
  return out;
}

/** The request's session is in the store (loaded from it, or written by this request). */
export function sessionStored(req: Request): boolean {
  return known.get(req)?.sid === req.sessionID;
}

type Done = (err?: unknown) => void;

export class MergingSessionStore extends PgStore {
  readonly #rows: SessionRows;
  readonly #ttlSeconds: number;

  constructor(opts: { pool: QueryPool; ttlSeconds: number; pruneIntervalSeconds: number; rows?: SessionRows }) {
    super({
      pool: opts.pool as never,
      tableName: 'sessions',
      createTableIfMissing: false,
      pruneSessionInterval: opts.pruneIntervalSeconds,
      ttl: opts.ttlSeconds,
    });
    this.#rows = opts.rows ?? sessionRows(opts.pool);
    this.#ttlSeconds = opts.ttlSeconds;
  }

  /** express-session builds every loaded session here (and again on reload): the moment to remember it. */
  override createSession(req: Request, data: SessionData): Session & SessionData {
    const s = super.createSession(req, data);
    known.set(req, { sid: req.sessionID, values: valuesOf(s) });
    return s;
  }

  override set(sid: string, sess: SessionData, callback?: Done): void {
    const done: Done = (err) => callback?.(err);
    // A Session carries its request (session/session.js defines `req` on it).
    const req = (sess as unknown as { req?: Request }).req;
    const base = req ? known.get(req) : undefined;
    const now = valuesOf(sess);
    if (!req || !base || base.sid !== sid) {
      // Born in this request (no cookie, an ended session, or regenerate's new id): no other
      // request knows the id yet, so the whole object is the change. Later saves of this same
      // request (login saves, then the redirect, then express-session at the end) are merges.
      super.set(sid, sess, (err?: unknown) => {
        if (!err && req) known.set(req, { sid, values: now });
        done(err);
      });
      return;
    }
    const set: Record<string, unknown> = {};
    const remove: string[] = [];
    const data = sess as unknown as Record<string, unknown>;
    for (const [k, v] of now) if (base.values.get(k) !== v) set[k] = data[k];
    for (const k of base.values.keys()) if (!now.has(k)) remove.push(k);
    // Nothing of ours changed: renew the idle limit only, as express-session's touch does.
    if (!Object.keys(set).length && !remove.length) return this.#touch(sid, sess, done);
    this.#rows.merge(sid, { set: { ...set, cookie: sess.cookie }, remove }, this.#expireAt(sess)).then((found) => {
      // No row: another request ended this session, and it stays ended; the next request of
      // this browser finds no session, as after a timeout.
      if (found) base.values = now;
      done();
    }, done);
  }

  // connect-pg-simple's touch only moves `expire` (UPDATE … SET expire = … WHERE sid = …): it never
  // writes the session's data, so a touch cannot undo anything either.
  #touch(sid: string, sess: SessionData, done: Done): void {
    (this.touch as (sid: string, sess: SessionData, cb: Done) => void).call(this, sid, sess, done);
  }

  /** As connect-pg-simple reckons it: the cookie's expiry when it has one, else now plus the idle limit. */
  #expireAt(sess: SessionData): number {
    const expires = sess.cookie?.expires;
    return expires ? Math.ceil(new Date(expires).valueOf() / 1000) : Math.ceil(Date.now() / 1000 + this.#ttlSeconds);
  }
}
