// Guesses sent all at once must be counted like guesses sent one by one: each reserves its failure
// before the password is checked, so a burst cannot slip past the limits of throttle.ts.
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app';
import { Client } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
// Room in the bcrypt queue for the whole burst: what is measured here is the throttle, not the
// shedding of a full queue (test/reliability/overload.test.ts).
const app = testApp(db, { BCRYPT_WAITING: '64' });

async function loginForm(c: Client) {
  await c.get('/login');
  return c;
}

describe('parallel guesses', () => {
  it('lets at most 5 of 30 simultaneous wrong logins from one address be checked; the rest wait or are asked for a 验证码', async () => {
    const p = await f.person(db.knex, { password: 'Right#pass2026' });
    const clients = await Promise.all(Array.from({ length: 30 }, () => loginForm(new Client(app))));
    const res = await Promise.all(clients.map((c, i) => c.post('/login', { username: p.number, password: `wrong-${i}` })));
    const statuses = res.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    // Reserved before they are checked: every one past the free failures is asked for a 验证码.
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThanOrEqual(25);
    expect(statuses.every((s) => [400, 401].includes(s))).toBe(true);
    // The right password now needs a 验证码 too (test/integration/throttle-nat.test.ts: and gets in with one).
    expect((await new Client(app).login(p.number, 'Right#pass2026')).status).toBe(400);
  });

  it('throttles guessing the current password on 密码修改 from a signed-in session', async () => {
    const p = await f.person(db.knex, { password: 'Right#pass2026' });
    const c = new Client(app);
    expect((await c.login(p.number, 'Right#pass2026')).status).toBe(303);
    await c.get('/profile/password');
    for (let i = 0; i < 5; i++) {
      const r = await c.post('/profile/password', { current: `nope-${i}`, next: 'New#pass20261', confirm: 'New#pass20261' });
      expect(r.status).toBe(400);
    }
    const locked = await c.post('/profile/password', { current: 'Right#pass2026', next: 'New#pass20261', confirm: 'New#pass20261' });
    // 429, as 修改密保 and 银行卡修改 answer the same lock.
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('15分钟');
    const acct = await db.knex('accounts').where({ id: p.accountId }).first('password_hash');
    expect(acct.password_hash).not.toBeNull();
  });
});
