// Writing to sms_outbox: a message is queued in the transaction of what it announces, and sent
// afterwards by the outbox job (./outbox.ts). The sms module owns the table; other modules queue
// through here.
import type { Knex } from 'knex';

export interface QueuedSms {
  /** null for a number that belongs to nobody yet (a verification code: src/modules/sms-codes). */
  personId: number | null;
  mobile: string;
  body: string;
  /**
   * The receipt the message is about, with its purpose: at most one message per receipt and
   * purpose is ever queued (a second call with the same pair changes nothing).
   */
  receipt?: { id: string; purpose: 'ebill' };
}

export async function enqueueSms(trx: Knex, s: QueuedSms): Promise<void> {
  const row = { person_id: s.personId, mobile: s.mobile, body: s.body };
  if (!s.receipt) {
    await trx('sms_outbox').insert(row);
    return;
  }
  await trx('sms_outbox')
    .insert({ ...row, receipt_id: s.receipt.id, purpose: s.receipt.purpose })
    .onConflict(trx.raw('(receipt_id, purpose) WHERE receipt_id IS NOT NULL'))
    .ignore();
}

/**
 * Reminders (../reminders): many at once, each marked quiet (the drain holds it through the
 * night's window) and not sent before `notBefore`. Returns each row's id with its person.
 */
export async function enqueueReminderSms(trx: Knex, rows: { personId: number; mobile: string; body: string }[], notBefore: Date): Promise<{ id: string; personId: number }[]> {
  if (!rows.length) return [];
  const out = await trx('sms_outbox')
    .insert(rows.map((r) => ({ person_id: r.personId, mobile: r.mobile, body: r.body, purpose: 'reminder', quiet: true, next_attempt_at: notBefore })))
    .returning(['id', 'person_id']);
  return out.map((r: { id: string | number; person_id: number }) => ({ id: String(r.id), personId: r.person_id }));
}

/** How many of these outbox rows are pending, sent, failed. */
export async function smsStatusCounts(trx: Knex, ids: Knex.QueryBuilder): Promise<Record<string, number>> {
  const rows = await trx('sms_outbox').whereIn('id', ids).groupBy('status').select('status').count<{ status: string; n: string }[]>({ n: '*' });
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
