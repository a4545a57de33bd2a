// Draining email_outbox with the outbox drain SMS uses (../outbox/drain.ts): the same lease,
// backoff and give-up rules. Reminder mails (quiet) wait out the night's window.
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { inQuietWindow, type QuietWindow } from '../../domain/quiet-window';
import { drainOutbox, drainOutboxPass, type DrainResult, type OutboxQueue } from '../outbox/drain';
import { claimDueEmails, markEmailFailed, markEmailRetry, markEmailSent, type EmailOutboxRow } from './repo';
import { MailError, type MailSender } from './sender';

export interface EmailSendingDeps {
  knex: Knex;
  sender: MailSender;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
  batchSize?: number;
  maxAttempts?: number;
  quiet?: QuietWindow | null;
}

function emailQueue(deps: EmailSendingDeps): OutboxQueue<EmailOutboxRow> {
  const { knex } = deps;
  return {
    name: 'email',
    claim: (now, leaseUntil, limit) => claimDueEmails(knex, now, leaseUntil, limit, !deps.quiet || !inQuietWindow(deps.quiet, now)),
    send: (m) => deps.sender.send({ to: m.address, subject: m.subject, text: m.body, unsubscribeUrl: m.unsubscribe_url }),
    markSent: (id, attempts, at) => markEmailSent(knex, id, attempts, at),
    markRetry: (id, attempts, error, next) => markEmailRetry(knex, id, attempts, error, next),
    markFailed: (id, attempts, error) => markEmailFailed(knex, id, attempts, error),
    permanent: (err) => err instanceof MailError && !err.retryable,
  };
}

export function drainEmailOutbox(deps: EmailSendingDeps): Promise<DrainResult> {
  return drainOutboxPass(emailQueue(deps), deps);
}

export function drainEmail(deps: EmailSendingDeps, maxMs = 10_000): Promise<DrainResult> {
  return drainOutbox(emailQueue(deps), deps, maxMs);
}
