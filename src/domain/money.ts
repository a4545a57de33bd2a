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

/** Digits in groups of three after the first one to three: "7,999.97", "1,099,999.00". */
const GROUPED = /^[1-9]\d{0,2}(,\d{3})+(\.\d{1,2})?$/;

/**
 * Parses a typed amount; returns null for anything not a non-negative figure with at most two
 * decimals. What a payer copies or types is taken as it reads: NFKC first, so a Chinese keyboard's
 * full-width "８０００" or "１，０９９．９８" is the ASCII figure, then thousands separators
 * are removed where they stand in threes ("7,999.97" copied from 欠费金额). A comma anywhere else is
 * refused rather than dropped: "7,99" may mean 7.99, and reading it as 799 would charge a hundred times.
 */
export function parseAmount(input: string): Decimal | null {
  const s = input.normalize('NFKC').trim();
  const plain = GROUPED.test(s) ? s.replace(/,/g, '') : s;
  if (!AMOUNT_PATTERN.test(plain)) return null;
  return new Decimal(plain);
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
