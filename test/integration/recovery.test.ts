import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { normaliseAnswer } from '../../src/domain/security-answer';
import { testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { captchaOf, expireCaptcha } from './profile-helpers';

const db = await testDatabase({ demo: true });
const app = testApp(db);
const PW = 'Abc12345!x';
const QUESTION = '您的出生地是？';

async function withQuestion(answer = 'Lan Zhou') {
  const p = await f.person(db.knex, { password: PW });
  await db.knex('accounts').where({ id: p.accountId }).update({ security_question: QUESTION, security_answer_hash: await bcrypt.hash(normaliseAnswer(answer), 4) });
  return p;
}

async function start(c: Client, username: string, idNumber: string) {
  await c.get('/recover');
  return c.post('/recover', { username, idNumber });
}

/** Step 1 as a person does it: with the 验证码 when the page asks for one. */
async function throughStart(c: Client, username: string, idNumber: string) {
  const first = await start(c, username, idNumber);
  if (!(first.status === 400 && first.text.includes('name="captcha"'))) return first;
  const { text: code } = await captchaOf(c, db.knex);
  return c.post('/recover', { username, idNumber, captcha: code });
}

async function answer(c: Client, ans: string) {
  const page = await c.get('/recover/answer');
  const { text: code } = await captchaOf(c, db.knex);
  return { page, res: await c.post('/recover/answer', { answer: ans, captcha: code }) };
}

const hashOf = async (accountId: number) => (await db.knex('accounts').where({ id: accountId }).first()).password_hash as string;

describe('找回密码', () => {
  it('is linked from the login page and open without signing in', async () => {
    const c = new Client(app);
    expect((await c.get('/login')).text).toContain('href="/recover"');
    const res = await c.get('/recover');
    expect(res.status).toBe(200);
    const t = text(res.text);
    for (const label of ['找回密码', '用户名：', '身份证号：', '下一步', '密保是忘记密码后找回的重要途径', '2973305 2973826']) expect(t).toContain(label);
  });

  it('walks 用户名 + 身份证号 → 密保问题 → 答案 + 验证码 → new password, and ends every session of the account', async () => {
    const p = await withQuestion();
    const signedIn = new Client(app);
    expect((await signedIn.login(p.number, PW)).status).toBe(303);
    const elsewhere = new Client(app);
    await elsewhere.login(p.number, PW);

    const c = new Client(app);
    const s = await start(c, p.number, p.idNumber.toLowerCase());
    expect(s.status).toBe(303);
    expect(s.headers.location).toBe('/recover/answer');
    const { page, res } = await answer(c, '  lan ZHOU ');
    expect(text(page.text)).toContain(`密保问题： ${QUESTION}`);
    expect(page.text).toContain('src="/captcha.svg"');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/recover/reset');

    const reset = await c.get('/recover/reset');
    expect(reset.status).toBe(200);
    for (const label of ['新密码：', '确认密码：', '9位以上字母、数字和符号']) expect(text(reset.text)).toContain(label);
    const done = await c.post('/recover/reset', { next: 'Found#Pass2026', confirm: 'Found#Pass2026' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/recover/done');
    expect(text((await c.get('/recover/done')).text)).toContain('密码已重新设置');

    expect(await bcrypt.compare('Found#Pass2026', await hashOf(p.accountId))).toBe(true);
    for (const old of [signedIn, elsewhere]) expect((await old.get('/profile')).headers.location).toMatch(/^\/login/);
    expect(await db.knex('sessions').whereRaw(`(sess::jsonb->>'accountId')::int = ?`, [p.accountId])).toHaveLength(0);
    expect((await new Client(app).login(p.number, 'Found#Pass2026')).status).toBe(303);
    expect((await new Client(app).login(p.number, PW)).status).toBe(401);

    const [entry] = await db.knex('audit_log').where({ target_person_id: p.personId, action: 'password.recover' });
    expect(entry.detail).toMatchObject({ field: 'password', via: 'security_question', sessionsEnded: 2 });
    expect(JSON.stringify(entry.detail)).not.toMatch(/Found#Pass2026|lan ?zhou/i);
    // The flow is spent: the reset page cannot be used a second time.
    expect((await c.get('/recover/reset')).headers.location).toBe('/recover?expired=1');
  });

  it('applies the password policy to the new password, writing nothing until it passes', async () => {
    const p = await withQuestion();
    const c = new Client(app);
    await start(c, p.number, p.idNumber);
    await answer(c, 'lanzhou');
    await c.get('/recover/reset');
    const before = await hashOf(p.accountId);
    const cases: [Record<string, string>, string, string][] = [
      [{ next: '', confirm: '' }, 'next', '请输入新密码'],
      [{ next: 'short1!', confirm: 'short1!' }, 'next', '新密码须为9位以上，且同时包含字母、数字和符号'],
      [{ next: `Ab!${p.idNumber.slice(-8)}`, confirm: `Ab!${p.idNumber.slice(-8)}` }, 'next', '密码不能包含身份证号码'],
      [{ next: 'Found#Pass2026', confirm: 'Found#Pass2027' }, 'confirm', '两次输入的新密码不一致'],
    ];
    for (const [input, field, message] of cases) {
      const res = await c.post('/recover/reset', input);
      expect(res.status, message).toBe(400);
      expect(res.text).toMatch(new RegExp(`name="${field}"[^>]*>[^<]*(<span class="muted">[^<]*</span>\\s*)?<span class="field-error">${message}`));
      if (input.next) expect(res.text).not.toContain(input.next);
    }
    expect(await hashOf(p.accountId)).toBe(before);
  });

  it('refuses the answer and reset pages without the earlier steps', async () => {
    const c = new Client(app);
    await c.get('/recover');
    for (const path of ['/recover/answer', '/recover/reset']) {
      expect((await c.get(path)).headers.location, path).toBe('/recover?expired=1');
      expect((await c.post(path, { answer: 'x', captcha: 'x', next: 'Found#Pass2026', confirm: 'Found#Pass2026' })).headers.location, path).toBe('/recover?expired=1');
    }
    // Answered the question? Not yet: the reset page stays closed after step 1 only.
    const p = await withQuestion();
    await start(c, p.number, p.idNumber);
    expect((await c.get('/recover/reset')).headers.location).toBe('/recover?expired=1');
    expect(text((await c.get('/recover?expired=1')).text)).toContain('找回密码已超时，请重新开始');
  });

  it('keeps the input and explains a bad 用户名 or 身份证号', async () => {
    const c = new Client(app);
    await c.get('/recover');
    const empty = await c.post('/recover', { username: '', idNumber: '' });
    expect(empty.status).toBe(400);
    expect(text(empty.text)).toContain('请输入用户名');
    expect(text(empty.text)).toContain('请输入身份证号');
    const bad = await c.post('/recover', { username: 'S123', idNumber: '12345' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('value="S123"');
    expect(bad.text).toContain('value="12345"');
    expect(bad.text).toMatch(/name="idNumber"[^>]*>\s*<span class="field-error">身份证号格式不正确/);
  });

  it('checks the captcha at the answer step: wrong, reused and expired captchas are refused', async () => {
    const p = await withQuestion();
    const c = new Client(app);
    await start(c, p.number, p.idNumber);
    await c.get('/recover/answer');
    const { text: code, sid } = await captchaOf(c, db.knex);
    const wrong = await c.post('/recover/answer', { answer: 'lanzhou', captcha: 'zzzz' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toMatch(/<span class="field-error">验证码不正确/);
    expect(wrong.text).toContain('value="lanzhou"');
    const reused = await c.post('/recover/answer', { answer: 'lanzhou', captcha: code });
    expect(text(reused.text)).toContain('验证码已失效，请重新输入');
    const fresh = await captchaOf(c, db.knex);
    await expireCaptcha(db.knex, fresh.sid);
    const expired = await c.post('/recover/answer', { answer: 'lanzhou', captcha: fresh.text });
    expect(text(expired.text)).toContain('验证码已失效，请重新输入');
    expect(sid).toBeTruthy();
    expect((await c.get('/recover/reset')).status).toBe(303);
  });

  it('explains an empty or overlong 答案 next to the field, keeping the input', async () => {
    const p = await withQuestion();
    const c = new Client(app);
    await start(c, p.number, p.idNumber);
    await c.get('/recover/answer');
    for (const [ans, message] of [['  ', '请输入密保答案'], ['长'.repeat(51), '密保答案不能超过50个字']] as const) {
      const { text: code } = await captchaOf(c, db.knex);
      const res = await c.post('/recover/answer', { answer: ans, captcha: code });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(new RegExp(`name="answer"[^>]*>\\s*<span class="field-error">${message}`));
      expect(res.text).toContain(`value="${ans}"`);
    }
    // Format errors are not guesses: they do not count towards the limits.
    const row = await db.knex('auth_throttle').where({ scope: 'recover', account: `n${p.number.toLowerCase()}`, address: '' }).first();
    expect(row?.failures ?? 0).toBe(0);
  });

  it('sends a signed-in user to 密码修改 instead', async () => {
    const p = await f.person(db.knex, { password: PW });
    const c = new Client(app);
    await c.login(p.number, PW);
    expect((await c.get('/recover')).headers.location).toBe('/profile/password');
  });

  it('takes someone without a security question on like a wrong pair, and the answer page names the finance phones', async () => {
    const p = await f.person(db.knex, { password: PW });
    const c = new Client(app);
    const res = await start(c, p.number, p.idNumber);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/recover/answer');
    const { page, res: wrong } = await answer(c, 'anything');
    expect(text(page.text)).toContain('如未设置密保或忘记密保答案，请联系财务处电话 2973305 2973826');
    expect(wrong.status).toBe(400);
    expect(text(wrong.text)).toContain('密保答案不正确');
  });

  it('answers an unknown user name, or a wrong ID number, exactly like a real one', async () => {
    const p = await withQuestion();
    const ghostId = f.idNumber();
    const outcomes = [];
    for (const [username, idNumber] of [[p.number, p.idNumber], ['no-such-user', ghostId], [p.number, ghostId]] as const) {
      const c = new Client(app);
      const s = await start(c, username, idNumber);
      const { page, res } = await answer(c, 'wrong answer');
      outcomes.push({
        start: [s.status, s.headers.location],
        page: text(page.text).replace(/密保问题： \S+/, '密保问题： ?').replace(/当前用户.*?当前位置/, ''),
        question: /密保问题： (\S+)/.exec(text(page.text))?.[1],
        answer: [res.status, text(res.text).includes('密保答案不正确')],
      });
    }
    expect(outcomes[1]!.start).toEqual(outcomes[0]!.start);
    expect(outcomes[2]!.start).toEqual(outcomes[0]!.start);
    for (const o of outcomes) {
      expect(o.page).toBe(outcomes[0]!.page);
      expect(o.answer).toEqual([400, true]);
      expect(o.question).toMatch(/？$/);
    }
    // The stand-in question for a given pair does not change between visits.
    const again = new Client(app);
    await start(again, 'no-such-user', ghostId);
    expect(text((await again.get('/recover/answer')).text)).toContain(`密保问题： ${outcomes[1]!.question}`);
  });

  it('past 5 wrong answers each guess still costs a 验证码, and the owner elsewhere still recovers; an unknown name is treated the same', async () => {
    const p = await withQuestion();
    const guesser = new Client(app, { ip: '203.0.113.70' });
    await start(guesser, p.number, p.idNumber);
    for (let i = 0; i < 6; i++) expect((await answer(guesser, `wrong ${i}`)).res.status).toBe(400);
    // The answer page always carries a 验证码, and a valid one skips the pair's delay
    // (auth/throttle.ts says why): one more guess, one more 验证码, never a wait to impose on
    // an owner behind the same address.
    expect((await answer(guesser, 'wrong 7')).res.status).toBe(400);
    // From elsewhere the owner goes through (step 1 asks for a 验证码 now: the account had failures).
    const owner = new Client(app, { ip: '198.51.100.70' });
    expect((await throughStart(owner, p.number, p.idNumber)).headers.location).toBe('/recover/answer');
    expect((await answer(owner, 'lanzhou')).res.headers.location).toBe('/recover/reset');

    // Guesses at ID numbers for a name that does not exist: a 验证码 past 5, the same way (requests
    // that bring none are never checked, so they start no delay).
    const ghost = new Client(app, { ip: '203.0.113.71' });
    for (let i = 0; i < 5; i++) expect((await start(ghost, 'ghost-name', f.idNumber())).status).toBe(303);
    const asked = await start(ghost, 'ghost-name', f.idNumber());
    expect(asked.status).toBe(400);
    expect(text(asked.text)).toContain('请输入验证码');
    expect((await start(ghost, 'ghost-name', f.idNumber())).status).toBe(400);
  });

  it('lets an external payer recover with 身份证号 as the user name', async () => {
    const p = await withQuestion('北京');
    await db.knex('people').where({ id: p.personId }).update({ kind: 'external' });
    const c = new Client(app);
    const s = await start(c, p.idNumber, p.idNumber);
    expect(s.headers.location).toBe('/recover/answer');
    expect((await answer(c, '北 京')).res.headers.location).toBe('/recover/reset');
  });
});
