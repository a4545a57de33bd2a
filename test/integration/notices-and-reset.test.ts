// Review findings: notice keys from the query string are looked up as own keys only, and a
// finance password reset signs the person out everywhere.
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase({ demo: true });
const app = testApp(db);

describe('notices from the query string', () => {
  it('ignores inherited names such as constructor', async () => {
    const p = await f.person(db.knex, { password: 'Abc12345!x' });
    const c = new Client(app);
    await c.login(p.number, 'Abc12345!x');
    expect(text((await c.get('/profile?saved=constructor')).text)).not.toContain('native code');
    const fin = new Client(app);
    await fin.login(DEMO.finance.number, DEMO.finance.password);
    expect(text((await fin.get(`/console/people/${p.personId}?done=constructor`)).text)).not.toContain('native code');
  });
});

describe('重置密码', () => {
  it('ends every session of the person', async () => {
    const p = await f.person(db.knex, { password: 'Abc12345!x' });
    const student = new Client(app);
    await student.login(p.number, 'Abc12345!x');
    expect((await student.get('/fees')).status).toBe(200);
    const fin = new Client(app);
    await fin.login(DEMO.finance.number, DEMO.finance.password);
    await fin.get(`/console/people/${p.personId}`);
    expect((await fin.post(`/console/people/${p.personId}/account`, { action: 'reset', reason: '本人来电，已核实身份' })).status).toBe(303);
    const after = await student.get('/fees');
    expect(after.status).toBe(303);
    expect(after.headers.location).toMatch(/^\/login/);
  });
});
