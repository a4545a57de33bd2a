// 授权缴费人's forms: bad input re-renders with what was typed and a Chinese message and writes
// nothing; the 5-payer cap holds under parallel invitations; a mobile nobody invited is refused;
// the second step's refusals keep the code usable; a registered payer resets the password with a
// new code, which signs their other sessions out.
import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { MAX_PAYERS } from '../../src/domain/payer-labels';
import { INVITES_PER_DAY } from '../../src/modules/payers/service';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { captchaOf } from './profile-helpers';
import { lastCode, registrationWorld } from './registration-helpers';
import { invite, PAYER_PASSWORD, payerMobile, payerOf } from './payers-helpers';

const PASSWORD = 'Abc12345!x';
const db = await testDatabase();
const k = db.knex;
// The platform's clock moves on in a test (the per-number gap between two codes).
const w = registrationWorld(db);
const app = w.app;
let ip = 0;
const anon = () => new Client(app, { ip: `192.0.2.${++ip}` });

async function student() {
  const p = await f.person(k, { password: PASSWORD });
  const c = new Client(app);
  expect((await c.login(p.number, PASSWORD)).status).toBe(303);
  return { p, c };
}
const writes = async () => {
  const n = async (t: string) => Number((await k(t).count<{ n: string }[]>('* as n'))[0]!.n);
  return { links: await n('payer_links'), people: await n('people'), outbox: await n('sms_outbox'), codes: await n('sms_codes') };
};

