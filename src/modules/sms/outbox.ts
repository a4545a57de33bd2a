// Draining sms_outbox: rows are written in the same transaction as what they announce, and sent
// here afterwards, so a message is never lost with a rollback nor sent for something that did not
// happen. The loop (claim with a lease, retry with a growing delay, give up after MAX_ATTEMPTS for
// finance to see) is the outbox drain shared with e-mail (../outbox/drain.ts). A provider may still
// deliver twice if it accepts a message and the answer is lost; SMS gives no way to avoid that, and
// a repeated notice is harmless.
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { inQuietWindow, type QuietWindow } from '../../domain/quiet-window';
import { drainOutbox, drainOutboxPass, OUTBOX_LEASE_MS, OUTBOX_MAX_ATTEMPTS, outboxRetryDelayMs, type DrainResult, type OutboxQueue } from '../outbox/drain';
import { claimDueSms, markSmsFailed, markSmsRetry, markSmsSent, type OutboxRow } from './repo';
import { SmsError, type SmsSender } from './sender';

export interface SmsSendingDeps {
  knex: Knex;
  sender: SmsSender;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
  batchSize?: number;
  maxAttempts?: number;
  /** Reminders (rows marked quiet) are not sent inside it; notices of a payment are. */
  quiet?: QuietWindow | null;
}

export type SmsSendingResult = DrainResult;

export const SMS_LEASE_MS = OUTBOX_LEASE_MS;
export const SMS_MAX_ATTEMPTS = OUTBOX_MAX_ATTEMPTS;
export const smsRetryDelayMs = outboxRetryDelayMs;

function smsQueue(deps: SmsSendingDeps): OutboxQueue<OutboxRow> {
  const { knex } = deps;
  return {
    name: 'SMS',
    claim: (now, leaseUntil, limit) => claimDueSms(knex, now, leaseUntil, limit, !deps.quiet || !inQuietWindow(deps.quiet, now)),
    send: (m) => deps.sender.send(m.mobile, m.body),
    markSent: (id, attempts, at) => markSmsSent(knex, id, attempts, at),
    markRetry: (id, attempts, error, next) => markSmsRetry(knex, id, attempts, error, next),
    markFailed: (id, attempts, error) => markSmsFailed(knex, id, attempts, error),
    permanent: (err) => err instanceof SmsError && !err.retryable,
  };
}

export function drainSmsOutbox(deps: SmsSendingDeps): Promise<SmsSendingResult> {
  return drainOutboxPass(smsQueue(deps), deps);
}

/** Passes until the outbox is drained, nothing is sent, or `maxMs` has gone by (../outbox/drain.ts). */
export function drainSms(deps: SmsSendingDeps, maxMs = 10_000): Promise<SmsSendingResult> {
  return drainOutbox(smsQueue(deps), deps, maxMs);
}
