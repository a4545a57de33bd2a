// The counters of throttle.ts in PostgreSQL (table auth_throttle, migration 100), shared by every
// app instance. Each reservation is one atomic statement or one transaction holding the row, so
// guesses sent at once each see their own count.
import type { Knex } from 'knex';

export interface CounterKey {
  scope: string;
  /** '' for a per-address counter. */
  account: string;
  /** '' for a per-account counter. */
  address: string;
}

export type PairReservation = { ok: true; failures: number } | { ok: false; waitSeconds: number };

export function throttleRepo(db: Knex) {
  return {
    /** Counts one more failure (a row past its window starts again at 1) and returns the count. */
    async reserve(key: CounterKey, windowSeconds: number): Promise<number> {
      const { rows } = await db.raw<{ rows: { failures: number }[] }>(
        `INSERT INTO auth_throttle AS t (scope, account, address, failures, expires_at)
         VALUES (:scope, :account, :address, 1, now() + make_interval(secs => :win))
         ON CONFLICT (scope, account, address) DO UPDATE SET
           failures = CASE WHEN t.expires_at <= now() THEN 1 ELSE t.failures + 1 END,
           next_at = CASE WHEN t.expires_at <= now() THEN NULL ELSE t.next_at END,
           expires_at = CASE WHEN t.expires_at <= now() THEN now() + make_interval(secs => :win) ELSE t.expires_at END
         RETURNING failures`,
        { ...key, win: windowSeconds },
      );
      return rows[0]!.failures;
    },

    /**
     * A pair (account, address) reserves a failure only when its delay is over. Past `free`
     * failures each reservation sets the next delay (base · 2^k, at most cap). The row is held for
     * update, so of parallel reservations at most one finds the delay over.
     */
    async reservePair(key: CounterKey, opts: { windowSeconds: number; free: number; baseSeconds: number; capSeconds: number }): Promise<PairReservation> {
      return db.transaction(async (trx) => {
        await trx.raw(
          `INSERT INTO auth_throttle (scope, account, address, failures, expires_at)
           VALUES (:scope, :account, :address, 0, now() + make_interval(secs => :win)) ON CONFLICT DO NOTHING`,
          { ...key, win: opts.windowSeconds },
        );
        const { rows } = await trx.raw<{ rows: { failures: number; expired: boolean; wait: string | null }[] }>(
          `SELECT failures, expires_at <= now() AS expired, ceil(extract(epoch FROM next_at - now())) AS wait
             FROM auth_throttle WHERE scope = :scope AND account = :account AND address = :address FOR UPDATE`,
          { ...key },
        );
        const row = rows[0]!;
        const wait = row.expired || row.wait === null ? 0 : Number(row.wait);
        if (wait > 0) return { ok: false, waitSeconds: wait };
        const failures = (row.expired ? 0 : row.failures) + 1;
        const over = failures - opts.free;
        const delay = over > 0 ? Math.min(opts.capSeconds, opts.baseSeconds * 2 ** (over - 1)) : null;
        await trx.raw(
          `UPDATE auth_throttle SET failures = :failures,
             next_at = CASE WHEN CAST(:delay AS int) IS NULL THEN NULL ELSE now() + make_interval(secs => CAST(:delay AS int)) END,
             expires_at = CASE WHEN :expired THEN now() + make_interval(secs => :win) ELSE expires_at END
           WHERE scope = :scope AND account = :account AND address = :address`,
          { ...key, failures, delay, expired: row.expired, win: opts.windowSeconds },
        );
        return { ok: true, failures };
      });
    },

    /** Gives one reserved failure back (the request was not a guess after all). A delay already set stays. */
    async release(key: CounterKey): Promise<void> {
      await db('auth_throttle').where(key).update({ failures: db.raw('greatest(failures - 1, 0)') });
    },

    async forget(key: CounterKey): Promise<void> {
      await db('auth_throttle').where(key).del();
    },

    /** Failures counted now (0 when none or the window is over). */
    async failures(key: CounterKey): Promise<number> {
      const row = await db('auth_throttle').where(key).andWhere('expires_at', '>', db.fn.now()).first('failures');
      return row ? Number(row.failures) : 0;
    },

    /** How many addresses are waiting out a delay at this account. */
    async delayedAddresses(scope: string, account: string): Promise<number> {
      const row = await db('auth_throttle').where({ scope, account }).andWhereNot('address', '')
        .andWhere('next_at', '>', db.fn.now()).andWhere('expires_at', '>', db.fn.now()).count<{ n: string }[]>({ n: '*' }).first();
      return Number(row?.n ?? 0);
    },

    /** Every counter of an account: its own and those of each address at it. */
    async clearAccount(scope: string, account: string): Promise<void> {
      await db('auth_throttle').where({ scope, account }).del();
    },

    async purgeExpired(): Promise<number> {
      return db('auth_throttle').where('expires_at', '<=', db.fn.now()).del();
    },
  };
}

export type ThrottleRepo = ReturnType<typeof throttleRepo>;