describe('授权缴费人 forms', () => {
  it('邀请缴费人 with bad input: the page again with the input and the message, nothing written', async () => {
    const { p, c } = await student();
    const before = await writes();
    const cases: [Record<string, string>, string, string][] = [
      [{ name: '', mobile: '13912345678', relation: '母亲' }, 'name', '请输入缴费人姓名'],
      [{ name: 'x', mobile: '13912345678', relation: '母亲' }, 'name', '请输入缴费人的姓名（2至30个字）'],
      [{ name: '王芳', mobile: '1391234', relation: '母亲' }, 'mobile', '请输入11位中国大陆手机号'],
      [{ name: '王芳', mobile: '13912345678', relation: '舅舅' }, 'relation', '请选择与本人的关系'],
      [{ name: '王\u0000芳', mobile: '13912345678', relation: '母亲' }, 'name', ''],
    ];
    for (const [fields, , message] of cases) {
      await c.get('/profile/payers');
      const res = await c.post('/profile/payers', fields);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      const t = text(res.text);
      if (message) expect(t).toContain(message);
      if (fields.mobile && !(fields.name ?? '').includes('\u0000')) expect(res.text).toContain(`value="${fields.mobile}"`);
    }
    // Their own number.
    const mine = await k('people').where({ id: p.personId }).first('mobile');
    await c.get('/profile/payers');
    const own = await c.post('/profile/payers', { name: '王芳', mobile: mine.mobile, relation: '母亲' });
    expect(own.status).toBe(400);
    expect(text(own.text)).toContain('不能邀请本人的手机号');
    expect(await writes()).toEqual(before);
  });

  it(`holds the cap of ${MAX_PAYERS} under 8 parallel invitations, refuses the same mobile twice, and frees a place on revoke`, async () => {
    const { p, c } = await student();
    await c.get('/profile/payers');
    const mobiles = Array.from({ length: 8 }, () => payerMobile());
    const answers = await Promise.all(mobiles.map((mobile) => c.post('/profile/payers', { name: '王芳', mobile, relation: '其他' })));
    expect(answers.filter((r) => r.status === 303)).toHaveLength(MAX_PAYERS);
    const refused = answers.filter((r) => r.status !== 303);
    expect(refused.every((r) => r.status === 409 && text(r.text).includes(`最多可邀请${MAX_PAYERS}位授权缴费人`))).toBe(true);
    const links = await k('payer_links').where({ student_id: p.personId }).select('id', 'mobile');
    expect(links).toHaveLength(MAX_PAYERS);
    expect(await k('sms_outbox').whereIn('mobile', mobiles).count('* as n').first()).toMatchObject({ n: String(MAX_PAYERS) });
    // Revoke one: a place again; the same open mobile twice is refused.
    await c.get('/profile/payers');
    expect((await c.post(`/profile/payers/${links[0]!.id}/revoke`, {})).status).toBe(303);
    const again = await c.post(`/profile/payers/${links[0]!.id}/revoke`, {});
    expect(again.status).toBe(409);
    expect(text(again.text)).toContain('该授权已撤销或已结束');
    await c.get('/profile/payers');
    const dup = await c.post('/profile/payers', { name: '王芳', mobile: links[1]!.mobile, relation: '其他' });
    expect(dup.status).toBe(409);
    expect(text(dup.text)).toContain('该手机号已是您的授权缴费人或已邀请');
    await c.get('/profile/payers');
    expect((await c.post('/profile/payers', { name: '王芳', mobile: links[0]!.mobile, relation: '其他' })).status).toBe(303);
    // Another student's link id is not this student's to revoke.
    const other = await student();
    await other.c.get('/profile/payers');
    expect((await other.c.post(`/profile/payers/${links[1]!.id}/revoke`, {})).status).toBe(409);
    expect(await k('payer_links').where({ id: links[1]!.id }).first('status')).toMatchObject({ status: 'invited' });
  });

  it(`sends at most ${INVITES_PER_DAY} invitations in 24 hours, however many are revoked`, async () => {
    const { p, c } = await student();
    for (let i = 0; i < INVITES_PER_DAY; i++) {
      await c.get('/profile/payers');
      expect((await c.post('/profile/payers', { name: '王芳', mobile: payerMobile(), relation: '其他' })).status).toBe(303);
      const open = await k('payer_links').where({ student_id: p.personId, status: 'invited' }).first('id');
      await c.get('/profile/payers');
      expect((await c.post(`/profile/payers/${open.id}/revoke`, {})).status).toBe(303);
    }
    const before = await writes();
    await c.get('/profile/payers');
    const refused = await c.post('/profile/payers', { name: '王芳', mobile: payerMobile(), relation: '其他' });
    expect(refused.status).toBe(429);
    expect(text(refused.text)).toContain(`24小时内最多发送${INVITES_PER_DAY}次邀请`);
    expect(await writes()).toEqual(before);
    w.advance(24 * 3600_000 + 1000);
    await c.get('/profile/payers');
    expect((await c.post('/profile/payers', { name: '王芳', mobile: payerMobile(), relation: '其他' })).status).toBe(303);
  });

  it('授权缴费人注册 refuses a mobile nobody invited, and bad first-step input, without sending a code', async () => {
    const before = await writes();
    const c = anon();
    await c.get('/payer/register');
    const none = await c.post('/payer/register', { mobile: payerMobile(), captcha: (await captchaOf(c, k)).text });
    expect(none.status).toBe(404);
    expect(text(none.text)).toContain('该手机号没有待接受的缴费授权邀请');
    await c.get('/payer/register');
    const bad = await c.post('/payer/register', { mobile: '12345', captcha: 'x' });
    expect(bad.status).toBe(400);
    expect(text(bad.text)).toContain('请输入11位中国大陆手机号');
    expect(bad.text).toContain('value="12345"');
    await c.get('/payer/register');
    await captchaOf(c, k);
    const wrongCaptcha = await c.post('/payer/register', { mobile: payerMobile(), captcha: 'zzzz' });
    expect(wrongCaptcha.status).toBe(400);
    expect(text(wrongCaptcha.text)).toContain('验证码不正确');
    expect(await writes()).toEqual(before);
  });

  it('the second step: a weak password, a mismatch, a wrong code or a missing name create nothing, and the code still works', async () => {
    const { c: s } = await student();
    const mobile = payerMobile();
    expect((await invite(s, { mobile })).status).toBe(303);
    const c = anon();
    await c.get('/payer/register');
    expect((await c.post('/payer/register', { mobile, captcha: (await captchaOf(c, k)).text })).status).toBe(303);
    await c.get('/payer/register/verify');
    const code = await lastCode(k, mobile);
    const before = await writes();
    const tries: [Record<string, string>, string][] = [
      [{ name: '王芳', code, password: 'short', confirm: 'short' }, '新密码须为9位以上'],
      [{ name: '王芳', code, password: PAYER_PASSWORD, confirm: 'Other#Pass2026' }, '两次输入的密码不一致'],
      [{ name: '王芳', code: '12345', password: PAYER_PASSWORD, confirm: PAYER_PASSWORD }, '短信验证码为6位数字'],
      [{ name: '', code, password: PAYER_PASSWORD, confirm: PAYER_PASSWORD }, '请输入缴费人姓名'],
    ];
    for (const [fields, message] of tries) {
      const res = await c.post('/payer/register/verify', fields);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(text(res.text)).toContain(message);
      expect(res.text).not.toContain(PAYER_PASSWORD);
      if (fields.name) expect(res.text).toContain(`value="${fields.name}"`);
    }
    expect(await writes()).toEqual(before);
    const ok = await c.post('/payer/register/verify', { name: '王芳', code, password: PAYER_PASSWORD, confirm: PAYER_PASSWORD });
    expect(ok.status, text(ok.text)).toBe(303);
    expect(await k('people').where({ kind: 'payer', mobile }).count('* as n').first()).toMatchObject({ n: '1' });
  });

  it('a registered payer resets the password with a new code; their other sessions end', async () => {
    const { c: s } = await student();
    const { payer, mobile } = await payerOf(app, k, s);
    expect((await payer.get('/fees')).status).toBe(200);
    w.advance(61_000);
    const c = anon();
    await c.get('/payer/register');
    expect((await c.post('/payer/register', { mobile, captcha: (await captchaOf(c, k)).text })).status).toBe(303);
    const step2 = text((await c.get('/payer/register/verify')).text);
    expect(step2).toContain('授权缴费人重设密码');
    expect(step2).not.toContain('您的姓名');
    const NEW = 'New#Payer2027';
    const done = await c.post('/payer/register/verify', { code: await lastCode(k, mobile), password: NEW, confirm: NEW });
    expect(done.headers.location).toBe('/login?payer=reset');
    const account = await k('accounts as a').join('people as p', 'p.id', 'a.person_id').where({ 'p.mobile': mobile, 'p.kind': 'payer' }).first('a.password_hash');
    expect(await bcrypt.compare(NEW, account.password_hash)).toBe(true);
    // The session signed in with the old password is over.
    const old = await payer.get('/fees');
    expect(old.status).toBe(303);
    expect(old.headers.location).toMatch(/^\/login/);
    expect((await anon().login(mobile, NEW)).status).toBe(303);
    expect(await k('people').where({ kind: 'payer', mobile }).count('* as n').first()).toMatchObject({ n: '1' });
  });
});
