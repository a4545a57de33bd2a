// Guess throttling that fits a campus (issue 12). A campus sits behind one NAT address and anyone
// can type a student's sequential 学号, so nothing here refuses the right password for long:
//
// - per address, across accounts: past ADDRESS_CAPTCHA_AFTER failures everyone from that address
//   is asked for a 验证码, nobody is refused;
// - per account, from anywhere: past ACCOUNT_CAPTCHA_AFTER failures every address is asked for a
//   验证码 at that account (the owner included: a captcha, not a lock);
// - per (account, address): past PAIR_FREE_FAILURES failures that pair waits a growing delay between
//   checked guesses (PAIR_DELAY_BASE_SECONDS doubling up to PAIR_DELAY_CAP_SECONDS). Only the
//   address doing the guessing waits; the owner elsewhere never does.
//
// A guess reserves its failure BEFORE it is checked and gives it back when it turns out not to be
// one. Checking first and counting after would let thirty guesses sent at once all pass the check
// before the first failure is counted.
import type { Knex } from 'knex';
import { throttleRepo, type CounterKey } from './throttle-repo';

export const ADDRESS_CAPTCHA_AFTER = 50;
export const ACCOUNT_CAPTCHA_AFTER = 5;
export const PAIR_FREE_FAILURES = 5;
export const PAIR_DELAY_BASE_SECONDS = 15;
export const PAIR_DELAY_CAP_SECONDS = 120;
const ADDRESS_WINDOW_SECONDS = 15 * 60;
const ACCOUNT_WINDOW_SECONDS = 60 * 60;
/** Rows past their window count as empty; each instance deletes them now and then. */
const PURGE_EVERY_MS = 15 * 60 * 1000;

export type Gate =
  /** Check the guess; `captcha` says whether a valid 验证码 must come with it. */
  | { kind: 'check'; captcha: boolean }
  /** This address must wait before its next guess at this account. */
  | { kind: 'wait'; seconds: number };

export interface AccountThrottleState {
  failures: number;
  captchaRequired: boolean;
  delayedAddresses: number;
}

export interface Throttle {
  /** Reserves one failure for this guess at every counter it belongs to. */
  attempt(account: string, address: string): Promise<Gate>;
  /** The guess was right: the account's and this pair's failures are forgiven, the address gets its point back. */
  succeeded(account: string, address: string): Promise<void>;
  /** The request was not a guess after all (e.g. no captcha came): every reserved point goes back. */
  release(account: string, address: string): Promise<void>;
  /** Read-only: would the next guess from here need a 验证码 (account unknown: the address alone). */
  captchaNeeded(account: string | null, address: string): Promise<boolean>;
  /** What the console shows for an account. */
  state(account: string): Promise<AccountThrottleState>;
  /** Forgets every counter of an account (finance's 解除登录限制, a successful recovery). */
  clear(account: string): Promise<void>;
}

export function createThrottle(db: Knex, scope: string): Throttle {
  const repo = throttleRepo(db);
  let purgedAt = Date.now();
  const keys = (account: string, address: string) => ({
    account: { scope, account, address: '' } satisfies CounterKey,
    pair: { scope, account, address } satisfies CounterKey,
    address: { scope, account: '', address } satisfies CounterKey,
  });

  return {
    async attempt(account, address) {
      const k = keys(account, address);
      if (Date.now() - purgedAt > PURGE_EVERY_MS) {
        purgedAt = Date.now();
        await repo.purgeExpired();
      }
      // The pair first: a guess that must wait is not counted anywhere else.
      const pair = await repo.reservePair(k.pair, {
        windowSeconds: ACCOUNT_WINDOW_SECONDS, free: PAIR_FREE_FAILURES, baseSeconds: PAIR_DELAY_BASE_SECONDS, capSeconds: PAIR_DELAY_CAP_SECONDS,
      });
      if (!pair.ok) return { kind: 'wait', seconds: pair.waitSeconds };
      const [a, i] = await Promise.all([repo.reserve(k.account, ACCOUNT_WINDOW_SECONDS), repo.reserve(k.address, ADDRESS_WINDOW_SECONDS)]);
      return { kind: 'check', captcha: a > ACCOUNT_CAPTCHA_AFTER || i > ADDRESS_CAPTCHA_AFTER };
    },
    async succeeded(account, address) {
      const k = keys(account, address);
      await Promise.all([repo.forget(k.account), repo.forget(k.pair), repo.release(k.address)]);
    },
    async release(account, address) {
      const k = keys(account, address);
      await Promise.all([repo.release(k.account), repo.release(k.pair), repo.release(k.address)]);
    },
    async captchaNeeded(account, address) {
      const k = keys(account ?? '', address);
      const [a, i] = await Promise.all([account === null ? 0 : repo.failures(k.account), repo.failures(k.address)]);
      return a >= ACCOUNT_CAPTCHA_AFTER || i >= ADDRESS_CAPTCHA_AFTER;
    },
    async state(account) {
      const [failures, delayedAddresses] = await Promise.all([repo.failures({ scope, account, address: '' }), repo.delayedAddresses(scope, account)]);
      return { failures, captchaRequired: failures >= ACCOUNT_CAPTCHA_AFTER, delayedAddresses };
    },
    async clear(account) {
      await repo.clearAccount(scope, account);
    },
  };
}
