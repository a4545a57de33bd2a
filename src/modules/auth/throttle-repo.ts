// The counters of throttle.ts in PostgreSQL (table auth_throttle, migration 100), shared by every
// app instance. Each reservation is one atomic statement or one transaction holding the row, so
// guesses sent at once each see their own count.
import type { Knex } from 'knex';
import type { SqlPart } from '../../db/rows';

export interface CounterKey {
  scope: string;
  /** '' for a per-address counter. */
  account: string;
  /** '' for a per-account counter. */
  address: string;
}

export function throttleRepo(db: Knex) {
  return {
    /**
     * A sign-in's three looks at once, in one statement (a sign-in's statements are most of its
     * database time): one more on the account's and on the address's counters, each as `reserve`
     * does, and the pair's wait as `waitSeconds` reads it.
     */
    async reserveSignIn(k: { account: CounterKey; address: CounterKey; pair: CounterKey }, win: { account: number; address: number }): Promise<{ account: number; address: number; wait: number }> {
      const upsert = (p: string) => `INSERT INTO auth_throttle AS t (scope, account, address, failures, expires_at)
           VALUES (:${p}Scope, :${p}Account, :${p}Address, 1, now() + make_interval(secs => :${p}Win))
           ON CONFLICT (scope, account, address) DO UPDATE SET
             failures = CASE WHEN t.expires_at <= now() THEN 1 ELSE t.failures + 1 END,
             next_at = CASE WHEN t.expires_at <= now() THEN NULL ELSE t.next_at END,
             expires_at = CASE WHEN t.expires_at <= now() THEN now() + make_interval(secs => :${p}Win) ELSE t.expires_at END
           RETURNING failures`;
      const { rows } = await db.raw<{ rows: { account: number; address: number; wait: number }[] }>(
        `WITH a AS (${upsert('a')}), i AS (${upsert('i')})
         SELECT (SELECT failures FROM a) AS account, (SELECT failures FROM i) AS address,
           coalesce((SELECT ceil(extract(epoch FROM next_at - now()))::int FROM auth_throttle
             WHERE scope = :pScope AND account = :pAccount AND address = :pAddress AND expires_at > now() AND next_at > now()), 0) AS wait`,
        {
          aScope: k.account.scope, aAccount: k.account.account, aAddress: k.account.address, aWin: win.account,
          iScope: k.address.scope, iAccount: k.address.account, iAddress: k.address.address, iWin: win.address,
          pScope: k.pair.scope, pAccount: k.pair.account, pAddress: k.pair.address,
        },
      // The same text for every sign-in (only the bindings differ), planned once per connection.
      ).options({ prepare: true });
      const r = rows[0]!;
      return { account: Number(r.account), address: Number(r.address), wait: Number(r.wait) };
    },

    /**
     * After a right password, in one statement: the account's and the pair's counters forgotten, the
     * address's reservation given back, and `along`, the other writes of the same sign-in (the last
     * login, the audit entry: their repos' SQL), each a WITH of its own. A sign-in's statements
     * are most of its database time, each one CPU beside bcrypt.
     */
    async signedIn(k: { account: CounterKey; address: CounterKey; pair: CounterKey }, along: readonly SqlPart[] = []): Promise<void> {
      const alongWiths = along.map((p, i) => `, along${i} AS (${p.sql})`).join('');
      // Prepared: each caller sends the same writes every time, so there are a few texts only.
      await db.raw(
        `WITH gone AS (DELETE FROM auth_throttle WHERE scope = ? AND account = ? AND address IN ('', ?))${alongWiths}
         UPDATE auth_throttle SET failures = greatest(failures - 1, 0) WHERE scope = ? AND account = '' AND address = ?`,
        [k.account.scope, k.account.account, k.pair.address, ...along.flatMap((p) => p.bindings), k.address.scope, k.address.address],
      ).options({ prepare: true });
    },

    /**
     * Counts a checked, failed guess of a pair (account, address). Past `free` failures the pair's
     * next guess without a 验证码 waits base · 2^k seconds (at most cap). The delay is computed from
     * the row's count as it stands after the increment, so guesses failing together leave the delay
     * of the highest count.
     */
    async failPair(key: CounterKey, opts: { windowSeconds: number; free: number; baseSeconds: number; capSeconds: number }): Promise<void> {
      await db.transaction(async (trx) => {
        await trx.raw(
          `INSERT INTO auth_throttle AS t (scope, account, address, failures, expires_at)
           VALUES (:scope, :account, :address, 1, now() + make_interval(secs => :win))
           ON CONFLICT (scope, account, address) DO UPDATE SET
             failures = CASE WHEN t.expires_at <= now() THEN 1 ELSE t.failures + 1 END,
             next_at = CASE WHEN t.expires_at <= now() THEN NULL ELSE t.next_at END,
             expires_at = CASE WHEN t.expires_at <= now() THEN now() + make_interval(secs => :win) ELSE t.expires_at END`,
          { ...key, win: opts.windowSeconds },
        );
        await trx.raw(
          `UPDATE auth_throttle SET next_at = CASE WHEN failures > :free
             THEN now() + make_interval(secs => least(:cap, :base * power(2, failures - :free - 1))::int) ELSE NULL END
           WHERE scope = :scope AND account = :account AND address = :address`,
          { ...key, free: opts.free, cap: opts.capSeconds, base: opts.baseSeconds },
        );
      });
    },

    /** Gives one reserved failure back (the request was not a guess after all). */
    async release(key: CounterKey): Promise<void> {
      await db('auth_throttle').where(key).update({ failures: db.raw('greatest(failures - 1, 0)') });
    },

    /** Failures counted now (0 when none or the window is over). */
    async failures(key: CounterKey): Promise<number> {
      const row = await db('auth_throttle').where(key).andWhere('expires_at', '>', db.fn.now()).first('failures');
      return row ? Number(row.failures) : 0;
    },

    /** The accounts among these whose own counter (from any address) has reached `atLeast` now. */
    async accountsAtLeast(scope: string, accounts: string[], atLeast: number): Promise<Set<string>> {
      if (!accounts.length) return new Set();
      const rows = await db('auth_throttle').where({ scope, address: '' }).whereIn('account', accounts)
        .andWhere('failures', '>=', atLeast).andWhere('expires_at', '>', db.fn.now()).pluck('account');
      return new Set(rows as string[]);
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

    /** Rows past their window count as empty anyway; the throttle-purge job deletes them. */
    async purgeExpired(): Promise<number> {
      return db('auth_throttle').where('expires_at', '<=', db.fn.now()).del();
    },
  };
}

export type ThrottleRepo = ReturnType<typeof throttleRepo>;
