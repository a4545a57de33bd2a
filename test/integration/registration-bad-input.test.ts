// 新用户注册's forms with bad input: each is shown again with what was typed (never a password),
// a Chinese message beside the field, and nothing written (the 验证码 image's answer is used up by
// its check, as everywhere: captcha/repo.ts).
import { describe, expect, it } from 'vitest';
import { idCheckChar } from '../../src/domain/id-number';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { captchaOf } from './profile-helpers';
import { counts, freshIdNumber, freshMobile, lastCode, registrationWorld, startRegistration } from './registration-helpers';

const db = await testDatabase({ demo: true });
const w = registrationWorld(db);
const knex = db.knex;
let ipSeq = 0;
const client = () => new Client(w.app, { ip: `198.51.100.${++ipSeq}` });

/** The message beside `field`, as the page draws it. */
function besideField(html: string, field: string): string | undefined {
  const at = html.indexOf(`id="${field}"`);
  if (at < 0) return undefined;
  const rest = html.slice(at);
  const row = rest.slice(0, [rest.indexOf('<div class="row'), rest.indexOf('</form>')].filter((i) => i > 0).reduce((a, b) => Math.min(a, b), rest.length));
  return /<span class="field-error">([^<]+)<\/span>/.exec(row)?.[1];
}

describe('新用户注册: bad input', () => {
  const good = () => ({ name: '赵六', idNumber: freshIdNumber(), mobile: freshMobile() });
  const wrongCheck = (() => {
    const id = freshIdNumber();
    const other = '0123456789X'.split('').find((ch) => ch !== idCheckChar(id.slice(0, 17)))!;
    return id.slice(0, 17) + other;
  })();
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['empty 姓名', { name: '' }, 'name', /请输入姓名/],
    ['a 姓名 of digits', { name: '12345' }, 'name', /请输入身份证上的姓名/],
    ['a 姓名 with markup', { name: '<script>x</script>' }, 'name', /请输入身份证上的姓名/],
    ['empty 身份证号', { idNumber: '' }, 'idNumber', /请输入身份证号/],
    ['a short 身份证号', { idNumber: '62010219900101' }, 'idNumber', /身份证号应为18位/],
    ['a 身份证号 whose check character is wrong', { idNumber: wrongCheck }, 'idNumber', /身份证号校验位不正确/],
    ['empty 手机号', { mobile: '' }, 'mobile', /请输入手机号/],
    ['a 手机号 that is no mobile', { mobile: '12345678901' }, 'mobile', /请输入11位中国大陆手机号/],
    ['a 手机号 with a control character', { mobile: '1391234\u00005678' }, 'mobile', /控制字符/],
    ['no 验证码', { captcha: '' }, 'captcha', /请输入验证码/],
    ['a wrong 验证码', { captcha: 'WRONG' }, 'captcha', /验证码不正确/],
  ];

  for (const [what, change, field, message] of cases) {
    it(`step 1, ${what}: shown again with the input, the message beside ${field}, nothing written`, async () => {
      const c = client();
      await c.get('/register');
      const answer = (await captchaOf(c, knex)).text;
      const fields = { ...good(), captcha: answer, ...change };
      const before = await counts(knex);
      const res = await c.post('/register', fields);
      expect(res.status).toBe(400);
      expect(besideField(res.text, field), res.text.slice(0, 200)).toMatch(message);
      for (const k of ['name', 'idNumber', 'mobile'] as const) {
        if (k !== field && !fields[k].includes('\u0000')) expect(res.text).toContain(`value="${fields[k].replace(/</g, '&lt;').replace(/>/g, '&gt;')}"`);
      }
      expect(res.text).not.toContain(`value="${answer}"`);
      expect(await counts(knex)).toEqual(before);
    });
  }

  it('step 1 with no fields at all, and an expired 验证码, are refused beside their fields', async () => {
    const c = client();
    await c.get('/register');
    const empty = await c.post('/register', {});
    expect(empty.status).toBe(400);
    for (const k of ['name', 'idNumber', 'mobile', 'captcha']) expect(besideField(empty.text, k), k).toBeTruthy();
    const { text: answer, sid } = await captchaOf(c, knex);
    await knex('captchas').where({ session_id: sid }).update({ expires_at: knex.raw(`now() - interval '1 second'`) });
    const res = await c.post('/register', { ...good(), captcha: answer });
    expect(res.status).toBe(400);
    expect(besideField(res.text, 'captcha')).toBe('验证码已失效，请重新输入');
  });

  it('step 2: bad codes and passwords are shown again beside their fields, the code kept, no password, the code not used up', async () => {
    const c = client();
    const g = good();
    expect((await startRegistration(c, knex, g)).status).toBe(303);
    const code = await lastCode(knex, g.mobile);
    const steps: [Record<string, string>, string, RegExp][] = [
      [{ code: '', password: 'Reg#Pass2026', confirm: 'Reg#Pass2026' }, 'code', /请输入短信验证码/],
      [{ code: '12ab56', password: 'Reg#Pass2026', confirm: 'Reg#Pass2026' }, 'code', /6位数字/],
      [{ code, password: '', confirm: '' }, 'password', /请设置密码/],
      [{ code, password: 'Reg#Pass2026', confirm: 'Reg#Pass2027' }, 'confirm', /两次输入的密码不一致/],
      [{ code, password: 'short1!', confirm: 'short1!' }, 'password', /9位以上/],
      [{ code, password: 'abcdefghij', confirm: 'abcdefghij' }, 'password', /同时包含字母、数字和符号/],
      [{ code, password: `Ab#${g.idNumber.slice(-8)}`, confirm: `Ab#${g.idNumber.slice(-8)}` }, 'password', /不能包含身份证号码/],
    ];
    for (const [fields, field, message] of steps) {
      const before = await counts(knex);
      const tries = (await knex('sms_codes').where({ mobile: g.mobile }).first('tries')).tries;
      const res = await c.post('/register/verify', fields);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(besideField(res.text, field), JSON.stringify(fields)).toMatch(message);
      if (fields.code) expect(res.text).toContain(`value="${fields.code}"`);
      if (fields.password) expect(res.text).not.toContain(fields.password);
      expect(await counts(knex)).toEqual(before);
      expect((await knex('sms_codes').where({ mobile: g.mobile }).first('tries')).tries).toBe(tries);
    }
    // The code still works after all that.
    expect((await c.post('/register/verify', { code, password: 'Reg#Pass2026', confirm: 'Reg#Pass2026' })).headers.location).toBe('/login?registered=1');
  });

  it('step 2 without step 1 (or after the flow ended) goes back to the start, which says so', async () => {
    const c = client();
    await c.get('/register');
    for (const path of ['/register/verify', '/register/resend']) {
      expect((await c.post(path, { code: '123456', password: 'x', confirm: 'x' })).headers.location, path).toBe('/register?expired=1');
    }
    expect((await c.get('/register/verify')).headers.location).toBe('/register?expired=1');
    expect(text((await c.get('/register?expired=1')).text)).toContain('注册已超时，请重新开始');
  });

  it('sends someone signed in home: they have an account', async () => {
    const p = await f.person(knex, { kind: 'external', role: 'external', password: 'Abc12345!x' });
    const c = client();
    expect((await c.login(p.idNumber, 'Abc12345!x')).status).toBe(303);
    expect((await c.get('/register')).headers.location).toBe('/');
  });
});
