// Guess throttling shared by every app instance: counters live in PostgreSQL (rate-limiter-flexible's
// Postgres store over our pool), so a second instance cannot be used to get five more guesses.
//
// A guess reserves its failure point BEFORE it is checked (`attempt`), and gives it back when it
// turns out not to be a failure. Checking first and counting after would let thirty guesses sent
// at once all pass the check before the first failure is counted.
import { RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';
import type { QueryPool } from '../../db/connection';

export const ACCOUNT_MAX_FAILURES = 5;
export const LOCK_SECONDS = 15 * 60;
export const IP_MAX_FAILURES = 50;

export interface Lockout {
  /** Reserves one failure for this guess; false when the key or the address is locked. */
  attempt(accountKey: string, ip: string): Promise<boolean>;
  /** The guess was wrong: its reserved point stays, and reaching the limit locks for 15 minutes. */
  failed(accountKey: string, ip: string): Promise<void>;
  /** The guess was right: the key's failures are forgiven and the address gets its point back. */
  succeeded(accountKey: string, ip: string): Promise<void>;
  /** The request was not a guess after all (e.g. a known user asking for recovery): give the point back. */
  release(accountKey: string, ip: string): Promise<void>;
  /** Read-only: is this key locked now (the console shows it). */
  isLocked(accountKey: string, ip: string): Promise<boolean>;
  /** Lifts a key's lock (finance's 解锁, a successful recovery). */
  clear(accountKey: string): Promise<void>;
}

export function createLockout(pool: QueryPool, prefix = 'login'): Lockout {
  const common = { storeClient: pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, duration: LOCK_SECONDS };
  const perAccount = new RateLimiterPostgres({ ...common, keyPrefix: `${prefix}_acct`, points: ACCOUNT_MAX_FAILURES });
  const perIp = new RateLimiterPostgres({ ...common, keyPrefix: `${prefix}_ip`, points: IP_MAX_FAILURES });
  const pairs = (accountKey: string, ip: string) => [[perAccount, accountKey, ACCOUNT_MAX_FAILURES], [perIp, ip, IP_MAX_FAILURES]] as const;

  const exhausted = (r: RateLimiterRes | null) => r !== null && r.remainingPoints <= 0;

  return {
    async attempt(accountKey, ip) {
      // penalty() is one atomic upsert: concurrent guesses each get their own count.
      const [a, i] = await Promise.all(pairs(accountKey, ip).map(([l, k]) => l.penalty(k, 1)));
      return a!.consumedPoints <= ACCOUNT_MAX_FAILURES && i!.consumedPoints <= IP_MAX_FAILURES;
    },
    async failed(accountKey, ip) {
      for (const [limiter, key, max] of pairs(accountKey, ip)) {
        const res = await limiter.get(key);
        // The lock runs its full 15 minutes from the failure that reached the limit.
        if (res && res.consumedPoints >= max) await limiter.block(key, LOCK_SECONDS);
      }
    },
    async succeeded(accountKey, ip) {
      await Promise.all([perAccount.delete(accountKey), perIp.reward(ip, 1)]);
    },
    async release(accountKey, ip) {
      await Promise.all(pairs(accountKey, ip).map(([l, k]) => l.reward(k, 1)));
    },
    async isLocked(accountKey, ip) {
      const [a, i] = await Promise.all([perAccount.get(accountKey), perIp.get(ip)]);
      return exhausted(a) || exhausted(i);
    },
    async clear(accountKey) {
      await perAccount.delete(accountKey);
    },
  };
}
