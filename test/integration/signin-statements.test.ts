// The statements one successful sign-in sends, counted at the driver (test/helpers/statements.ts).
// Each costs the request thread and PostgreSQL CPU that bcrypt competes for on a small machine
// (issue 15), so the count is held where the work has brought it.
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app';
import { Client } from '../helpers/client';
import { statementsOf } from '../helpers/statements';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const app = testApp(db);
const PW = 'Abc12345!x';

describe('one successful sign-in', () => {
  it('sends 5 statements: the session, the account, the throttle\'s reservation, its forgiving with the last login and the audit entry, and the new session replacing the old', async () => {
    const p = await f.person(db.knex, { password: PW });
    const c = new Client(app);
    await c.get('/login');
    const seen = await statementsOf(async () => {
      const res = await c.post('/login', { username: p.number, password: PW });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/');
    });
    const heads = JSON.stringify(seen.map((s) => s.head), null, 1);
    expect(seen.length, heads).toBe(5);
    // The old session's row goes in the statement that writes the new one, not in a DELETE of its own.
    expect(seen.filter((s) => /^DELETE FROM "?sessions"?/i.test(s.head)), heads).toEqual([]);
    expect(seen.filter((s) => /^WITH gone AS \(DELETE FROM sessions/.test(s.head)), heads).toHaveLength(1);
    // The sign-in's writes beside the throttle's ride in its statement, and all landed.
    expect(seen.filter((s) => /\b(accounts|audit_log)\b/.test(s.head) && !/^select/i.test(s.head)), heads).toEqual([]);
    expect((await db.knex('accounts').where({ id: p.accountId }).first('last_login_at'))?.last_login_at).toBeTruthy();
    expect(await db.knex('audit_log').where({ action: 'auth.login', target_person_id: p.personId }).count<{ n: string }[]>({ n: '*' })).toEqual([{ n: '1' }]);
    // Signed in, on the new id.
    expect((await c.get('/')).status).toBe(200);
  });
});
