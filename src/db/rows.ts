// The repo boundary: numeric columns arrive as strings from both engines and leave as Decimal.
import { Decimal } from '../domain/money';
import type { Knex } from 'knex';

export function dec(v: string | number | null | undefined): Decimal {
  if (v === null || v === undefined) return new Decimal(0);
  if (typeof v === 'number' && !Number.isInteger(v)) {
    throw new TypeError('a money column arrived as a fractional JS number');
  }
  return new Decimal(v);
}

/** Postgres count(*) is int8: a string on node-postgres, a number on PGlite. */
export function count(v: string | number | undefined): number {
  return v === undefined ? 0 : Number(v);
}

/**
 * The column holds the same instant as a JS Date read from it: PostgreSQL keeps microseconds (the
 * column defaults to now()), a Date only milliseconds.
 */
export function sameInstant(column: string, at: Date) {
  return (q: Knex.QueryBuilder) => q.whereRaw(`?? > ?::timestamptz - interval '1 millisecond' AND ?? < ?::timestamptz + interval '1 millisecond'`, [column, at.toISOString(), column, at.toISOString()]);
}

/**
 * A json column as the driver hands it: node-postgres and PGlite parse it; its text, should a driver
 * leave it so. NULL (a json_agg of no rows, a missing sub-select) is `empty`.
 */
export function jsonColumn<T>(v: unknown, empty: T): T {
  if (v === null || v === undefined) return empty;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/**
 * One module's write, sent inside another module's statement as a data-modifying WITH of it (as a
 * page read rides in the session's statement, src/http/session-repo.ts): its text with knex's `?`
 * placeholders and its bindings, as the owning repo's builder renders them. A single INSERT,
 * UPDATE or DELETE with no WITH of its own: PostgreSQL allows those only at the top level.
 */
export interface SqlPart {
  sql: string;
  bindings: readonly Knex.Value[];
}

export function sqlPart(q: Knex.QueryBuilder): SqlPart {
  const { sql, bindings } = q.toSQL();
  return { sql, bindings };
}
