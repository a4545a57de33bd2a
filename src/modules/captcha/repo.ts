// The answer of the captcha image each session was last shown (table captchas, migration 100).
// Consuming is one DELETE ... RETURNING: of any number of parallel requests, one gets the row.
import type { Knex } from 'knex';

export function captchaRepo(db: Knex) {
  return {
    /** A new image replaces the session's previous answer; answers past their time are purged on the way. */
    async issue(sessionId: string, answer: string, ttlMs: number): Promise<void> {
      await db('captchas').where('expires_at', '<', db.fn.now()).del();
      await db.raw(
        `INSERT INTO captchas (session_id, answer, expires_at) VALUES (?, ?, now() + make_interval(secs => ?))
         ON CONFLICT (session_id) DO UPDATE SET answer = excluded.answer, expires_at = excluded.expires_at`,
        [sessionId, answer, ttlMs / 1000],
      );
    },

    /** Removes and returns the session's answer; undefined when none or it had expired. */
    async take(sessionId: string): Promise<string | undefined> {
      const { rows } = await db.raw<{ rows: { answer: string; live: boolean }[] }>(
        'DELETE FROM captchas WHERE session_id = ? RETURNING answer, expires_at > now() AS live',
        [sessionId],
      );
      const row = rows[0];
      return row?.live ? row.answer : undefined;
    },
  };
}

export type CaptchaRepo = ReturnType<typeof captchaRepo>;
