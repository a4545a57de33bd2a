import { describe, expect, it } from 'vitest';
import { checkPassword, initialPassword, PASSWORD_RULE } from '../../src/domain/password-policy';

const ctx = { number: '18201234567890', idNumber: '340100198501011234' };

describe('password policy', () => {
  it('wants 9+ characters with letters, digits and symbols', () => {
    expect(checkPassword('Abcdef12!', ctx)).toBeNull();
    expect(checkPassword('Abcde12!', ctx)).toBe(PASSWORD_RULE); // 8 characters
    expect(checkPassword('abcdefghij', ctx)).toBe(PASSWORD_RULE);
    expect(checkPassword('1234567890!', ctx)).toBe(PASSWORD_RULE);
    expect(checkPassword('Abcdefghi1', ctx)).toBe(PASSWORD_RULE);
  });

  it('refuses the old password, the person number and the ID digits', () => {
    expect(checkPassword('Abcdef12!', { ...ctx, oldPassword: 'Abcdef12!' })).toContain('不能与原密码相同');
    expect(checkPassword('x18201234567890!', ctx)).toContain('学号');
    expect(checkPassword('a01011234!', ctx)).toContain('身份证');
  });

  it('derives the initial password from the last 8 of the ID number, X in capitals', () => {
    expect(initialPassword('340100198501011234')).toBe('01011234');
    expect(initialPassword('62010219900101123x')).toBe('0101123X');
  });
});
