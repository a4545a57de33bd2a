import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/http/session';
import { AUTH_MESSAGES } from '../../src/modules/auth/messages';
import { listen, testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { headerClient } from '../helpers/header-client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase({ demo: true });
const app = testApp(db);
const { url } = await listen(app);

describe('登录', () => {
  it('shows the login form with 用户名, 密码 and 登录, and the 系统公告', async () => {
    const res = await new Client(app).get('/login');
    expect(res.status).toBe(200);
    const t = text(res.text);
    for (const label of ['用户名', '密码', '登录', '系统公告', '关于2019年度学费、住宿费缴纳的通知']) expect(t).toContain(label);
  });

  it('lets 张三 in with 学号 and the last 8 of his ID number, then sends him to 密码修改', async () => {
    const c = new Client(app);
    const res = await c.login(DEMO.student.number, DEMO.student.password);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/profile/password');
    // Nothing else is reachable until the password is changed.
    for (const path of ['/', '/fees', '/pay', '/profile']) {
      const r = await c.get(path);
      expect(r.status, path).toBe(303);
      expect(r.headers.location).toBe('/profile/password');
    }
  });

  it('gives one generic message for an unknown user and for a wrong password', async () => {
    const a = await new Client(app).login('nobody-here', 'whatever1!');
    const b = await new Client(app).login(DEMO.student.number, 'wrongpass');
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(text(a.text)).toContain('用户名或密码错误');
    expect(text(b.text)).toContain('用户名或密码错误');
    expect(text(a.text)).not.toContain('不存在');
  });

  it('keeps the typed user name and says what is missing when a field is empty', async () => {
    const c = new Client(app);
    await c.get('/login');
    const res = await c.post('/login', { username: '18201234567890', password: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('value="18201234567890"');
    expect(text(res.text)).toContain('请输入密码');
  });

  it('accepts a trailing lowercase x of the initial password as X', async () => {
    const p = await f.person(db.knex, { idNumber: '62010219900101123X' });
    const res = await new Client(app).login(p.number, '0101123x');
    expect(res.status).toBe(303);
  });

  it('lets an external payer sign in with 身份证号 and 姓名', async () => {
    const res = await new Client(app).login(DEMO.external.idNumber, DEMO.external.name);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/profile/password');
    const wrong = await new Client(app).login(DEMO.external.idNumber, '李四');
    expect(wrong.status).toBe(401);
  });

  it('lets staff in with 用户编号 and password, straight to the home page', async () => {
    const res = await new Client(app).login(DEMO.finance.number, DEMO.finance.password);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
  });

  it('refuses a stopped account with the right password, records why, and forgives its failures', async () => {
    const p = await f.person(db.knex, { password: 'Abc12345!x' });
    await db.knex('accounts').where({ id: p.accountId }).update({ status: 'disabled' });
    expect((await new Client(app).login(p.number, 'wrong-one')).status).toBe(401);
    const res = await new Client(app).login(p.number, 'Abc12345!x');
    expect(res.status).toBe(401);
    expect(text(res.text)).toContain(AUTH_MESSAGES.disabled);
    const entries = await db.knex('audit_log').where({ target_person_id: p.personId }).orderBy('id').select('action', 'detail');
    expect(entries.map((e) => [e.action, (typeof e.detail === 'string' ? JSON.parse(e.detail) : e.detail).cause])).toEqual([['auth.login_failed', 'password'], ['auth.login_failed', 'disabled']]);
    expect(await db.knex('auth_throttle').where({ account: `a${p.accountId}` }).select('address')).toEqual([]);
    expect((await db.knex('accounts').where({ id: p.accountId }).first('last_login_at'))?.last_login_at).toBeNull();
  });

  it('regenerates the session id at login', async () => {
    const c = new Client(app);
    const page = await c.get('/login');
    const before = sid(page.headers['set-cookie']);
    const res = await c.post('/login', { username: DEMO.finance.number, password: DEMO.finance.password });
    const after = sid(res.headers['set-cookie']);
    expect(before).toBeTruthy();
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
  });

  it('ends the pre-login session before the 303 is sent: its row is gone and its cookie signs nobody in', async () => {
    const p = await f.person(db.knex, { password: 'Abc12345!x' });
    const b = headerClient(url);
    const page = await b.get('/login');
    const oldCookie = page.setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    const before = b.sessionId(SESSION_COOKIE);
    expect(await db.knex('sessions').where({ sid: before }).first('sid'), 'the login page stored its session').toEqual({ sid: before });
    // Answered as soon as the headers are in, as a browser follows a 303.
    const login = await b.post('/login', { username: p.number, password: 'Abc12345!x' });
    expect(login.status).toBe(303);
    expect(login.location).toBe('/');
    expect(await db.knex('sessions').where({ sid: before }).first('sid'), 'the pre-login row').toBeUndefined();
    const after = b.sessionId(SESSION_COOKIE);
    expect(after).not.toBe(before);
    expect((await db.knex('sessions').where({ sid: after }).first('sess'))?.sess).toMatchObject({ accountId: p.accountId });
    // The planted id is worth nothing: the home page sends it to sign in.
    const planted = await request(app).get('/').set('Cookie', oldCookie).set('Accept', 'text/html');
    expect(planted.status).toBe(303);
    expect(planted.headers.location).toMatch(/^\/login/);
    expect((await b.get('/')).status, 'the new id is signed in').toBe(200);
  });

  it('keeps sessions in PostgreSQL and 退出登录 ends them', async () => {
    const c = new Client(app);
    const p = await f.person(db.knex, { password: 'Abc12345!x' });
    await c.login(p.number, 'Abc12345!x');
    const rows = await db.knex('sessions').whereRaw(`(sess::jsonb->>'accountId') is not null`);
    expect(rows.length).toBeGreaterThan(0);
    expect((await c.get('/')).status).toBe(200);
    const out = await c.post('/logout', {}, { from: '/' });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/login?out=1');
    const after = await c.get('/');
    expect(after.status).toBe(303);
    expect(after.headers.location).toMatch(/^\/login/);
  });

  it('refuses a POST without the CSRF token with a 403 page', async () => {
    const c = new Client(app);
    await c.get('/login');
    const res = await c.post('/login', { username: 'a', password: 'b' }, { csrf: false });
    expect(res.status).toBe(403);
    expect(text(res.text)).toContain('页面已过期或请求来源无效');
    expect(text(res.text)).toContain('校园统一支付平台');
  });
});

// The throttle itself (验证码 past the limits, delays for the guessing address, nobody locked out)
// is tested in login-throttle.test.ts and guess-races.test.ts.

function sid(cookies: string[] | string | undefined): string | undefined {
  const list = Array.isArray(cookies) ? cookies : cookies ? [cookies] : [];
  return list.find((c) => c.startsWith('cupp.sid='))?.split(';')[0];
}
