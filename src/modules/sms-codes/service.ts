// SMS verification codes: confirming that whoever types a mobile number holds the phone. A code is
// 6 random digits, texted through the SMS outbox (src/modules/sms/outbox-repo.ts) in the
// transaction that records it, good for CODE_TTL_MS, for MAX_TRIES entries, and once.
//
// Kept as an HMAC under the platform's secret rather than a plain hash: a million codes are hashed
// in a blink, so an unkeyed hash of a stolen row would give the code away at once.
//
// Limits, so nobody can use the platform to flood a phone or to run up the SMS bill:
//  - per number: one code per PER_NUMBER_GAP_MS and PER_NUMBER_PER_DAY in 24 hours, read from
//    this table under a per-number lock (so the limit holds across parallel requests and
//    instances, and follows the injected clock in tests);
//  - per client address: PER_ADDRESS_PER_HOUR requests an hour, in PostgreSQL through
//    rate-limiter-flexible as the PDF and notify limits are, counted by http/address-key.ts
//    (req.ip, which believes only TRUST_PROXY's proxies).
// Used by 新用户注册 (src/modules/registration); any other flow confirms a mobile the same way with
// its own `purpose`.
import { createHmac, randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { QueryPool } from '../../db/connection';
import { AppError } from '../../domain/app-error';
import { addressKey } from '../../http/address-key';
import { enqueueSms } from '../sms/outbox-repo';
import { verificationCode } from '../sms/messages';
import { SMS_CODE_MESSAGES as M } from './messages';
import { checkCode, insertCode, lockMobile, purgeCodes, sendsSince, type CodeCheck } from './repo';

export const CODE_TTL_MS = 5 * 60_000;
export const MAX_TRIES = 5;
export const PER_NUMBER_GAP_MS = 60_000;
export const PER_NUMBER_PER_DAY = 5;
export const PER_ADDRESS_PER_HOUR = 20;
const DAY_MS = 24 * 3600_000;

export interface SentCode {
  id: string;
  expiresAt: number;
  /** When this number may be sent the next code. */
  nextAt: number;
}

export interface SmsCodesDeps {
  db: Knex;
  pool: QueryPool;
  secret: string;
  schoolName: string;
  /** Runs after the code's transaction committed: the SMS drain's kick. */
  afterQueued?: () => void;
  now?: () => Date;
}

export function smsCodes(deps: SmsCodesDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const perAddress = new RateLimiterPostgres({
    storeClient: deps.pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, keyPrefix: 'sms_code_addr',
    points: PER_ADDRESS_PER_HOUR, duration: 3600,
  });
  const hashOf = (id: string, code: string) => createHmac('sha256', deps.secret).update(`sms-code:${id}:${code}`).digest('hex');

  return {
    /** Counts one request for a code from this address; refused (too_many, beside `field`) past its limit. */
    async takeAddress(ip: string, field = '_'): Promise<void> {
      try {
        await perAddress.consume(addressKey(ip));
      } catch (e) {
        if (e instanceof RateLimiterRes) throw new AppError('too_many', M.address(Math.max(1, Math.ceil(e.msBeforeNext / 1000))), field);
        throw e;
      }
    },

    /**
     * Texts a new code to `mobile` for `purpose` (its name in the message, e.g. 注册), unless the
     * number had one too lately or too often (too_many beside the `mobile` field).
     */
    async send(input: { purpose: string; label: string; mobile: string; ip: string }): Promise<SentCode> {
      const at = now();
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const sent = await db.transaction(async (trx) => {
        await lockMobile(trx, input.mobile);
        const day = await sendsSince(trx, input.mobile, new Date(at.getTime() - DAY_MS));
        const nextAt = day.last ? day.last.getTime() + PER_NUMBER_GAP_MS : 0;
        if (nextAt > at.getTime()) throw new AppError('too_many', M.wait(Math.ceil((nextAt - at.getTime()) / 1000)), 'mobile');
        if (day.count >= PER_NUMBER_PER_DAY) throw new AppError('too_many', M.daily(PER_NUMBER_PER_DAY), 'mobile');
        // The row's id is hashed with the code: one code's hash says nothing of another's.
        const expiresAt = new Date(at.getTime() + CODE_TTL_MS);
        const id = await insertCode(trx, { purpose: input.purpose, mobile: input.mobile, codeHash: (rowId) => hashOf(rowId, code), address: addressKey(input.ip), sentAt: at, expiresAt });
        await enqueueSms(trx, { personId: null, mobile: input.mobile, body: verificationCode({ schoolName: deps.schoolName, purpose: input.label, code, minutes: CODE_TTL_MS / 60_000 }) });
        return { id, expiresAt: expiresAt.getTime(), nextAt: at.getTime() + PER_NUMBER_GAP_MS };
      });
      deps.afterQueued?.();
      return sent;
    },

    /**
     * Judges a typed code inside the caller's transaction, so that what the code unlocks is written
     * in the same unit of work as its use: roll back, and the code is unused again.
     */
    check(trx: Knex, q: { id: string; purpose: string; mobile: string; code: string }): Promise<{ result: CodeCheck; left: number }> {
      return checkCode(trx, { id: q.id, purpose: q.purpose, mobile: q.mobile, codeHash: hashOf(q.id, q.code), now: now(), maxTries: MAX_TRIES });
    },

    /** Deletes codes older than two days (the throttle-purge job): the per-number day reads one. */
    purge: () => purgeCodes(db, new Date(now().getTime() - 2 * DAY_MS)),

    /** The reason a check did not pass, as the person reads it. */
    refusal(r: { result: Exclude<CodeCheck, 'ok'>; left: number }): string {
      return r.result === 'wrong' ? M.wrong(r.left) : M[r.result];
    },
  };
}

export type SmsCodes = ReturnType<typeof smsCodes>;
