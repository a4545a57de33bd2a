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
//
// The idle limit is renewed lazily: connect-pg-simple's touch (UPDATE … SET expire, an indexed
// column, so a new index entry each time) ran after every page that changed nothing. The row's
// expiry is read with the session, and a touch is sent only once it is TOUCH_AFTER_SECONDS old:
// a session then ends between IDLE − TOUCH_AFTER_SECONDS and IDLE after its last request, never later.
//
// A new id (regenerate: login, 找回密码, 新用户注册) ends the old one in the statement that first
// writes the new session, not in a DELETE of its own before it (express-session's Store#regenerate,
// session/store.js: destroy, then generate): a sign-in's statements cost the request thread and the
// database CPU that bcrypt wants on this machine. The new session is always written: its callers
// save before their redirect (login itself, the flows through saveBeforeRedirect, src/http/session.ts),
// so the old row is gone before the 303 is sent, and express-session saves a regenerated session at
// res.end in any case (index.js shouldSave: the id changed).
import type { Request } from 'express';
import connectPgSimple from 'connect-pg-simple';
import session, { type Session, type SessionData } from 'express-session';
import type { QueryPool } from '../db/connection';
import { sessionRows, type AlongSql, type PageRead, type SessionRows } from './session-repo';

const PgStore = connectPgSimple(session);

/** Each key's value as JSON, the cookie left out (express-session's own hash leaves it out too). */
type Values = Map<string, string>;

/** A touch renews the idle limit only when the stored expiry is older than this. */
export const TOUCH_AFTER_SECONDS = 60;

/** Per request: the session id it holds, the values it last read from or wrote to the store, and the stored expiry then. */
const known = new WeakMap<Request, { sid: string; values: Values; expireAtSeconds: number; along?: Along }>();

/** What `load` read beside a session object, until express-session hands the object to createSession. */
const loaded = new WeakMap<object, { expireAtSeconds: number; along: Along }>();

/** The along query's row read with the session, for the account id the session held then, and the page read asked for beside it. */
export interface Along { accountId: unknown; row: Record<string, unknown> | null; page?: { key: string; value: unknown } }

/** The along row read with this request's session, if the session was loaded from the store. */
export function sessionAlong(req: Request): Along | undefined {
  const k = known.get(req);
  return k && k.sid === req.sessionID ? k.along : undefined;
}

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
const nowSeconds = () => Date.now() / 1000;

export class MergingSessionStore extends PgStore {
  readonly #rows: SessionRows;
  readonly #ttlSeconds: number;
  /**
   * The page read for the next get only (src/http/session.ts sets it just before express-session
   * runs, which calls get in the same synchronous step, index.js: store.get(req.sessionID, …)), so
   * no other request's load can take it; a later reload of the session reads no page.
   */
  nextPage: PageRead | undefined;
  /** Per id made by regenerate and not yet written: the ids it replaces, whose rows its first write deletes. */
  readonly #replacing = new Map<string, string[]>();

  /** Where failures nobody waits on are told (connect-pg-simple's errorLog: its prune's, and ending a replaced session's). */
  readonly #errorLog: (message: string, err: unknown) => void;

  constructor(opts: { pool: QueryPool; ttlSeconds: number; pruneIntervalSeconds: number; rows?: SessionRows; along?: AlongSql; errorLog?: (message: string, err: unknown) => void }) {
    const errorLog = opts.errorLog ?? ((message: string, err: unknown) => console.error(message, err));
    super({
      pool: opts.pool as never,
      tableName: 'sessions',
      createTableIfMissing: false,
      pruneSessionInterval: opts.pruneIntervalSeconds,
      ttl: opts.ttlSeconds,
      errorLog: (...args: unknown[]) => errorLog(String(args[0]), args[1]),
    });
    this.#errorLog = errorLog;
    this.#rows = opts.rows ?? sessionRows(opts.pool, opts.along);
    this.#ttlSeconds = opts.ttlSeconds;
  }

