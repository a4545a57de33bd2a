// Draining sms_outbox: rows are written in the same transaction as what they announce, and sent
// here afterwards, so a message is never lost with a rollback nor sent for something that did not
// happen. A failed send is retried with a growing delay; after MAX_ATTEMPTS it is marked failed for
// finance to see. A provider may still deliver twice if it accepts a message and the answer is lost;
// SMS gives no way to avoid that, and a repeated notice is harmless.
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { claimDueSms, markSmsFailed, markSmsRetry, markSmsSent } from './repo';
import { SmsError, type SmsSender } from './sender';

export interface SmsSendingDeps {
  knex: Knex;
  sender: SmsSender;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
  batchSize?: number;
  maxAttempts?: number;
}

export interface SmsSendingResult {
  sent: number;
  retrying: number;
  failed: number;
  /** Rows this pass claimed (a full batch means more may be waiting). */
  claimed: number;
}

export const SMS_LEASE_MS = 2 * 60_000;
export const SMS_MAX_ATTEMPTS = 8;

/** 30 s, 1 min, 2, 4 … capped at 30 min. */
export function smsRetryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 30 * 60_000);
}

export async function drainSmsOutbox(deps: SmsSendingDeps): Promise<SmsSendingResult> {
  const { knex } = deps;
  const now = deps.now ?? (() => new Date());
  const maxAttempts = deps.maxAttempts ?? SMS_MAX_ATTEMPTS;
  const started = now();
  // Claim with a lease: another runner skips these rows until the lease runs out.
  const rows = await claimDueSms(knex, started, new Date(started.getTime() + SMS_LEASE_MS), deps.batchSize ?? 100);
  const result: SmsSendingResult = { sent: 0, retrying: 0, failed: 0, claimed: rows.length };
  // A slow provider must not outlast the lease: past half of it the rest of the batch is left,
  // still claimed, for the pass that takes it once the lease is over, so no row is sent by two.
  const stopAt = started.getTime() + SMS_LEASE_MS / 2;
  for (const m of rows) {
    if (now().getTime() >= stopAt) break;
    const attempts = Number(m.attempts) + 1;
    try {
      await deps.sender.send(m.mobile, m.body);
      await markSmsSent(knex, m.id, attempts, now());
      result.sent += 1;
    } catch (err) {
      const error = (err as Error).message.slice(0, 500);
      const giveUp = attempts >= maxAttempts || (err instanceof SmsError && !err.retryable);
      if (giveUp) {
        await markSmsFailed(knex, m.id, attempts, error);
        result.failed += 1;
        deps.logger?.error({ smsId: String(m.id), attempts, err: error }, 'SMS given up');
      } else {
        await markSmsRetry(knex, m.id, attempts, error, new Date(now().getTime() + smsRetryDelayMs(attempts)));
        result.retrying += 1;
        deps.logger?.warn({ smsId: String(m.id), attempts, err: error }, 'SMS not sent, will retry');
      }
    }
  }
  return result;
}

/**
 * Passes until one claims less than a full batch (the outbox is drained), sends nothing (all
 * failing), or `maxMs` has gone by: the job's and the kick's drain, so a backlog after an outage
 * goes at the sender's pace rather than one batch per job tick.
 */
export async function drainSms(deps: SmsSendingDeps, maxMs = 10_000): Promise<SmsSendingResult> {
  const end = Date.now() + maxMs;
  const batch = deps.batchSize ?? 100;
  const total: SmsSendingResult = { sent: 0, retrying: 0, failed: 0, claimed: 0 };
  for (;;) {
    const r = await drainSmsOutbox(deps);
    total.sent += r.sent;
    total.retrying += r.retrying;
    total.failed += r.failed;
    total.claimed += r.claimed;
    if (r.claimed < batch || r.sent === 0 || Date.now() > end) return total;
  }
}
