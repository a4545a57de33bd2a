// 新用户注册 (manual 三(一).4): an outsider registers with 姓名, 身份证号 and 手机号,
// confirms the mobile with the SMS code and sets a password, then signs in with 身份证号 + password.
import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { CODE_TTL_MS, MAX_TRIES, PER_ADDRESS_PER_HOUR, PER_NUMBER_GAP_MS, PER_NUMBER_PER_DAY } from '../../src/modules/sms-codes/service';
import { platformJobs } from '../../src/jobs';
import { createLogger } from '../../src/logger';
import { testConfig } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { counts, freshIdNumber, freshMobile, lastCode, NEW_PASSWORD, registrationWorld, startRegistration } from './registration-helpers';

const db = await testDatabase({ demo: true });
const w = registrationWorld(db, { BCRYPT_WAITING: '64' });
const knex = db.knex;
let ipSeq = 0;
/** A client at an address of its own: the per-address limit of one test is not another's. */
const client = () => new Client(w.app, { ip: `198.51.100.${++ipSeq}` });

/** A new client at step 1 with a fresh 身份证号 and mobile, sent on to step 2: its SMS code. */
async function codeSent() {
  const c = client();
  const mobile = freshMobile();
  const idNumber = freshIdNumber();
  expect((await startRegistration(c, knex, { idNumber, mobile })).status).toBe(303);
  const code = await lastCode(knex, mobile);
  return { c, mobile, idNumber, code };
}

async function verify(c: Client, code: string, password = NEW_PASSWORD, confirm = password) {
  return c.post('/register/verify', { code, password, confirm });
}

