// The signed-in user is read in the same statement as the session (src/http/session-repo.ts, the
// along query): nothing of the account is kept between requests, so an account stopped since
// sign-in loses its pages at once, and what changed in the person shows on the very next page.
import { describe, expect, it } from 'vitest';
import { Client, text } from '../helpers/client';
import { testApp } from '../helpers/app';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const PASSWORD = 'Abc12345!x';
const db = await testDatabase();
const app = testApp(db);

async function signedIn() {
  const p = await f.person(db.knex, { password: PASSWORD, name: '赵同步' });
  const c = new Client(app);
  expect((await c.login(p.number, PASSWORD)).status).toBe(303);
  return { c, ...p };
}

describe('the user read with the session', () => {
  it('shows on the page as the account is now', async () => {
    const s = await signedIn();
    const college = await f.college(db.knex, '同步学院');
    expect(text((await s.c.get('/fees')).text)).toContain(`编号：${s.number} 姓名：赵同步`);
    await db.knex('people').where({ id: s.personId }).update({ name: '赵改名', college_id: college.id });
    const page = text((await s.c.get('/fees')).text);
    expect(page).toContain('姓名：赵改名');
    expect(page).toContain('部门：同步学院');
  });

  it('an account stopped since sign-in has no pages: the next one asks to sign in', async () => {
    const s = await signedIn();
    expect((await s.c.get('/')).status).toBe(200);
    await db.knex('accounts').where({ id: s.accountId }).update({ status: 'disabled' });
    const res = await s.c.get('/fees');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Ffees');
    // And it stays signed out when the account comes back: the session no longer holds it.
    await db.knex('accounts').where({ id: s.accountId }).update({ status: 'active' });
    expect((await s.c.get('/fees')).headers.location).toBe('/login?next=%2Ffees');
  });
});
