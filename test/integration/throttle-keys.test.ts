// Issue 12, review findings 4, 6 and 7: what the throttle counts an address by, and its rows going away.
import { describe, expect, it } from 'vitest';
import { platformJobs } from '../../src/jobs';
import { createLogger } from '../../src/logger';
import { ADDRESS_CAPTCHA_AFTER, createThrottle } from '../../src/modules/auth/throttle';
import { testConfig } from '../helpers/app';
import { testDatabase } from '../helpers/test-db';

const db = await testDatabase();
const pass = async () => 'ok' as const;

describe('throttle address keys', () => {
  it('an unknown address ("") counts a guess once at the account, not also as the account\'s own pair', async () => {
    const t = createThrottle(db.knex, 'keys-empty');
    expect((await t.attempt('a1', '', pass)).kind).toBe('check');
    expect((await t.state('a1')).failures).toBe(1);
    // The address counter of '' is not the account '' of some other counter.
    expect(await db.knex('auth_throttle').where({ scope: 'keys-empty', account: '', address: '' }).first()).toBeUndefined();
  });

  it('an IPv6 client is counted by its /64: 50 failures from 50 addresses of one /64 ask the 51st for a 验证码', async () => {
    const t = createThrottle(db.knex, 'keys-v6');
    for (let i = 1; i <= ADDRESS_CAPTCHA_AFTER; i++) await t.attempt(`a${i}`, `2001:db8:5:6::${i.toString(16)}`, pass);
    expect(await t.captchaNeeded(null, '2001:db8:5:6:ffff::1')).toBe(true);
    expect(await t.captchaNeeded(null, '2001:db8:5:7::1')).toBe(false);
  });
});

describe('the throttle-purge job', () => {
  it('deletes counters past their window, and nothing else', async () => {
    const t = createThrottle(db.knex, 'keys-purge');
    await t.attempt('old', '198.51.100.1', pass);
    await t.attempt('live', '198.51.100.2', pass);
    await db.knex('auth_throttle').where({ scope: 'keys-purge' }).andWhere((q) => q.where({ account: 'old' }).orWhere({ address: '198.51.100.1' }))
      .update({ expires_at: db.knex.raw(`now() - interval '1 second'`) });
    const job = platformJobs({ config: testConfig(db), knex: db.knex, logger: createLogger('silent') }).find((j) => j.name === 'throttle-purge')!;
    await job.run();
    const left = await db.knex('auth_throttle').where({ scope: 'keys-purge' }).orderBy(['account', 'address']).select('account', 'address');
    expect(left).toEqual([{ account: '', address: '198.51.100.2' }, { account: 'live', address: '' }]);
  });
});
