// 银行卡号: the Luhn check digit catches a mistyped digit or two swapped neighbours before a refund
// is sent to a card that does not exist.

/** Spaces and hyphens as people type them ("6222 0212 …") are dropped; anything else is kept, so it fails. */
export function normaliseCardNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Chinese debit and credit cards are 16 to 19 digits (UnionPay), some older ones 12 to 15. */
export function isCardNumber(digits: string): boolean {
  return /^\d{12,19}$/.test(digits) && luhnValid(digits);
}
