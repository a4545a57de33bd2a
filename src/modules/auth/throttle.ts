// Guess throttling that fits a campus. A campus sits behind one NAT address and anyone
// can type a student's sequential 学号, so nothing here refuses the right password for long:
//
// - per address, across accounts: past ADDRESS_CAPTCHA_AFTER failures everyone from that address
//   is asked for a 验证码, nobody is refused;
// - per account, from anywhere: past ACCOUNT_CAPTCHA_AFTER failures every address is asked for a
//   验证码 at that account (the owner included: a captcha, not a lock);
// - per (account, address): past PAIR_FREE_FAILURES checked and failed guesses that pair waits a
//   growing delay (PAIR_DELAY_BASE_SECONDS doubling up to PAIR_DELAY_CAP_SECONDS) before its next
//   guess WITHOUT a 验证码. A valid 验证码 skips the delay.
//
// Why the delay is set only after a guess was checked and failed, and why a 验证码 skips it: the
// owner may sit behind the same NAT address as the guesser. If any request (one without a 验证码,
// say) could start a delay, the guesser could keep the pair waiting for ever and the owner, with
// the right password and 验证码, would be refused every round. Skipping the delay with a valid 验证码
// does not make guessing cheaper: the pair only reaches its delay after PAIR_FREE_FAILURES failed
// guesses, which also put the account's own counter (from any address) past ACCOUNT_CAPTCHA_AFTER,
// so every further guess needs a 验证码 anyway, and each 验证码 is good for one check only
// (captcha/routes.ts). The delay binds on its own only once the owner's success has forgiven the
// account's counter while the guessing pair's stays; even then the guesser skips it only by
// solving one 验证码 per guess. So a guess past the free ones costs a solved 验证码 either way,
// and the delay tells a client without one how long it would have to wait instead.
//
// A guess reserves its failure at the account and address counters BEFORE it is checked and gives
// it back when it turns out not to be one. Checking first and counting after would let thirty
// guesses sent at once all pass the check before the first failure is counted; reserving first,
// each sees its own count, and all past the free ones need a 验证码.
import type { Knex } from 'knex';
import type { SqlPart } from '../../db/rows';
import { addressKey } from '../../http/address-key';
import type { Request } from 'express';
import type { CaptchaResult, Captchas } from '../captcha/routes';
import { throttleRepo, type CounterKey } from './throttle-repo';

export const ADDRESS_CAPTCHA_AFTER = 50;
export const ACCOUNT_CAPTCHA_AFTER = 5;
export const PAIR_FREE_FAILURES = 5;
export const PAIR_DELAY_BASE_SECONDS = 15;
export const PAIR_DELAY_CAP_SECONDS = 120;
const ADDRESS_WINDOW_SECONDS = 15 * 60;
const ACCOUNT_WINDOW_SECONDS = 60 * 60;

export type Gate =
  /**
   * Check the guess (any 验证码 it needed was valid and is used up). `failures`: the account's
   * count with this guess reserved — each guess sees its own, so exactly one is the one that, if
   * wrong, brings the account to ACCOUNT_CAPTCHA_AFTER (the audit log's 登录受限).
   */
  | { kind: 'check'; failures: number }
  /** This address must wait before its next guess at this account, or bring a 验证码. */
  | { kind: 'wait'; seconds: number }
  /** A 验证码 was needed and did not come, or was wrong or out of date. */
  | { kind: 'captcha'; result: 'missing' | 'wrong' | 'expired' };

/** Checks and uses up the 验证码 that came with the request ('missing' when none came); called only when one is needed. */
export type CaptchaCheck = () => Promise<CaptchaResult | 'missing'>;

/** The 验证码 typed in a form, checked against the session, as a CaptchaCheck. */
export function typedCaptcha(captchas: Captchas, req: Request, typed: string): CaptchaCheck {
  return async () => (typed ? captchas.take(req, typed) : 'missing');
}

export interface AccountThrottleState {
  failures: number;
  captchaRequired: boolean;
  delayedAddresses: number;
}

export interface Throttle {
  /**
   * Reserves one failure for this guess at the account's and the address's counters, and asks for
   * the 验证码 when one is needed (past the counters' limits, or while the pair waits); the points go
   * back when the answer is not 'check'.
   */
  attempt(account: string, address: string, captcha: CaptchaCheck): Promise<Gate>;
  /** The guess was checked and was wrong: counts it at the pair and sets the pair's delay. */
  failed(account: string, address: string): Promise<void>;
  /**
   * The guess was right: the account's and this pair's failures are forgiven, the address gets its
   * point back; `along`, other writes of the same sign-in, go in the same statement.
   */
  succeeded(account: string, address: string, along?: readonly SqlPart[]): Promise<void>;
  /** The request was not a guess after all (e.g. no captcha came): every reserved point goes back; the pair is untouched. */
  release(account: string, address: string): Promise<void>;
  /** Read-only: would the next guess from here need a 验证码 (account unknown: the address alone). */
  captchaNeeded(account: string | null, address: string): Promise<boolean>;
  /** What the console shows for an account. */
  state(account: string): Promise<AccountThrottleState>;
  /** Of these accounts, those whose sign-in asks for a 验证码 now (the console's list: 登录受限). */
  limited(accounts: string[]): Promise<Set<string>>;
  /** Forgets every counter of an account (finance's 解除登录限制, a successful recovery). */
  clear(account: string): Promise<void>;
}

export function createThrottle(db: Knex, scope: string): Throttle {
  const repo = throttleRepo(db);
  const keys = (account: string, ip: string) => {
    const address = addressKey(ip);
    return {
      account: { scope, account, address: '' } satisfies CounterKey,
      pair: { scope, account, address } satisfies CounterKey,
      address: { scope, account: '', address } satisfies CounterKey,
    };
  };
  const giveBack = (k: ReturnType<typeof keys>) => Promise.all([repo.release(k.account), repo.release(k.address)]);

  return {
    async attempt(account, ip, captcha) {
      const k = keys(account, ip);
      const { account: a, address: i, wait } = await repo.reserveSignIn(k, { account: ACCOUNT_WINDOW_SECONDS, address: ADDRESS_WINDOW_SECONDS });
      if (!(wait > 0 || a > ACCOUNT_CAPTCHA_AFTER || i > ADDRESS_CAPTCHA_AFTER)) return { kind: 'check', failures: a };
      const result = await captcha();
      if (result === 'ok') return { kind: 'check', failures: a };
      await giveBack(k);
      return wait > 0 && result === 'missing' ? { kind: 'wait', seconds: wait } : { kind: 'captcha', result };
    },
    async failed(account, ip) {
      await repo.failPair(keys(account, ip).pair, {
        windowSeconds: ACCOUNT_WINDOW_SECONDS, free: PAIR_FREE_FAILURES, baseSeconds: PAIR_DELAY_BASE_SECONDS, capSeconds: PAIR_DELAY_CAP_SECONDS,
      });
    },
    async succeeded(account, address, along) {
      await repo.signedIn(keys(account, address), along);
    },
    async release(account, address) {
      await giveBack(keys(account, address));
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
    limited: (accounts) => repo.accountsAtLeast(scope, accounts, ACCOUNT_CAPTCHA_AFTER),
    async clear(account) {
      await repo.clearAccount(scope, account);
    },
  };
}
