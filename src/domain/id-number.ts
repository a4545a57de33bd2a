// 居民身份证号码 (GB 11643): 17 digits and an ISO 7064 MOD 11-2 check character.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function idCheckChar(first17: string): string {
  let total = 0;
  for (let i = 0; i < 17; i++) total += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[total % 11]!;
}

/** Normalises a typed ID number (trailing x → X) and returns null when it is not well formed. */
export function normaliseIdNumber(input: string): string | null {
  const s = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(s)) return null;
  return s;
}

export function isValidIdNumber(input: string): boolean {
  const s = normaliseIdNumber(input);
  return s !== null && idCheckChar(s.slice(0, 17)) === s[17];
}
