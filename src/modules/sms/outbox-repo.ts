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
