// The statements a piece of work sends to PostgreSQL, counted at the driver as bench/db-queries.ts
// does: every query of knex and of the session store's pool goes through pg.Client#query.
import pg from 'pg';

export interface Sent {
  /** The statement's text, its head only, whitespace folded. */
  head: string;
  /** Sent as a named (prepared) statement. */
  named: boolean;
}

export async function statementsOf(run: () => Promise<unknown>): Promise<Sent[]> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const seen: Sent[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0] as string | { text?: string; name?: string };
    const sql = typeof q === 'string' ? q : q.text ?? '';
    seen.push({ head: sql.trim().slice(0, 60).replace(/\s+/g, ' '), named: typeof q === 'object' && !!q.name });
    return original.apply(this, args);
  };
  try {
    await run();
  } finally {
    proto.query = original;
  }
  return seen;
}
