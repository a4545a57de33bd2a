// Money is Decimal from the database to the screen; a JS number never holds an amount.
import Decimal from 'decimal.js';

export { Decimal };
export type Money = Decimal;

export const ZERO = new Decimal(0);

/** The exact shape a user may type: digits, at most two decimals, no sign, no exponent. */
export const AMOUNT_PATTERN = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;

export function money(v: Decimal.Value): Decimal {
  return new Decimal(v).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** Parses a typed amount; returns null for anything not a plain non-negative two-decimal figure. */
export function parseAmount(input: string): Decimal | null {
  const s = input.trim();
  if (!AMOUNT_PATTERN.test(s)) return null;
  return new Decimal(s);
}

/** 1099.98 → "1,099.98" (arrears and totals as 图8–图11 show them). */
export function formatMoney(v: Decimal.Value): string {
  const d = new Decimal(v).toFixed(2);
  const [int, frac] = d.split('.') as [string, string];
  const neg = int.startsWith('-');
  const digits = neg ? int.slice(1) : int;
  return `${neg ? '-' : ''}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

/** "1100.00": the plain two-decimal form used by some tables and by yuan-based channels. */
export function plainMoney(v: Decimal.Value): string {
  return new Decimal(v).toFixed(2);
}

/** Yuan → integer fen for WeChat, UnionPay and ICBC. Refuses anything finer than a fen. */
export function toFen(v: Decimal.Value): bigint {
  const fen = new Decimal(v).times(100);
  if (!fen.isInteger()) throw new RangeError(`amount ${String(v)} has more than two decimals`);
  return BigInt(fen.toFixed(0));
}

/** Integer fen (as the channel sent it) → yuan. */
export function fromFen(fen: bigint | string | number): Decimal {
  const s = String(fen);
  if (!/^-?\d+$/.test(s)) throw new RangeError(`not an integer fen amount: ${s}`);
  return new Decimal(s).dividedBy(100);
}

export function sum(values: Iterable<Decimal.Value>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}
