import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptCard, encryptCard } from '../../src/domain/card-crypto';

const key = randomBytes(32);
const card = '6222021234567890128';

describe('bank card encryption', () => {
  it('round-trips and never contains the plain number', () => {
    const enc = encryptCard(card, key);
    expect(decryptCard(enc, key)).toBe(card);
    expect(enc).not.toContain(card);
    expect(Buffer.from(enc, 'base64').toString('latin1')).not.toContain(card);
  });

  it('uses a fresh IV each time', () => {
    expect(encryptCard(card, key)).not.toBe(encryptCard(card, key));
    const ivs = new Set(Array.from({ length: 20 }, () => Buffer.from(encryptCard(card, key), 'base64').subarray(0, 12).toString('hex')));
    expect(ivs.size).toBe(20);
  });

  it('refuses the wrong key and a tampered value', () => {
    const enc = encryptCard(card, key);
    expect(() => decryptCard(enc, randomBytes(32))).toThrow();
    const raw = Buffer.from(enc, 'base64');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    expect(() => decryptCard(raw.toString('base64'), key)).toThrow();
    expect(() => decryptCard('AAAA', key)).toThrow();
  });

  it('wants a 32-byte key', () => {
    expect(() => encryptCard(card, randomBytes(16))).toThrow();
  });
});
