import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { expectConfigErrors } from '../helpers/config-errors';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'cupp-cfg-'));

describe('configuration', () => {
  it('has the defaults of the design: port 3000, embedded database, 兰州理工大学, LUT', () => {
    const dir = tmp();
    const c = loadConfig({ DATA_DIR: dir });
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.schoolName).toBe('兰州理工大学');
    expect(c.schoolCode).toBe('LUT');
    expect(c.timeZone).toBe('Asia/Shanghai');
    expect(c.sandbox.enabled).toBe(true);
    // The embedded default keeps a generated session secret under the data folder.
    expect(c.sessionSecret).toBe(readFileSync(path.join(dir, 'session-secret'), 'utf8'));
    expect(loadConfig({ DATA_DIR: dir }).sessionSecret).toBe(c.sessionSecret);
  });

  it('stops with one line naming the variable and what is wrong', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ PORT: 'abc' }, /^配置错误 PORT: /],
      [{ PORT: '70000' }, /^配置错误 PORT: /],
      [{ SCHOOL_CODE: 'lut1' }, /^配置错误 SCHOOL_CODE: must be three capital letters$/],
      [{ DATABASE_URL: 'mysql://x' }, /^配置错误 DATABASE_URL: must be a postgres:\/\/ URL$/],
      [{ DATABASE_URL: 'postgres://x/y' }, /^配置错误 SESSION_SECRET: required when DATABASE_URL is set$/],
      [{ SANDBOX: 'maybe' }, /^配置错误 SANDBOX: /],
      [{ TIME_ZONE: 'UTC' }, /^配置错误 TIME_ZONE: /],
    ];
    expectConfigErrors((env) => loadConfig({ DATA_DIR: tmp(), ...env }), bad);
  });

  it('takes TRUST_PROXY as Express does: a hop count, or range names, addresses and CIDRs; loopback by default', () => {
    const dir = tmp();
    expect(loadConfig({ DATA_DIR: dir }).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ DATA_DIR: dir, TRUST_PROXY: '' }).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ DATA_DIR: dir, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ DATA_DIR: dir, TRUST_PROXY: 'loopback, 172.18.0.1, 10.0.0.0/8, fd00::/8' }).trustProxy).toEqual(['loopback', '172.18.0.1', '10.0.0.0/8', 'fd00::/8']);
    for (const bad of ['true', '*', '10.0.0.0/33', '300.1.1.1', 'loopback,nginx', '11']) {
      expect(() => loadConfig({ DATA_DIR: dir, TRUST_PROXY: bad }), bad).toThrow(/^配置错误 TRUST_PROXY: must be a hop count/);
    }
  });

  it('makes cookies secure by default in production only, and COOKIE_SECURE overrides either way', () => {
    const dir = tmp();
    const prod = { DATA_DIR: dir, NODE_ENV: 'production' };
    expect(loadConfig(prod).cookieSecure).toBe(true);
    expect(loadConfig({ ...prod, COOKIE_SECURE: '0' }).cookieSecure).toBe(false);
    expect(loadConfig({ ...prod, COOKIE_SECURE: '' }).cookieSecure).toBe(true);
    expect(loadConfig({ DATA_DIR: dir }).cookieSecure).toBe(false);
    expect(loadConfig({ DATA_DIR: dir, COOKIE_SECURE: '1' }).cookieSecure).toBe(true);
  });
});