  /** connect-pg-simple's get, with the row's expiry and the along row kept for createSession. */
  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    const page = this.nextPage;
    this.nextPage = undefined;
    this.#rows.load(sid, nowSeconds(), page).then((row) => {
      if (!row) return callback(null);
      let sess: SessionData;
      try {
        sess = (typeof row.sess === 'string' ? JSON.parse(row.sess) : row.sess) as SessionData;
      } catch {
        // As connect-pg-simple does with a row it cannot read: the session is ended.
        return this.destroy(sid, (err?: unknown) => callback(err));
      }
      const accountId = (sess as { accountId?: unknown }).accountId;
      loaded.set(sess, { expireAtSeconds: row.expireAtSeconds, along: { accountId, row: row.along, ...(row.page ? { page: row.page } : {}) } });
      callback(null, sess);
    }, (err: unknown) => callback(err));
  }

  /** express-session builds every loaded session here (and again on reload): the moment to remember it. */
  override createSession(req: Request, data: SessionData): Session & SessionData {
    const read = loaded.get(data);
    const s = super.createSession(req, data);
    known.set(req, { sid: req.sessionID, values: valuesOf(s), expireAtSeconds: read?.expireAtSeconds ?? 0, ...(read ? { along: read.along } : {}) });
    return s;
  }

  /**
   * Store#regenerate without its DELETE: the old id is remembered and its row deleted by the new
   * session's first write (set) or, should the new one be destroyed instead, with it (destroy).
   * Should neither come before the answer is over (a failed write), the old row is deleted then,
   * as express-session would have deleted it: a regenerate always ends the old session.
   */
  override regenerate(req: Request, fn: (err?: unknown) => void): void {
    const res = req.res;
    if (!res) return super.regenerate(req, fn);
    // Twice in one request: the id in between was never written, or its write already took the rest.
    const gone = [...(this.#replacing.get(req.sessionID) ?? []), req.sessionID];
    this.#replacing.delete(req.sessionID);
    (this as unknown as { generate(req: Request): void }).generate(req);
    const sid = req.sessionID;
    this.#replacing.set(sid, gone);
    const endLeft = () => {
      const left = this.#replacing.get(sid);
      if (!left) return;
      this.#replacing.delete(sid);
      // Nobody waits on this: told where connect-pg-simple tells its own background failures.
      this.#rows.drop(left).catch((err: unknown) => this.#errorLog('Failed to end a replaced session', err));
    };
    // A client that gave up while its sign-in waited for bcrypt has closed the answer already, and
    // a 'close' listener added after it never runs: the old rows are then ended at once.
    if (res.closed) setImmediate(endLeft);
    else res.once('close', endLeft);
    // Asynchronous, as Store#regenerate's callback is.
    queueMicrotask(() => fn());
  }

  /** connect-pg-simple's destroy; for an id regenerate made and nobody wrote yet, the ids it replaced go with it. */
  override destroy(sid: string, callback?: Done): void {
    const gone = this.#replacing.get(sid);
    if (!gone) return super.destroy(sid, callback);
    this.#rows.drop([sid, ...gone]).then(() => {
      this.#replacing.delete(sid);
      callback?.();
    }, (err: unknown) => callback?.(err));
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
      const expireAtSeconds = this.#expireAt(sess);
      const stored = (err?: unknown) => {
        if (!err && req) known.set(req, { sid, values: now, expireAtSeconds });
        done(err);
      };
      const gone = this.#replacing.get(sid);
      if (!gone) return super.set(sid, sess, stored);
      // regenerate's new id: the old rows are deleted in the same statement. A failed write leaves
      // them for the next save of this request, or for the end of the answer (regenerate).
      this.#rows.replace(sid, sess, expireAtSeconds, gone).then(() => {
        this.#replacing.delete(sid);
        stored();
      }, stored);
      return;
    }
    const set: Record<string, unknown> = {};
    const remove: string[] = [];
    const data = sess as unknown as Record<string, unknown>;
    for (const [k, v] of now) if (base.values.get(k) !== v) set[k] = data[k];
    for (const k of base.values.keys()) if (!now.has(k)) remove.push(k);
    // Nothing of ours changed: renew the idle limit only, as express-session's touch does.
    if (!Object.keys(set).length && !remove.length) return this.touch(sid, sess, done);
    const expireAtSeconds = this.#expireAt(sess);
    this.#rows.merge(sid, { set: { ...set, cookie: sess.cookie }, remove }, expireAtSeconds).then((found) => {
      // No row: another request ended this session, and it stays ended; the next request of
      // this browser finds no session, as after a timeout.
      if (found) Object.assign(base, { values: now, expireAtSeconds });
      done();
    }, done);
  }

  /**
   * connect-pg-simple's touch only moves `expire` (UPDATE … SET expire = … WHERE sid = …): it never
   * writes the session's data, so a touch cannot undo anything either. It is skipped while the
   * expiry this request read (or wrote) is less than TOUCH_AFTER_SECONDS old; the answer is then
   * sent at once (express-session holds back its last byte until the callback).
   */
  override touch(sid: string, sess: SessionData, callback?: Done): void {
    const req = (sess as unknown as { req?: Request }).req;
    const base = req ? known.get(req) : undefined;
    const expireAtSeconds = this.#expireAt(sess);
    if (base && base.sid === sid && base.expireAtSeconds > expireAtSeconds - TOUCH_AFTER_SECONDS) return callback?.();
    super.touch(sid, sess, (err?: unknown) => {
      if (!err && base && base.sid === sid) base.expireAtSeconds = expireAtSeconds;
      callback?.(err);
    });
  }

  /** As connect-pg-simple reckons it: the cookie's expiry when it has one, else now plus the idle limit. */
  #expireAt(sess: SessionData): number {
    const expires = sess.cookie?.expires;
    return expires ? Math.ceil(new Date(expires).valueOf() / 1000) : Math.ceil(Date.now() / 1000 + this.#ttlSeconds);
  }
}
