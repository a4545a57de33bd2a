import { describe, expect, it } from 'vitest';
import { isCardNumber, luhnValid, normaliseCardNumber } from '../../src/domain/luhn';

describe('Luhn', () => {
  it('accepts valid numbers', () => {
    for (const n of ['4111111111111111', '6222021234567890128', '79927398713', '0']) expect(luhnValid(n), n).toBe(true);
  });

  it('rejects a changed digit and swapped neighbours', () => {
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('79927398731')).toBe(false);
  });

  it('rejects anything but digits', () => {
    for (const n of ['', '4111-1111', 'abcd', '４１１１']) expect(luhnValid(n), n).toBe(false);
  });

  it('drops spaces and hyphens people type, nothing else', () => {
    expect(normaliseCardNumber(' 6222 0212-3456 7890 128 ')).toBe('6222021234567890128');
    expect(normaliseCardNumber('6222x')).toBe('6222x');
  });

  it('wants 12 to 19 digits that pass Luhn for a bank card', () => {
    expect(isCardNumber('6222021234567890128')).toBe(true);
    expect(isCardNumber('79927398713')).toBe(false); // valid Luhn, too short
    expect(isCardNumber('62220212345678901284')).toBe(false); // 20 digits
    expect(isCardNumber('6222021234567890127')).toBe(false);
  });
});
