// Statements and transactions the app sends to PostgreSQL, counted at the driver: every query of
// knex and of the session store's pool (src/db/connection.ts poolOver) goes through
// pg.Client#query. pg_stat_statements is not loaded on the bench's server, and its configuration
// is not the bench's to change; counting here also sees which statements one request sends.
// A statement outside BEGIN … COMMIT is a transaction of its own (autocommit).
import pg from 'pg';

export interface QueryCounts {
  statements: number;
  transactions: number;
  /** Statements by their text's first 60 characters (what a profile of one page lists). */
  byText: Map<string, number>;
}

/** Starts counting every statement of this thread's pg clients but those `ignore` names (the bench's own). */
export function countQueries(ignore: (sql: string) => boolean) {
  const counts: QueryCounts = { statements: 0, transactions: 0, byText: new Map() };
  const inTransaction = new WeakSet<object>();
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: object, ...args: unknown[]) {
    const q = args[0];
    const sql = (typeof q === 'string' ? q : (q as { text?: string } | undefined)?.text ?? '').trim();
    if (!ignore(sql)) {
      counts.statements++;
      const head = sql.slice(0, 60).replace(/\s+/g, ' ');
      counts.byText.set(head, (counts.byText.get(head) ?? 0) + 1);
      if (/^begin/i.test(sql)) {
        inTransaction.add(this);
        counts.transactions++;
      } else if (/^(commit|rollback)\b/i.test(sql) && !/^rollback to/i.test(sql)) inTransaction.delete(this);
      else if (!inTransaction.has(this)) counts.transactions++;
    }
    return original.apply(this, args);
  };
  return {
    /** A copy of the counts so far. */
    read: (): QueryCounts => ({ statements: counts.statements, transactions: counts.transactions, byText: new Map(counts.byText) }),
    stop: () => {
      proto.query = original;
    },
  };
}

/** What was counted between two readings. */
export function queriesBetween(a: QueryCounts, b: QueryCounts): QueryCounts {
  const byText = new Map<string, number>();
  for (const [k, n] of b.byText) if (n - (a.byText.get(k) ?? 0) > 0) byText.set(k, n - (a.byText.get(k) ?? 0));
  return { statements: b.statements - a.statements, transactions: b.transactions - a.transactions, byText };
}
