// Nothing the app answers may be kept by a browser or a proxy: after 退出登录, Back must not show
// the previous person's 个人信息 or 当前费用, and a shared campus proxy must never serve one
// student's page to another. Static files keep their own caching.
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { testApp } from '../helpers/app';
import { Client } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { signedInZhangsan } from '../helpers/users';

const db = await testDatabase({ demo: true });
const app = testApp(db);
const zs = await signedInZhangsan(db.knex, app);
const finance = new Client(app);
await finance.login(DEMO.finance.number, DEMO.finance.password);

describe('Cache-Control: no-store', () => {
  it('on every signed-in student page', async () => {
    for (const path of ['/', '/fees', '/pay', '/profile', '/transactions', '/receipts', '/no/such/page']) {
      const res = await zs.get(path);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
  });

  it('on console pages and exports', async () => {
    for (const path of ['/console', '/console/people', '/console/reports', '/console/reports.csv', '/console/reconcile', '/console/audit']) {
      const res = await finance.get(path);
      expect(res.status, path).toBeLessThan(400);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
  });

  it('on the login page too, but not on static files', async () => {
    const anon = new Client(app);
    expect((await anon.get('/login')).headers['cache-control']).toBe('no-store');
    const css = await anon.agent.get('/public/css/site.css');
    expect(css.status).toBe(200);
    expect(css.headers['cache-control']).not.toContain('no-store');
  });
});
