// The idle limit is renewed lazily (src/http/session-store.ts): a page that changes nothing in the
// session leaves its row alone while the stored expiry is less than TOUCH_AFTER_SECONDS old, and
// moves it forward to a full idle limit once it is older. Neither way does a session outlive the
// idle limit counted from its last request.
import { describe, expect, it } from 'vitest';
import { TOUCH_AFTER_SECONDS } from '../../src/http/session-store';
import { Client } from '../helpers/client';
import { testApp } from '../helpers/app';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const PASSWORD = 'Abc12345!x';
const IDLE_SECONDS = 30 * 60;
const db = await testDatabase();
const app = testApp(db);

async function signedIn() {
  const p = await f.person(db.knex, { password: PASSWORD });
  const c = new Client(app);
  expect((await c.login(p.number, PASSWORD)).status).toBe(303);
  return { c, ...p };
}

const sessionOf = (accountId: number) => db.knex('sessions').whereRaw(`(sess::jsonb->>'accountId')::int = ?`, [accountId]);
/** Seconds from the database's now to the session's stored expiry. */
const secondsLeft = async (accountId: number) =>
  Number((await sessionOf(accountId).first(db.knex.raw('extract(epoch FROM expire - now())::float8 AS s'))).s);

describe('renewing the idle limit', () => {
  it('a page right after another leaves the row as it is', async () => {
    const s = await signedIn();
    const before = await sessionOf(s.accountId).first('expire', 'sess');
    expect((await s.c.get('/fees')).status).toBe(200);
    expect((await s.c.get('/')).status).toBe(200);
    const after = await sessionOf(s.accountId).first('expire', 'sess');
    expect(after.expire).toEqual(before.expire);
  });

  it('once the stored expiry is older than the grace, a page renews it to a full idle limit', async () => {
    const s = await signedIn();
    // As if the last renewal was two graces ago.
    await sessionOf(s.accountId).update({ expire: db.knex.raw(`now() + make_interval(secs => ?)`, [IDLE_SECONDS - 2 * TOUCH_AFTER_SECONDS]) });
    expect(await secondsLeft(s.accountId)).toBeLessThan(IDLE_SECONDS - TOUCH_AFTER_SECONDS);
    expect((await s.c.get('/fees')).status).toBe(200);
    const left = await secondsLeft(s.accountId);
    expect(left).toBeGreaterThan(IDLE_SECONDS - TOUCH_AFTER_SECONDS);
    expect(left).toBeLessThanOrEqual(IDLE_SECONDS + 1);
  });

  it('a page that changes the session writes its new expiry with it, never past the idle limit', async () => {
    const s = await signedIn();
    expect((await s.c.get('/profile/security')).status).toBe(200);
    await sessionOf(s.accountId).update({ expire: db.knex.raw(`now() + make_interval(secs => ?)`, [IDLE_SECONDS - 2 * TOUCH_AFTER_SECONDS]) });
    // 密保修改's first step writes a key: a merge, which carries the expiry with it.
    const verify = await s.c.post('/profile/security', { password: PASSWORD });
    expect(verify.status).toBe(303);
    const left = await secondsLeft(s.accountId);
    expect(left).toBeGreaterThan(IDLE_SECONDS - TOUCH_AFTER_SECONDS);
    expect(left).toBeLessThanOrEqual(IDLE_SECONDS + 1);
  });
});
