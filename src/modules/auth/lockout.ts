// Login throttling shared by every app instance: counters live in PostgreSQL (rate-limiter-flexible's
// Postgres store over our pool), so a second instance cannot be used to get five more guesses.
import { RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';
import type { QueryPool } from '../../db/connection';

export const ACCOUNT_MAX_FAILURES = 5;
export const LOCK_SECONDS = 15 * 60;
export const IP_MAX_FAILURES = 50;

export interface Lockout {
  isLocked(accountKey: string, ip: string): Promise<boolean>;
  recordFailure(accountKey: string, ip: string): Promise<void>;
  clear(accountKey: string): Promise<void>;
}

export function createLockout(pool: QueryPool, prefix = 'login'): Lockout {
  const common = { storeClient: pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, duration: LOCK_SECONDS };
  const perAccount = new RateLimiterPostgres({ ...common, keyPrefix: `${prefix}_acct`, points: ACCOUNT_MAX_FAILURES });
  const perIp = new RateLimiterPostgres({ ...common, keyPrefix: `${prefix}_ip`, points: IP_MAX_FAILURES });

  const exhausted = (r: RateLimiterRes | null) => r !== null && r.remainingPoints <= 0;

  return {
    async isLocked(accountKey, ip) {
      const [a, i] = await Promise.all([perAccount.get(accountKey), perIp.get(ip)]);
      return exhausted(a) || exhausted(i);
    },
    async recordFailure(accountKey, ip) {
      for (const [limiter, key] of [[perAccount, accountKey], [perIp, ip]] as const) {
        const res = await limiter.penalty(key, 1);
        // The lock runs its full 15 minutes from the failure that reached the limit.
        if (res.remainingPoints <= 0) await limiter.block(key, LOCK_SECONDS);
      }
    },
    async clear(accountKey) {
      await perAccount.delete(accountKey);
    },
  };
}
