// The one statement src/http/session-store.ts adds to connect-pg-simple's own: a request's changes
// applied to the stored session row, on either engine (it goes through the same QueryPool).
import type { QueryPool } from '../db/connection';

export interface SessionChange {
  /** Keys this request set or changed, with their new values (the cookie always among them). */
  set: Record<string, unknown>;
  /** Keys this request deleted. */
  remove: string[];
}

export interface SessionRows {
  /** Applies the change to the row as it is now; false when there is no row (the session was ended). */
  merge(sid: string, change: SessionChange, expireAtSeconds: number): Promise<boolean>;
}

export function sessionRows(pool: QueryPool): SessionRows {
  return {
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
  };
}
