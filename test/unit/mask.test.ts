import { describe, expect, it } from 'vitest';
import { maskCard, maskIdNumber, maskMobile, maskName } from '../../src/domain/mask';

describe('masking', () => {
  it('masks an ID number as 当前用户 shows it (32*****8), hiding its length', () => {
    expect(maskIdNumber('340100198501011234')).toBe('34*****4');
    expect(maskIdNumber('32010119900101123X')).toBe('32*****X');
    expect(maskIdNumber('')).toBe('');
    expect(maskIdNumber(null)).toBe('');
  });

  it('masks a mobile number as 178****5287', () => {
    expect(maskMobile('17812345287')).toBe('178****5287');
    expect(maskMobile('')).toBe('');
  });

  it('masks names and cards', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskCard('6222', '1234')).toBe('6222 **** **** 1234');
  });
});
