// The one drain of the outbox tables (sms_outbox, email_outbox; docs/queues.md): claim due rows
// with FOR UPDATE SKIP LOCKED and a lease, send each, settle it while still 'pending'; a failure
// is retried with a growing delay and given up after maxAttempts, or at once when the sender says
// a retry cannot help. Each table brings its own repo functions and sender; the loop is shared so
// that SMS and e-mail keep the same lease, backoff and give-up rules.
import type { Logger } from 'pino';

export interface OutboxQueue<Row extends { id: string | number; attempts: number }> {
  /** For the log lines: 'SMS', 'email'. */
  name: string;
  claim(now: Date, leaseUntil: Date, limit: number): Promise<Row[]>;
  send(row: Row): Promise<unknown>;
  markSent(id: Row['id'], attempts: number, at: Date): Promise<void>;
  markRetry(id: Row['id'], attempts: number, error: string, next: Date): Promise<void>;
  markFailed(id: Row['id'], attempts: number, error: string): Promise<void>;
  /** A rejection no retry can fix (an invalid number, a refused address). */
  permanent(err: unknown): boolean;
}

export interface DrainOptions {
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
  batchSize?: number;
  maxAttempts?: number;
  leaseMs?: number;
}

export interface DrainResult {
  sent: number;
  retrying: number;
  failed: number;
  /** Rows this pass claimed (a full batch means more may be waiting). */
  claimed: number;
}

export const OUTBOX_LEASE_MS = 2 * 60_000;
export const OUTBOX_MAX_ATTEMPTS = 8;

/** 30 s, 1 min, 2, 4 … capped at 30 min. */
export function outboxRetryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 30 * 60_000);
}

export async function drainOutboxPass<Row extends { id: string | number; attempts: number }>(q: OutboxQueue<Row>, o: DrainOptions = {}): Promise<DrainResult> {
  const now = o.now ?? (() => new Date());
  const maxAttempts = o.maxAttempts ?? OUTBOX_MAX_ATTEMPTS;
  const leaseMs = o.leaseMs ?? OUTBOX_LEASE_MS;
  const started = now();
  // Claim with a lease: another runner skips these rows until the lease runs out.
  const rows = await q.claim(started, new Date(started.getTime() + leaseMs), o.batchSize ?? 100);
  const result: DrainResult = { sent: 0, retrying: 0, failed: 0, claimed: rows.length };
  // A slow provider must not outlast the lease: past half of it the rest of the batch is left,
  // still claimed, for the pass that takes it once the lease is over, so no row is sent by two.
  const stopAt = started.getTime() + leaseMs / 2;
  for (const m of rows) {
    if (now().getTime() >= stopAt) break;
    const attempts = Number(m.attempts) + 1;
    try {
      await q.send(m);
      await q.markSent(m.id, attempts, now());
      result.sent += 1;
    } catch (err) {
      const error = (err as Error).message.slice(0, 500);
      if (attempts >= maxAttempts || q.permanent(err)) {
        await q.markFailed(m.id, attempts, error);
        result.failed += 1;
        o.logger?.error({ outboxId: String(m.id), attempts, err: error }, `${q.name} given up`);
      } else {
        await q.markRetry(m.id, attempts, error, new Date(now().getTime() + outboxRetryDelayMs(attempts)));
        result.retrying += 1;
        o.logger?.warn({ outboxId: String(m.id), attempts, err: error }, `${q.name} not sent, will retry`);
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
export async function drainOutbox<Row extends { id: string | number; attempts: number }>(q: OutboxQueue<Row>, o: DrainOptions = {}, maxMs = 10_000): Promise<DrainResult> {
  const end = Date.now() + maxMs;
  const batch = o.batchSize ?? 100;
  const total: DrainResult = { sent: 0, retrying: 0, failed: 0, claimed: 0 };
  for (;;) {
    const r = await drainOutboxPass(q, o);
    total.sent += r.sent;
    total.retrying += r.retrying;
    total.failed += r.failed;
    total.claimed += r.claimed;
    if (r.claimed < batch || r.sent === 0 || Date.now() > end) return total;
  }
}