describe('新用户注册', () => {
  it('is linked from the login page, texts a code, creates an external payer who signs in with 身份证号 + password', async () => {
    const c = client();
    const login = await c.get('/login');
    expect(login.text).toContain('href="/register"');
    expect(text(login.text)).toContain('新用户注册');
    const idNumber = freshIdNumber();
    const mobile = freshMobile();
    const s = await startRegistration(c, knex, { name: '赵六', idNumber: idNumber.toLowerCase(), mobile });
    expect(s.status, text(s.text)).toBe(303);
    expect(s.headers.location).toBe('/register/verify');
    const page = await c.get('/register/verify');
    expect(text(page.text)).toContain(`短信验证码已发送至 ${mobile.slice(0, 3)}****${mobile.slice(-4)}`);
    const code = await lastCode(knex, mobile);
    // Stored keyed-hashed, never as typed.
    const row = await knex('sms_codes').where({ mobile }).first();
    expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(code);

    const done = await verify(c, code);
    expect(done.status, text(done.text)).toBe(303);
    expect(done.headers.location).toBe('/login?registered=1');
    const back = await c.get('/login?registered=1');
    expect(text(back.text)).toContain('注册成功。请使用身份证号和刚才设置的密码登录。');
    expect(back.text).toContain(`value="${idNumber}"`);

    const person = await knex('people').where({ id_number: idNumber }).first();
    expect(person).toMatchObject({ kind: 'external', name: '赵六', mobile });
    expect(person.number).toMatch(/^W\d{7}$/);
    const account = await knex('accounts').where({ person_id: person.id }).first();
    expect(account).toMatchObject({ role: 'external', must_change_password: false, status: 'active' });
    expect(await bcrypt.compare(NEW_PASSWORD, account.password_hash)).toBe(true);
    const audit = await knex('audit_log').where({ action: 'account.register', target_person_id: person.id });
    expect(audit).toHaveLength(1);
    expect(audit[0].detail).toMatchObject({ number: person.number, via: 'sms_code' });
    expect(JSON.stringify(audit[0].detail)).not.toContain(NEW_PASSWORD);

    const signedIn = client();
    const res = await signedIn.login(idNumber.toLowerCase(), NEW_PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(text((await signedIn.get('/fees')).text)).toContain('当前费用');
  });

  it('refuses a code past its 5 minutes, and a new one (after the 60 s gap) works', async () => {
    const { c, mobile, idNumber, code } = await codeSent();
    w.advance(CODE_TTL_MS + 1000);
    const before = await counts(knex);
    const late = await verify(c, code);
    expect(late.status).toBe(400);
    expect(text(late.text)).toContain('验证码已过期，请重新获取');
    expect(late.text).toContain(`value="${code}"`);
    expect(late.text).not.toContain(NEW_PASSWORD);
    expect((await counts(knex)).people).toBe(before.people);

    expect((await c.post('/register/resend', {})).headers.location).toBe('/register/verify?resent=1');
    expect(text((await c.get('/register/verify?resent=1')).text)).toContain('已重新发送短信验证码');
    const fresh = await lastCode(knex, mobile);
    // The old code is no longer the one asked for.
    if (fresh !== code) expect((await verify(c, code)).status).toBe(400);
    expect((await verify(c, fresh)).headers.location).toBe('/login?registered=1');
    expect(await knex('people').where({ id_number: idNumber })).toHaveLength(1);
  });

  it(`takes ${MAX_TRIES} wrong codes, then not even the right one`, async () => {
    const { c, idNumber, code } = await codeSent();
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= MAX_TRIES; i++) {
      const res = await verify(c, wrong);
      expect(res.status).toBe(400);
      expect(text(res.text)).toContain(i < MAX_TRIES ? `验证码不正确，还可输入${MAX_TRIES - i}次` : '验证码不正确，请重新获取验证码');
    }
    const right = await verify(c, code);
    expect(right.status).toBe(400);
    expect(text(right.text)).toContain('验证码输入错误次数过多，请重新获取验证码');
    expect(await knex('people').where({ id_number: idNumber })).toHaveLength(0);
  });

  it('uses a code once: replayed after its use, it creates nothing more', async () => {
    const { c, mobile, idNumber, code } = await codeSent();
    // The flow as the session holds it, kept to replay after the registration.
    const sess = await knex('sessions').whereRaw(`sess::jsonb -> 'registration' ->> 'mobile' = ?`, [mobile]).first('sess');
    const state = (typeof sess.sess === 'string' ? JSON.parse(sess.sess) : sess.sess).registration;
    expect((await verify(c, code)).headers.location).toBe('/login?registered=1');
    // The same page posted again: the flow is over.
    expect((await verify(c, code)).headers.location).toBe('/register?expired=1');
    // The same code with the flow's state replayed (a copied session): used, nothing created.
    await expect(w.services.registration.complete(state, { code, password: NEW_PASSWORD }, '198.51.100.250')).rejects.toMatchObject({ message: '验证码已使用，请重新获取', field: 'code' });
    expect(await knex('people').where({ id_number: idNumber })).toHaveLength(1);
  });

  it('creates one person from 20 parallel submissions of one right code', async () => {
    const { c, idNumber, code } = await codeSent();
    await c.get('/register/verify');
    const answers = await Promise.all(Array.from({ length: 20 }, () => verify(c, code)));
    const statuses = answers.map((a) => `${a.status} ${a.headers.location ?? ''}`.trim());
    // One creates the account; the others find the code used (400), the flow already over (303 back
    // to the start, once the winner's session write is in), or the bcrypt queue full (503).
    expect(statuses.filter((s) => s === '303 /login?registered=1')).toHaveLength(1);
    expect(statuses.every((s) => ['303 /login?registered=1', '303 /register?expired=1', '400', '503'].includes(s)), statuses.join(',')).toBe(true);
    expect(await knex('people').where({ id_number: idNumber })).toHaveLength(1);
    expect(await knex('audit_log').where({ action: 'account.register' }).whereRaw(`detail->>'number' = (SELECT number FROM people WHERE id_number = ?)`, [idNumber])).toHaveLength(1);
  });

  it(`limits codes per number: one per ${PER_NUMBER_GAP_MS / 1000} s and ${PER_NUMBER_PER_DAY} a day`, async () => {
    const mobile = freshMobile();
    expect((await startRegistration(client(), knex, { idNumber: freshIdNumber(), mobile })).status).toBe(303);
    const before = await counts(knex);
    const soon = await startRegistration(client(), knex, { idNumber: freshIdNumber(), mobile });
    expect(soon.status).toBe(429);
    expect(text(soon.text)).toMatch(/验证码已发送，请\d+秒后再重新获取/);
    expect(soon.text).toContain(`value="${mobile}"`);
    expect(await counts(knex)).toEqual(before);
    for (let i = 2; i <= PER_NUMBER_PER_DAY; i++) {
      w.advance(PER_NUMBER_GAP_MS);
      expect((await startRegistration(client(), knex, { idNumber: freshIdNumber(), mobile })).status).toBe(303);
    }
    w.advance(PER_NUMBER_GAP_MS);
    const sixth = await startRegistration(client(), knex, { idNumber: freshIdNumber(), mobile });
    expect(sixth.status).toBe(429);
    expect(text(sixth.text)).toContain(`该手机号今日获取验证码已达${PER_NUMBER_PER_DAY}次，请24小时后再试`);
    // 重新获取验证码 on step 2 keeps to the same limits.
    const c = client();
    const other = freshMobile();
    expect((await startRegistration(c, knex, { idNumber: freshIdNumber(), mobile: other })).status).toBe(303);
    const resend = await c.post('/register/resend', {});
    expect(resend.status).toBe(429);
    expect(text(resend.text)).toMatch(/请\d+秒后再重新获取/);
    w.advance(24 * 3600_000);
    expect((await startRegistration(client(), knex, { idNumber: freshIdNumber(), mobile })).status).toBe(303);
  });

  it(`limits code requests per client address (${PER_ADDRESS_PER_HOUR} an hour), whatever the numbers`, async () => {
    const ip = '203.0.113.77';
    for (let i = 0; i < PER_ADDRESS_PER_HOUR; i++) {
      expect((await startRegistration(new Client(w.app, { ip }), knex, { idNumber: freshIdNumber(), mobile: freshMobile() })).status).toBe(303);
    }
    const before = await counts(knex);
    const over = await startRegistration(new Client(w.app, { ip }), knex, { idNumber: freshIdNumber(), mobile: freshMobile() });
    expect(over.status).toBe(429);
    expect(text(over.text)).toMatch(/获取验证码过于频繁，请\d+秒后再试/);
    expect(await counts(knex)).toEqual(before);
    // Another address is not held back.
    expect((await startRegistration(new Client(w.app, { ip: '203.0.113.78' }), knex, { idNumber: freshIdNumber(), mobile: freshMobile() })).status).toBe(303);
  });

  it('tells a 身份证号 already registered to sign in or recover, the same way whoever holds it and whatever mobile is typed', async () => {
    const student = await f.person(knex, { kind: 'student', name: '钱七', mobile: '13912340001' });
    const staff = await f.person(knex, { role: 'staff', name: '孙八', mobile: '13912340002' });
    const outsider = await f.person(knex, { kind: 'external', role: 'external', name: '周九', mobile: '13912340003' });
    const before = await counts(knex);
    const mobile = '13912349999';
    const pages: string[] = [];
    // Each variant typed with the same 姓名 and mobile: the holder's own mobile or another, x in either case.
    const variants = [
      { who: student, mobile }, { who: student, mobile: '13912340001' }, { who: staff, mobile }, { who: staff, mobile: '13912340002' },
      { who: outsider, mobile }, { who: outsider, mobile: '13912340003' },
    ];
    for (const v of variants) {
      const res = await startRegistration(client(), knex, { name: '吴十', idNumber: v.who.idNumber, mobile: v.mobile });
      expect(res.status).toBe(409);
      const t = text(res.text);
      expect(t).toContain('该身份证号已注册，请直接登录；如忘记密码，请使用“找回密码”。');
      expect(res.text).toContain('href="/recover"');
      for (const p of [student, staff, outsider]) {
        expect(t).not.toContain(p.name);
        expect(t).not.toContain(p.number);
      }
      // The same page, once what was typed and the form's token are taken out.
      pages.push(res.text.replace(/name="_csrf" value="[^"]*"/, '').replace(/value="[^"]*"/g, 'value=""'));
    }
    expect(new Set(pages).size).toBe(1);
    expect(await counts(knex)).toEqual(before);
  });

  it('tells the second of two registrations of one 身份证号 to sign in, at its step 2, and creates one person', async () => {
    const idNumber = freshIdNumber();
    const [a, b] = [client(), client()];
    const [ma, mb] = [freshMobile(), freshMobile()];
    expect((await startRegistration(a, knex, { idNumber, mobile: ma })).status).toBe(303);
    expect((await startRegistration(b, knex, { idNumber, mobile: mb })).status).toBe(303);
    expect((await verify(a, await lastCode(knex, ma))).headers.location).toBe('/login?registered=1');
    const late = await verify(b, await lastCode(knex, mb));
    expect(late.status).toBe(409);
    expect(text(late.text)).toContain('该身份证号已注册，请直接登录；如忘记密码，请使用“找回密码”。');
    expect(await knex('people').where({ id_number: idNumber })).toHaveLength(1);
  });

  it('lets the throttle-purge job delete codes once two days old', async () => {
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 24 * 3600_000);
    const row = (daysAgo: number) => ({ purpose: 'register', mobile: '13700000099', code_hash: 'x'.repeat(64), sent_at: at(daysAgo), expires_at: new Date(at(daysAgo).getTime() + CODE_TTL_MS) });
    await knex('sms_codes').insert([row(3), row(1)]);
    const job = platformJobs({ config: testConfig(db), knex, logger: createLogger('silent') }).find((j) => j.name === 'throttle-purge')!;
    await job.run();
    const left = await knex('sms_codes').where({ mobile: '13700000099' });
    expect(left).toHaveLength(1);
    expect(new Date(left[0].sent_at).getTime()).toBeGreaterThan(at(2).getTime());
  });
});
