// The statements src/http/session-store.ts adds to connect-pg-simple's own, on either engine (they
// go through the same QueryPool): a session read together with what the request needs beside it,
// and a request's changes applied to the stored row.
import type { QueryPool } from '../db/connection';
import { jsonColumn } from '../db/rows';

export interface SessionChange {
  /** Keys this request set or changed, with their new values (the cookie always among them). */
  set: Record<string, unknown>;
  /** Keys this request deleted. */
  remove: string[];
}

/**
 * A query read in the same statement as the session, for the account the session holds: given the
 * SQL expression of that account id, a SELECT of at most one row (no row: nothing to add).
 */
export type AlongSql = (accountIdSql: string) => string;

/**
 * A page's own read, sent in the session's statement when the request is for that page
 * (src/http/page-reads.ts): given the SQL of the along row's person and account ids and of the
 * request's instant, a SELECT of one json value. `key` names the page and its prepared statement.
 */
export interface PageRead {
  key: string;
  sql: (of: { person: string; account: string; now: string }) => string;
}

export interface StoredSession {
  sess: unknown;
  /** When the store will end the session, in seconds since the epoch. */
  expireAtSeconds: number;
  /** The row of the along query for the session's account, null when it found none or there is no account. */
  along: Record<string, unknown> | null;
  /** The page read's value, when one was asked for (null when it found nothing). */
  page?: { key: string; value: unknown };
}

export interface SessionRows {
  /** The live session (not past its expiry at `nowSeconds`), with the along query's row; undefined when none. */
  load(sid: string, nowSeconds: number, page?: PageRead): Promise<StoredSession | undefined>;
  /** Applies the change to the row as it is now; false when there is no row (the session was ended). */
  merge(sid: string, change: SessionChange, expireAtSeconds: number): Promise<boolean>;
  /** Writes a session born in this request (as connect-pg-simple's set) and deletes the rows of the ids it replaces, in one statement. */
  replace(sid: string, sess: unknown, expireAtSeconds: number, gone: string[]): Promise<void>;
  /** Deletes the rows of these ids (connect-pg-simple's destroy, for several). */
  drop(sids: string[]): Promise<void>;
}

export function sessionRows(pool: QueryPool, along?: AlongSql): SessionRows {
  // connect-pg-simple's own read (index.js get: SELECT sess … WHERE sid = $1 AND expire >=
  // to_timestamp($2)), with the expiry it read and, in a LATERAL join on the account id the session
  // holds, the along query: one statement where a signed-in page used to send two one after the other.
  // A page's read rides along too, on the person of that row: each round trip to the database
  // cost the request thread more CPU than its page's whole drawing (a socket write and read apiece
  // on this machine, bench/pages.ts), and a signed-in page then needs no second one.
  const loadSqlOf = (page?: PageRead) => along
    ? `SELECT s.sess, extract(epoch FROM s.expire)::float8 AS expire_at, to_json(x) AS along,
              ${page ? `(${page.sql({ person: 'x."personId"', account: 'x."accountId"', now: 'to_timestamp($2)' })})` : 'NULL::json'} AS page
         FROM sessions s LEFT JOIN LATERAL (${along(`(s.sess->>'accountId')::int`)}) x ON true
        WHERE s.sid = $1 AND s.expire >= to_timestamp($2)`
    : `SELECT sess, extract(epoch FROM expire)::float8 AS expire_at, NULL::json AS along, NULL::json AS page
         FROM sessions WHERE sid = $1 AND expire >= to_timestamp($2)`;
  const plain = loadSqlOf();
  const withPage = new Map<string, string>();
  const textOf = (page?: PageRead) => {
    if (!page || !along) return plain;
    let text = withPage.get(page.key);
    if (!text) withPage.set(page.key, (text = loadSqlOf(page)));
    return text;
  };
  return {
    async load(sid, nowSeconds, page) {
      const { rows } = await pool.query({ text: textOf(page), values: [sid, nowSeconds], prepare: true });
      const row = rows[0] as { sess: unknown; expire_at: number | string; along: unknown; page: unknown } | undefined;
      if (!row) return undefined;
      return {
        sess: row.sess, expireAtSeconds: Number(row.expire_at), along: jsonColumn<Record<string, unknown> | null>(row.along, null),
        ...(page && along ? { page: { key: page.key, value: jsonColumn<unknown>(row.page, null) } } : {}),
      };
    },

    async merge(sid, change, expireAtSeconds) {
      // One UPDATE reads and writes the row: under READ COMMITTED a second UPDATE of the same row
      // waits for the first to commit and then computes its SET from the row the first left, so
      // two requests' merges both land whatever their order, with no transaction to hold open
      // (and none to share the embedded engine's single connection with). An UPDATE, not the
      // upsert connect-pg-simple uses: a row deleted meanwhile (退出登录, a new session id at
      // login or 找回密码, 密码修改 signing the other sessions out) is not brought back.
      const res = await pool.query(
        `UPDATE sessions
            SET sess = ((sess::jsonb - ARRAY(SELECT jsonb_array_elements_text($2::jsonb))) || $3::jsonb)::json,
                expire = to_timestamp($4)
          WHERE sid = $1
      RETURNING sid`,
        [sid, JSON.stringify(change.remove), JSON.stringify(change.set), expireAtSeconds],
      );
      return res.rows.length > 0;
    },

    async replace(sid, sess, expireAtSeconds, gone) {
      // regenerate's delete of the old id and the first write of the new one, as one statement: a
      // sign-in sent both one after the other. One statement is also one transaction: the old
      // session ends exactly when the new one is stored, never one without the other.
      await pool.query({
        text: `WITH gone AS (DELETE FROM sessions WHERE sid IN (SELECT jsonb_array_elements_text($4::jsonb)))
               INSERT INTO sessions (sess, expire, sid) VALUES ($1::json, to_timestamp($2), $3)
               ON CONFLICT (sid) DO UPDATE SET sess = EXCLUDED.sess, expire = EXCLUDED.expire`,
        values: [JSON.stringify(sess), expireAtSeconds, sid, JSON.stringify(gone)],
        prepare: true,
      });
    },

    async drop(sids) {
      await pool.query('DELETE FROM sessions WHERE sid IN (SELECT jsonb_array_elements_text($1::jsonb))', [JSON.stringify(sids)]);
    },
  };
}
