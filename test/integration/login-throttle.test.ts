// Issue 12: a campus behind one NAT address, and anyone able to type a student's 学号. Failures from
// one address never lock other people out, and guesses at one account never lock its owner out:
// past the limits the answer is a 验证码, and only the guessing address waits.
import { describe, expect, it } from 'vitest';
import { ADDRESS_CAPTCHA_AFTER, PAIR_FREE_FAILURES } from '../../src/modules/auth/throttle';
import { testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { captchaOf, guessPastFreeFailures } from './profile-helpers';

const db = await testDatabase();
const app = testApp(db);
const other = testApp(db); // a second instance on the same database

/** Signs in as a person would: with the 验证码 when the page asks for one. */
async function signIn(c: Client, username: string, password: string) {
  const first = await c.login(username, password);
  if (!(first.status === 400 && first.text.includes('name="captcha"'))) return { first, last: first };
  const { text: code } = await captchaOf(c, db.knex);
  return { first, last: await c.post('/login', { username, password, captcha: code }) };
}

describe('one address, many students', () => {
  it('lets a 51st student in from an address where 50 others each failed once (with a 验证码 at most)', async () => {
    const nat = '10.20.0.1';
    const people = await Promise.all(Array.from({ length: 51 }, () => f.person(db.knex)));
    for (const p of people.slice(0, ADDRESS_CAPTCHA_AFTER)) {
      const r = await new Client(app, { ip: nat }).login(p.number, 'typo-123');
      expect(r.status).toBe(401);
      expect(text(r.text)).toContain('用户名或密码错误');
    }
    // The login page from that address now shows the 验证码 field; from elsewhere it does not.
    expect((await new Client(app, { ip: nat }).get('/login')).text).toContain('name="captcha"');
    expect((await new Client(app, { ip: '10.20.0.2' }).get('/login')).text).not.toContain('name="captcha"');

    const last = people[50]!;
    const { first, last: res } = await signIn(new Client(other, { ip: nat }), last.number, last.idNumber.slice(-8));
    expect(first.status).not.toBe(429);
    expect(text(first.text)).toContain('请输入验证码');
    expect(res.status).toBe(303);
    // Each of the 50 still gets in with the right password.
    const { last: again } = await signIn(new Client(app, { ip: nat }), people[0]!.number, people[0]!.idNumber.slice(-8));
    expect(again.status).toBe(303);
  });
});

describe('guesses at one account', () => {
  it('20 parallel wrong guesses: the owner still gets in from elsewhere, the guessing address needs a 验证码', async () => {
    const p = await f.person(db.knex, { password: 'Right#pass2026' });
    const attacker = '203.0.113.9';
    const clients = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const c = new Client(i % 2 ? app : other, { ip: attacker });
      await c.get('/login');
      return c;
    }));
    const res = await Promise.all(clients.map((c, i) => c.post('/login', { username: p.number, password: `wrong-${i}` })));
    const statuses = res.map((r) => r.status);
    // Reserve-before-check: only the free failures are checked without a 验证码; the rest are asked for one.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(PAIR_FREE_FAILURES);
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThanOrEqual(20 - PAIR_FREE_FAILURES);
    for (const r of res.filter((x) => x.status === 400)) expect(text(r.text)).toContain('请输入验证码');

    // The owner, at home: a 验证码, never a refusal.
    const owner = new Client(app, { ip: '198.51.100.7' });
    const { first, last } = await signIn(owner, p.number, 'Right#pass2026');
    expect(first.status).toBe(400);
    expect(text(first.text)).toContain('请输入验证码');
    expect(last.status).toBe(303);
  });

  it('past the free failures a guessing address waits between guesses without a 验证码', async () => {
    const p = await f.person(db.knex, { password: 'Right#pass2026' });
    const attacker = '203.0.113.10';
    expect((await guessPastFreeFailures(app, db.knex, p.number, attacker)).status).toBe(401);
    const again = await new Client(app, { ip: attacker }).login(p.number, 'wrong-y');
    expect(again.status).toBe(429);
    expect(text(again.text)).toMatch(/登录失败次数过多，请\d+秒后再试/);
  });

  it('asks every address for a 验证码 after 5 failures, across instances, and the right password with it gets in', async () => {
    const p = await f.person(db.knex);
    for (let i = 0; i < 5; i++) expect((await new Client(i % 2 ? app : other, { ip: `192.0.2.${i + 1}` }).login(p.number, `wrong-${i}`)).status).toBe(401);
    const c = new Client(other, { ip: '192.0.2.200' });
    const asked = await c.login(p.number, p.idNumber.slice(-8));
    expect(asked.status).toBe(400);
    expect(asked.text).toContain('src="/captcha.svg"');
    expect(asked.text).toContain(`value="${p.number}"`);
    const wrongCode = await c.post('/login', { username: p.number, password: p.idNumber.slice(-8), captcha: 'zzzz' });
    expect(text(wrongCode.text)).toMatch(/验证码不正确|验证码已失效/);
    const { text: code } = await captchaOf(c, db.knex);
    expect((await c.post('/login', { username: p.number, password: p.idNumber.slice(-8), captcha: code })).status).toBe(303);
    // Success forgives the failures: the next sign-in needs no 验证码.
    expect((await new Client(app, { ip: '192.0.2.201' }).login(p.number, p.idNumber.slice(-8))).status).toBe(303);
  });

  it('treats a name that does not exist the same way, so the throttle reveals nothing', async () => {
    for (let i = 0; i < 5; i++) expect((await new Client(app, { ip: `192.0.2.${50 + i}` }).login('ghost-user', 'x')).status).toBe(401);
    const res = await new Client(app, { ip: '192.0.2.99' }).login('ghost-user', 'x');
    expect(res.status).toBe(400);
    expect(text(res.text)).toContain('请输入验证码');
  });
});
