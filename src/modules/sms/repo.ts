// SQL of the SMS module: the outbox the drain claims and settles (sms_outbox), and the sandbox
// sender's inbox (sms_sandbox_inbox). Rows are settled only while still 'pending', so a row another
// runner already settled stays as it is.
import type { Knex } from 'knex';

export interface OutboxRow {
  id: string | number;
  mobile: string;
  body: string;
  attempts: number;
}

/**
 * Claims up to `limit` due messages with a lease until `leaseUntil`; rows another runner holds are
 * skipped, and so are reminders (quiet) unless `withQuiet` (outside the night's quiet window).
 */
export async function claimDueSms(trx: Knex, now: Date, leaseUntil: Date, limit: number, withQuiet = true): Promise<OutboxRow[]> {
  const { rows } = await trx.raw(
    `UPDATE sms_outbox SET next_attempt_at = ?
     WHERE id IN (
       SELECT id FROM sms_outbox WHERE status = 'pending' AND next_attempt_at <= ? ${withQuiet ? '' : 'AND NOT quiet'}
       ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
     RETURNING id, mobile, body, attempts`,
    [leaseUntil, now, limit],
  );
  return rows as OutboxRow[];
}

export async function markSmsSent(trx: Knex, id: OutboxRow['id'], attempts: number, sentAt: Date): Promise<void> {
  await trx('sms_outbox').where({ id, status: 'pending' }).update({ status: 'sent', attempts, sent_at: sentAt, last_error: null });
}

/** A failed send: tried again at `nextAttemptAt`. */
export async function markSmsRetry(trx: Knex, id: OutboxRow['id'], attempts: number, error: string, nextAttemptAt: Date): Promise<void> {
  await trx('sms_outbox').where({ id, status: 'pending' }).update({ attempts, last_error: error, next_attempt_at: nextAttemptAt });
}

/** A send given up on, for finance to see. */
export async function markSmsFailed(trx: Knex, id: OutboxRow['id'], attempts: number, error: string): Promise<void> {
  await trx('sms_outbox').where({ id, status: 'pending' }).update({ status: 'failed', attempts, last_error: error });
}

/** The sandbox sender's "delivery": the message lands in sms_sandbox_inbox. */
export async function recordSandboxSms(trx: Knex, mobile: string, body: string): Promise<string> {
  const [row] = await trx('sms_sandbox_inbox').insert({ mobile, body }).returning('id');
  return String(row.id);
}
