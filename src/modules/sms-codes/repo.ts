// SQL of sms_codes (migration 20261220_210). Checking a code is one UPDATE … RETURNING on the row:
// it counts a wrong entry or marks the code used in the same statement that judges it, so of any
// number of parallel checks of one right code exactly one finds it unused (the others wait on its
// row lock and then see consumed_at set).
import type { Knex } from 'knex';

export type CodeCheck = 'ok' | 'wrong' | 'expired' | 'used' | 'exhausted';

export interface NewCode {
  purpose: string;
  mobile: string;
  /** The hash of the code, given the row's id (which is part of what is hashed). */
  codeHash: (id: string) => string;
  address: string;
  sentAt: Date;
  expiresAt: Date;
}

/** Only one sender at a time for a number: the send limits read and write under this lock. */
export async function lockMobile(trx: Knex, mobile: string): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtext(?))`, [`sms_codes:${mobile}`]);
}

/** When the last code to this number went out, and how many went out since `since`. */
export async function sendsSince(trx: Knex, mobile: string, since: Date): Promise<{ count: number; last: Date | null }> {
  const row = await trx('sms_codes').where('mobile', mobile).andWhere('sent_at', '>=', since)
    .first(trx.raw('count(*)::int AS count'), trx.raw('max(sent_at) AS last'));
  return { count: Number(row?.count ?? 0), last: row?.last ? new Date(row.last as string) : null };
}

export async function insertCode(trx: Knex, c: NewCode): Promise<string> {
  const [row] = await trx('sms_codes').insert({
    purpose: c.purpose, mobile: c.mobile, code_hash: '', address: c.address, sent_at: c.sentAt, expires_at: c.expiresAt,
  }).returning('id');
  const id = String(row.id);
  await trx('sms_codes').where({ id }).update({ code_hash: c.codeHash(id) });
  return id;
}

/**
 * Judges `codeHash` against the unused code `id` (of this purpose and number) at `now`: marks it
 * used when right, counts the try when wrong (the try that reaches `maxTries` leaves it exhausted).
 */
export async function checkCode(trx: Knex, q: { id: string; purpose: string; mobile: string; codeHash: string; now: Date; maxTries: number }): Promise<{ result: CodeCheck; left: number }> {
  const { rows } = await trx.raw<{ rows: { ok: boolean; tries: number }[] }>(
    `UPDATE sms_codes
        SET consumed_at = CASE WHEN code_hash = ? THEN ?::timestamptz END,
            tries = tries + CASE WHEN code_hash = ? THEN 0 ELSE 1 END
      WHERE id = ? AND purpose = ? AND mobile = ? AND consumed_at IS NULL AND expires_at > ? AND tries < ?
      RETURNING consumed_at IS NOT NULL AS ok, tries`,
    [q.codeHash, q.now, q.codeHash, q.id, q.purpose, q.mobile, q.now, q.maxTries],
  );
  const judged = rows[0];
  if (judged) return { result: judged.ok ? 'ok' : 'wrong', left: Math.max(0, q.maxTries - Number(judged.tries)) };
  // Not judged: say why, from the row as it now is (a row of another number or purpose is none).
  const row = await trx('sms_codes').where({ id: q.id, purpose: q.purpose, mobile: q.mobile }).first('consumed_at as consumedAt', 'tries');
  if (row?.consumedAt) return { result: 'used', left: 0 };
  if (row && Number(row.tries) >= q.maxTries) return { result: 'exhausted', left: 0 };
  return { result: 'expired', left: 0 };
}

/** Codes sent before `before`: past their use and past the per-number day, so nothing reads them. */
export async function purgeCodes(db: Knex, before: Date): Promise<number> {
  return db('sms_codes').where('sent_at', '<', before).del();
}
