// The re-authentication lock of 个人信息 (the current password asked by 密码修改 and 密保修改 第一步):
// whoever guesses there already holds the account's session, so a 15-minute lock of that account's
// re-authentication hurts nobody else. It is per account only: counting per address too would let
// 50 typos behind one campus NAT lock everyone's 密码修改. Sign-in, 找回密码 and the e-bill check,
// which anyone can reach, use throttle.ts instead, which never locks an owner out. Counters live in
// PostgreSQL (rate-limiter-flexible's Postgres store over our pool), so a second instance cannot be
// used to get five more guesses.
//
// A guess reserves its failure point BEFORE it is checked (`attempt`). Checking first and counting
// after would let thirty guesses sent at once all pass the check before the first failure is counted.
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { QueryPool } from '../../db/connection';

export const ACCOUNT_MAX_FAILURES = 5;
export const LOCK_SECONDS = 15 * 60;

export interface Lockout {
  /** Reserves one failure for this guess; false when the account is locked. */
  attempt(accountKey: string): Promise<boolean>;
  /** The guess was wrong: its reserved point stays, and reaching the limit locks for 15 minutes (true: this guess locked it). */
  failed(accountKey: string): Promise<boolean>;
  /** The guess was right: the account's failures are forgiven. */
  succeeded(accountKey: string): Promise<void>;
  /** The guess was never checked (refused for load): its reserved point goes back. */
  release(accountKey: string): Promise<void>;
}

export function createLockout(pool: QueryPool, prefix: string): Lockout {
  const perAccount = new RateLimiterPostgres({
    storeClient: pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, duration: LOCK_SECONDS,
    keyPrefix: `${prefix}_acct`, points: ACCOUNT_MAX_FAILURES,
  });
  return {
    async attempt(accountKey) {
      // penalty() is one atomic upsert: concurrent guesses each get their own count.
      return (await perAccount.penalty(accountKey, 1)).consumedPoints <= ACCOUNT_MAX_FAILURES;
    },
    async failed(accountKey) {
      const res = await perAccount.get(accountKey);
      // The lock runs its full 15 minutes from the failure that reached the limit.
      if (!res || res.consumedPoints < ACCOUNT_MAX_FAILURES) return false;
      await perAccount.block(accountKey, LOCK_SECONDS);
      return true;
    },
    async succeeded(accountKey) {
      await perAccount.delete(accountKey);
    },
    async release(accountKey) {
      await perAccount.reward(accountKey, 1);
    },
  };
}
