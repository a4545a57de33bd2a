// The repo boundary: numeric columns arrive as strings from both engines and leave as Decimal.
import { Decimal } from '../domain/money';

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
