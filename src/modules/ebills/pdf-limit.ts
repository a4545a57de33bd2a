// Per-person limits on PDF downloads: at most `concurrent` at once (counted in this instance; the
// pool bounds the work of each instance anyway) and `perMinute` a minute (counted in PostgreSQL,
// rate-limiter-flexible over our pool as the login lockout does, so all instances share it).
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { QueryPool } from '../../db/connection';

/**
 * A slot held (to release when the download ends) or not, with when to try again: a value, not
 * an AppError, because the caller must release what it holds; the download route words the 429.
 */
export type PdfSlot = { ok: true; release: () => void } | { ok: false; retryAfterSeconds: number };

export interface PdfLimit {
  acquire(personId: number): Promise<PdfSlot>;
  readonly perMinute: number;
  readonly concurrent: number;
}

export function createPdfLimit(pool: QueryPool, opts: { perMinute: number; concurrent: number }): PdfLimit {
  const minute = new RateLimiterPostgres({
    storeClient: pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, keyPrefix: 'ebill_pdf', points: opts.perMinute, duration: 60,
  });
  const active = new Map<number, number>();
  const leave = (personId: number) => {
    const n = (active.get(personId) ?? 1) - 1;
    if (n > 0) active.set(personId, n);
    else active.delete(personId);
  };
  return {
    perMinute: opts.perMinute,
    concurrent: opts.concurrent,
    async acquire(personId) {
      const n = active.get(personId) ?? 0;
      if (n >= opts.concurrent) return { ok: false, retryAfterSeconds: 1 };
      active.set(personId, n + 1); // taken before the await, so parallel requests count each other
      try {
        await minute.consume(String(personId));
      } catch (e) {
        leave(personId);
        if (e instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(e.msBeforeNext / 1000)) };
        throw e;
      }
      let released = false;
      return { ok: true, release: () => void (released || ((released = true), leave(personId))) };
    },
  };
}
