import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'cupp-key-'));
const SECRET = 's'.repeat(40);
const KEY = '0f'.repeat(32);

describe('BANK_CARD_KEY', () => {
  it('takes 64 hex characters as the 32-byte AES key', () => {
    const c = loadConfig({ DATA_DIR: tmp(), BANK_CARD_KEY: KEY });
    expect(c.bankCardKey).toEqual(Buffer.from(KEY, 'hex'));
  });

  it('refuses anything else with one line naming it', () => {
    for (const bad of ['abc', '0f'.repeat(31), 'zz'.repeat(32)]) {
      expect(() => loadConfig({ DATA_DIR: tmp(), BANK_CARD_KEY: bad })).toThrow(/^配置错误 BANK_CARD_KEY: must be 64 hex characters/);
    }
  });

  it('is required in production on a real database, also when passed empty', () => {
    for (const v of [undefined, '']) {
      const env = { NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y', SESSION_SECRET: SECRET, ...(v === undefined ? {} : { BANK_CARD_KEY: v }) };
      expect(() => loadConfig(env)).toThrow(/^配置错误 BANK_CARD_KEY: required in production/);
    }
    expect(loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y', SESSION_SECRET: SECRET, BANK_CARD_KEY: KEY }).bankCardKey).toHaveLength(32);
  });

  it('is generated once under the data folder for the embedded demo, and kept', () => {
    const dir = tmp();
    const c = loadConfig({ DATA_DIR: dir });
    expect(c.bankCardKey).toHaveLength(32);
    expect(existsSync(path.join(dir, 'bank-card-key'))).toBe(true);
    expect(readFileSync(path.join(dir, 'bank-card-key'), 'utf8')).toBe(c.bankCardKey.toString('hex'));
    expect(loadConfig({ DATA_DIR: dir }).bankCardKey).toEqual(c.bankCardKey);
  });

  it('is derived from the session secret in development and tests on a server, never equal to it', () => {
    const a = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://x/y', SESSION_SECRET: SECRET });
    const b = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://x/y', SESSION_SECRET: SECRET });
    expect(a.bankCardKey).toHaveLength(32);
    expect(a.bankCardKey).toEqual(b.bankCardKey);
    expect(a.bankCardKey.toString('utf8')).not.toContain(SECRET);
  });
});
