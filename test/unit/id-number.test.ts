import { describe, expect, it } from 'vitest';
import { idCheckChar, isValidIdNumber, normaliseIdNumber } from '../../src/domain/id-number';

describe('ID numbers', () => {
  it('computes the GB 11643 check character', () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('11010519491231002x')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
  });

  it('normalises a trailing x and refuses malformed input', () => {
    expect(normaliseIdNumber(' 11010519491231002x ')).toBe('11010519491231002X');
    expect(normaliseIdNumber('1101051949123100')).toBeNull();
    expect(normaliseIdNumber('A1010519491231002X')).toBeNull();
  });
});
