// The per-address limit of /pay/notify/*, shared by every instance (rate-limiter-flexible's
// Postgres store over our pool, as src/modules/auth/lockout.ts does).
//
// Only refused notifications count (bad signature, unparsable, unknown key): a notification a
// channel signed is always heard, however many come from one address. A channel sends every
// payment of a busy day from a handful of addresses, and a limit on those would drop real
// payments; a forger can make refusals only. Refused ones past the limit are answered 429 and not
// stored, so a flood can neither fill channel_events nor be told apart from a slow day. A
// channel's own refusals (our key out of date) stay findable: the first ones of each window are
// stored, the channel retries the rest, and the active query settles the payments regardless.
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { QueryPool } from '../../db/connection';
import { addressKey } from '../../http/address-key';

/** Refused notifications one address may have stored per window. */
export const REFUSED_PER_ADDRESS = 30;
export const REFUSED_WINDOW_SECONDS = 10 * 60;

export interface NotifyLimit {
  /** Counts a refused notification from this address: false when it is past the limit. */
  refused(ip: string): Promise<boolean>;
}

export function createNotifyLimit(pool: QueryPool, opts: { points?: number; seconds?: number } = {}): NotifyLimit {
  const points = opts.points ?? REFUSED_PER_ADDRESS;
  const limiter = new RateLimiterPostgres({
    storeClient: pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true,
    keyPrefix: 'notify_refused', points, duration: opts.seconds ?? REFUSED_WINDOW_SECONDS,
  });
  return {
    async refused(ip) {
      // penalty() is one atomic upsert: refusals arriving together each get their own count.
      // An IPv6 client is counted by its /64 (http/address-key.ts).
      const r = await limiter.penalty(addressKey(ip), 1);
      return r.consumedPoints <= points;
    },
  };
}
