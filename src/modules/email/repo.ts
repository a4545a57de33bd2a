// SQL of the email module: the outbox (email_outbox, drained like sms_outbox), the confirmed
// address of each person (email_contacts) and the confirmation links (email_confirmations).
import type { Knex } from 'knex';

export interface EmailOutboxRow {
  id: string | number;
  address: string;
  subject: string;
  body: string;
  unsubscribe_url: string | null;
  attempts: number;
}

export interface QueuedEmail {
  personId: number;
  address: string;
  subject: string;
  body: string;
  unsubscribeUrl?: string | null;
  purpose: 'confirm' | 'reminder';
  /** Reminders wait out the quiet window; a confirmation the student just asked for does not. */
  quiet?: boolean;
  notBefore?: Date;
}

/** Queues mails in the caller's transaction; returns each row's id with its person. */
export async function enqueueEmails(trx: Knex, mails: QueuedEmail[]): Promise<{ id: string; personId: number }[]> {
  if (!mails.length) return [];
  const rows = await trx('email_outbox').insert(mails.map((m) => ({
    person_id: m.personId, address: m.address, subject: m.subject, body: m.body, unsubscribe_url: m.unsubscribeUrl ?? null,
    purpose: m.purpose, quiet: m.quiet ?? false, ...(m.notBefore ? { next_attempt_at: m.notBefore } : {}),
  }))).returning(['id', 'person_id']);
  return rows.map((r: { id: string | number; person_id: number }) => ({ id: String(r.id), personId: r.person_id }));
}

/** How many of these outbox rows are pending, sent, failed. */
export async function emailStatusCounts(trx: Knex, ids: Knex.QueryBuilder): Promise<Record<string, number>> {
  const rows = await trx('email_outbox').whereIn('id', ids).groupBy('status').select('status').count<{ status: string; n: string }[]>({ n: '*' });
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** People whose reminder mail may go: a confirmed address still on file, not unsubscribed (person_id, email). */
export function mailableContacts(trx: Knex): Knex.QueryBuilder {
  return trx('email_contacts as ec').join('people as ep', function () {
    this.on('ep.id', '=', 'ec.person_id').andOn('ep.email', '=', 'ec.email');
  }).whereNull('ec.unsubscribed_at').select('ec.person_id', 'ec.email');
}

/** As claimDueSms (../sms/repo.ts): due rows with a lease, quiet ones only when `withQuiet`. */
export async function claimDueEmails(trx: Knex, now: Date, leaseUntil: Date, limit: number, withQuiet: boolean): Promise<EmailOutboxRow[]> {
  const { rows } = await trx.raw(
    `UPDATE email_outbox SET next_attempt_at = ?
     WHERE id IN (
       SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= ? ${withQuiet ? '' : 'AND NOT quiet'}
       ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
     RETURNING id, address, subject, body, unsubscribe_url, attempts`,
    [leaseUntil, now, limit],
  );
  return rows as EmailOutboxRow[];
}

export async function markEmailSent(trx: Knex, id: EmailOutboxRow['id'], attempts: number, at: Date): Promise<void> {
  await trx('email_outbox').where({ id, status: 'pending' }).update({ status: 'sent', attempts, sent_at: at, last_error: null });
}

export async function markEmailRetry(trx: Knex, id: EmailOutboxRow['id'], attempts: number, error: string, next: Date): Promise<void> {
  await trx('email_outbox').where({ id, status: 'pending' }).update({ attempts, last_error: error, next_attempt_at: next });
}

export async function markEmailFailed(trx: Knex, id: EmailOutboxRow['id'], attempts: number, error: string): Promise<void> {
  await trx('email_outbox').where({ id, status: 'pending' }).update({ status: 'failed', attempts, last_error: error });
}

export async function insertConfirmation(trx: Knex, c: { personId: number; email: string; tokenHash: string; expiresAt: Date }): Promise<void> {
  // A new link replaces the person's earlier ones: only the latest address can be confirmed.
  await trx('email_confirmations').where({ person_id: c.personId }).whereNull('used_at').update({ used_at: trx.fn.now() });
  await trx('email_confirmations').insert({ person_id: c.personId, email: c.email, token_hash: c.tokenHash, expires_at: c.expiresAt });
}

export function confirmationByHash(trx: Knex, tokenHash: string): Promise<{ id: string; personId: number; email: string; expiresAt: Date; usedAt: Date | null } | undefined> {
  return trx('email_confirmations').where({ token_hash: tokenHash }).first('id', 'person_id as personId', 'email', 'expires_at as expiresAt', 'used_at as usedAt');
}

/** Compare-and-set: spends the link only while unused, unexpired and still the person's 邮箱. Rows changed. */
export function spendConfirmation(trx: Knex, id: string, now: Date): Promise<number> {
  return trx('email_confirmations as c').where('c.id', id).whereNull('c.used_at').where('c.expires_at', '>', now)
    .whereExists(trx('people as p').whereRaw('p.id = c.person_id AND p.email = c.email'))
    .update({ used_at: now });
}

export async function setConfirmedContact(trx: Knex, personId: number, email: string, at: Date): Promise<void> {
  await trx('email_contacts').insert({ person_id: personId, email, confirmed_at: at, unsubscribed_at: null })
    .onConflict('person_id').merge(['email', 'confirmed_at', 'unsubscribed_at']);
}

export function unsubscribe(trx: Knex, personId: number, at: Date): Promise<number> {
  return trx('email_contacts').where({ person_id: personId }).whereNull('unsubscribed_at').update({ unsubscribed_at: at });
}

/** 邮箱 of 个人信息 with its state. */
export interface ContactState {
  email: string;
  confirmed: boolean;
  unsubscribed: boolean;
}

/** The person's email_contacts row as contactStateOf reads it. */
export interface ContactColumns {
  confirmedEmail: string | null;
  unsubscribedAt: Date | null;
}

/**
 * The e-mail state of the person whose id is the SQL `personIdSql`, as a subquery of at most one
 * row (email_contacts' key is person_id) giving ContactColumns: for `LEFT JOIN LATERAL (…) x ON
 * true`, so 个人信息 reads it in the statement that reads the rest of the page
 * (src/modules/profile/repo.ts). No row: the person never confirmed an address.
 */
export const contactColumnsSql = (personIdSql: string) =>
  `SELECT c.email AS "confirmedEmail", c.unsubscribed_at AS "unsubscribedAt" FROM email_contacts c WHERE c.person_id = ${personIdSql}`;

/** 已确认 only while the confirmed address is still the one on file (people.email, `email`). */
export function contactStateOf(email: string, c: ContactColumns): ContactState {
  const confirmed = email !== '' && email === c.confirmedEmail;
  return { email, confirmed, unsubscribed: confirmed && !!c.unsubscribedAt };
}

export function personName(trx: Knex, personId: number): Promise<{ name: string } | undefined> {
  return trx('people').where({ id: personId }).first('name');
}
