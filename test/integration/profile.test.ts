import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { decryptCard } from '../../src/domain/card-crypto';
import { DEMO } from '../../seeds/demo';
import { testApp, testConfig } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { captchaOf, expireCaptcha } from './profile-helpers';

const db = await testDatabase({ demo: true });
const CARD_KEY = 'a1'.repeat(32);
const env = { BANK_CARD_KEY: CARD_KEY };
const app = testApp(db, env);
const PW = 'Abc12345!x';
const CARD = '6222021234567890128';

async function signedIn(o: f.PersonOpts = {}) {
  const p = await f.person(db.knex, { password: PW, mobile: '17812345520', ...o });
  const c = new Client(app);
  const res = await c.login(p.number, PW);
  expect(res.status).toBe(303);
  return { p, c };
}

const personRow = (id: number) => db.knex('people').where({ id }).first();
const accountRow = (id: number) => db.knex('accounts').where({ id }).first();
/** What 个人信息's own actions audited about the person (signing in is audited too, as auth.*). */
const audits = (personId: number) => db.knex('audit_log').where({ target_person_id: personId }).whereNot('action', 'like', 'auth.%').orderBy('id');

describe('个人信息 (图3)', () => {
  it('shows the nine fields, the ID number and phones in full to their owner (masked in 当前用户 only), never cached', async () => {
    const { p, c } = await signedIn();
    await db.knex('people').where({ id: p.personId }).update({ phone: '09312973305', email: 'zs@example.com', address: '兰州市七里河区', postcode: '730050' });
    const res = await c.get('/profile');
    expect(res.status).toBe(200);
    const t = text(res.text);
    for (const label of ['人员编号：', '姓名：', '性别：', '身份证号：', '电话：', '手机：', '邮箱：', '地址：', '邮编：', '信息维护', '个人信息修改', '密码修改', '密保修改', '银行卡修改', '请确认个人信息无误后再进行缴费']) {
      expect(t, label).toContain(label);
    }
    expect(t).toContain(p.number);
    // 图3: the numbers the warning asks the owner to check, as they are on file.
    expect(t).toContain(`身份证号： ${p.idNumber} `);
    expect(t).toContain('手机： 17812345520');
    expect(t).toContain('电话： 09312973305');
    // The 当前用户 line above every page still masks the ID number, here too.
    expect(t).toContain(`身份证号：${p.idNumber.slice(0, 2)}*****${p.idNumber.slice(-1)} 部门`);
    expect(res.headers['cache-control']).toBe('no-store');
    for (const v of ['zs@example.com', '兰州市七里河区', '730050']) expect(t).toContain(v);
    expect(t).not.toContain('暂未开放');
    expect(res.text).toContain('class="active">个人信息');
  });

  it('still forces a user on the initial password to 密码修改 first', async () => {
    const c = new Client(app);
    await c.login(DEMO.student.number, DEMO.student.password);
    for (const path of ['/profile', '/profile/edit', '/profile/security', '/profile/bank']) {
      const r = await c.get(path);
      expect(r.headers.location, path).toBe('/profile/password');
    }
  });
});

describe('个人信息修改 (图4)', () => {
  it('shows 手机 masked, the other fields, 保存 and 返回, and where receipt notices go', async () => {
    const { c } = await signedIn();
    const res = await c.get('/profile/edit');
    expect(res.status).toBe(200);
    const t = text(res.text);
    for (const label of ['信息修改', '手机', '邮箱', '邮编', '地址', '保存', '返回', '手机号码是学生接受缴费电子票的唯一依据']) expect(t).toContain(label);
    expect(res.text).toContain('placeholder="178****5520"');
    expect(res.text).not.toContain('17812345520');
    expect(res.text).toContain('placeholder="请输入邮箱"');
    expect(res.text).toMatch(/<a class="button" href="\/profile">返回<\/a>/);
  });

  it('saves 手机, 邮箱, 邮编 and 地址 and audits the field names only', async () => {
    const { p, c } = await signedIn();
    await c.get('/profile/edit');
    const res = await c.post('/profile/edit', { mobile: '13912345678', email: 'new@example.com', postcode: '730050', address: '兰州理工大学彭家坪校区' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/profile?saved=info');
    const row = await personRow(p.personId);
    expect(row).toMatchObject({ mobile: '13912345678', email: 'new@example.com', postcode: '730050', address: '兰州理工大学彭家坪校区' });
    const [entry] = await audits(p.personId).where({ action: 'profile.update' });
    expect(entry.actor_account_id).toBe(p.accountId);
    expect(entry.detail.fields.sort()).toEqual(['address', 'email', 'mobile', 'postcode']);
    expect(entry.ip).toBeTruthy();
    expect(JSON.stringify(entry.detail)).not.toContain('13912345678');
    expect(text((await c.get('/profile?saved=info')).text)).toContain('个人信息已保存');
  });

  it('keeps the stored 手机 when the field is left empty', async () => {
    const { p, c } = await signedIn();
    await c.get('/profile/edit');
    const res = await c.post('/profile/edit', { mobile: '', email: 'a@b.cn', postcode: '', address: '' });
    expect(res.status).toBe(303);
    expect((await personRow(p.personId)).mobile).toBe('17812345520');
    const [entry] = await audits(p.personId).where({ action: 'profile.update' });
    expect(entry.detail.fields).toEqual(['email']);
  });

  it('writes nothing when nothing changed', async () => {
    const { p, c } = await signedIn();
    await c.get('/profile/edit');
    const res = await c.post('/profile/edit', { mobile: '', email: '', postcode: '', address: '' });
    expect(res.headers.location).toBe('/profile?unchanged=1');
    expect(await audits(p.personId)).toHaveLength(0);
  });

  const bad: [string, Record<string, string>, string, string][] = [
    ['手机', { mobile: '1391234567' }, 'mobile', '请输入11位手机号码'],
    ['手机 letters', { mobile: '1391234567a' }, 'mobile', '请输入11位手机号码'],
    ['邮箱', { email: 'not-an-email' }, 'email', '邮箱格式不正确'],
    ['邮编', { postcode: '73005' }, 'postcode', '邮编应为6位数字'],
    ['邮编 letters', { postcode: '73005a' }, 'postcode', '邮编应为6位数字'],
    ['地址', { address: '路'.repeat(201) }, 'address', '地址不能超过200个字'],
  ];
  for (const [name, change, field, message] of bad) {
    it(`re-renders with the input kept and a message next to ${name}, writing nothing`, async () => {
      const { p, c } = await signedIn();
      const before = await personRow(p.personId);
      await c.get('/profile/edit');
      const input = { mobile: '13912345678', email: 'kept@example.com', postcode: '730050', address: '保留的地址', ...change };
      const res = await c.post('/profile/edit', input);
      expect(res.status).toBe(400);
      expect(res.text).toMatch(new RegExp(`name="${field}"[^>]*>\\s*(<span class="muted">[^<]*</span>\\s*)?<span class="field-error">${message}`));
      for (const v of Object.values(input)) expect(res.text).toContain(`value="${v}"`);
      expect(await personRow(p.personId)).toEqual(before);
      expect(await audits(p.personId)).toHaveLength(0);
    });
  }
});

describe('密码修改 (图5)', () => {
  it('shows 原始密码, 新密码 with the rule, 确认密码, 修改 and 取消', async () => {
    const { c } = await signedIn();
    const t = text((await c.get('/profile/password')).text);
    for (const label of ['原始密码：', '新密码：', '9位以上字母、数字和符号', '确认密码：', '修改', '取消']) expect(t).toContain(label);
  });

  it('changes the password, ends every other session of the account and keeps this one', async () => {
    const { p, c } = await signedIn();
    const other = new Client(app);
    await other.login(p.number, PW);
    expect((await other.get('/profile')).status).toBe(200);
    const bystander = await signedIn();
    await c.get('/profile/password');
    const res = await c.post('/profile/password', { current: PW, next: 'New#Pass2026', confirm: 'New#Pass2026' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/profile?saved=password');
    expect(await bcrypt.compare('New#Pass2026', (await accountRow(p.accountId)).password_hash)).toBe(true);
    expect((await c.get('/profile')).status).toBe(200);
    const kicked = await other.get('/profile');
    expect(kicked.status).toBe(303);
    expect(kicked.headers.location).toMatch(/^\/login/);
    expect((await bystander.c.get('/profile')).status).toBe(200);
    const [entry] = await audits(p.personId).where({ action: 'password.change' });
    expect(entry.detail).toMatchObject({ field: 'password', otherSessionsEnded: 1 });
    expect(JSON.stringify(entry.detail)).not.toContain('New#Pass2026');
  });

  const bad: [string, Record<string, string>, string, string][] = [
    ['an empty 原始密码', { current: '' }, 'current', '请输入原始密码'],
    ['a wrong 原始密码', { current: 'Wrong#Pass1' }, 'current', '原始密码不正确'],
    ['a short 新密码', { next: 'Ab1!', confirm: 'Ab1!' }, 'next', '新密码须为9位以上，且同时包含字母、数字和符号'],
    ['a 新密码 without symbols', { next: 'Abcdefg123', confirm: 'Abcdefg123' }, 'next', '新密码须为9位以上，且同时包含字母、数字和符号'],
    ['the old password again', { next: PW, confirm: PW }, 'next', '新密码不能与原密码相同'],
    ['a mismatched 确认密码', { confirm: 'Other#Pass2026' }, 'confirm', '两次输入的新密码不一致'],
  ];
  for (const [name, change, field, message] of bad) {
    it(`refuses ${name} with a message next to the field and never echoes a password`, async () => {
      const { p, c } = await signedIn();
      const before = await accountRow(p.accountId);
      await c.get('/profile/password');
      const input = { current: PW, next: 'New#Pass2026', confirm: 'New#Pass2026', ...change };
      const res = await c.post('/profile/password', input);
      expect(res.status).toBe(400);
      expect(res.text).toMatch(new RegExp(`name="${field}"[^>]*>[^<]*(<span class="muted">[^<]*</span>\\s*)?<span class="field-error">${message}`));
      for (const v of Object.values(input)) if (v) expect(res.text).not.toContain(`value="${v}"`);
      expect(await accountRow(p.accountId)).toEqual(before);
    });
  }

  it('refuses a 新密码 that contains the person number or ID digits', async () => {
    const { p, c } = await signedIn({ number: 'S20260001' });
    await c.get('/profile/password');
    const withNumber = await c.post('/profile/password', { current: PW, next: 'x!S20260001', confirm: 'x!S20260001' });
    expect(text(withNumber.text)).toContain('密码不能包含学号或用户编号');
    const withId = await c.post('/profile/password', { current: PW, next: `Ab!${p.idNumber.slice(-8)}`, confirm: `Ab!${p.idNumber.slice(-8)}` });
    expect(text(withId.text)).toContain('密码不能包含身份证号码');
  });
});

describe('密保修改 (图6, 图7)', () => {
  it('shows 第一步：验证密码 and cannot reach 第二步 without it', async () => {
    const { p, c } = await signedIn();
    const step1 = await c.get('/profile/security');
    expect(step1.status).toBe(200);
    const t = text(step1.text);
    for (const label of ['第一步：验证密码', '验证密码', '请输入密码：', '密保是忘记密码后找回的重要途径']) expect(t).toContain(label);
    const get2 = await c.get('/profile/security/question');
    expect(get2.status).toBe(303);
    expect(get2.headers.location).toBe('/profile/security?first=1');
    const { text: code } = await captchaOf(c, db.knex);
    const post2 = await c.post('/profile/security/question', { question: '您的出生地是？', answer: '兰州', captcha: code });
    expect(post2.status).toBe(303);
    expect(post2.headers.location).toBe('/profile/security?first=1');
    expect((await accountRow(p.accountId)).security_question).toBeNull();
    expect(text((await c.get('/profile/security?first=1')).text)).toContain('请先验证密码');
  });

  it('refuses a wrong or empty password at 第一步', async () => {
    const { c } = await signedIn();
    await c.get('/profile/security');
    const wrong = await c.post('/profile/security', { password: 'Wrong#Pass1' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toMatch(/name="password"[^>]*>\s*<span class="field-error">密码不正确/);
    expect(wrong.text).not.toContain('Wrong#Pass1');
    const empty = await c.post('/profile/security', { password: '' });
    expect(empty.status).toBe(400);
    expect(text(empty.text)).toContain('请输入密码');
    expect((await c.get('/profile/security/question')).status).toBe(303);
  });

  it('locks 第一步 after 5 wrong passwords', async () => {
    const { c } = await signedIn();
    await c.get('/profile/security');
    for (let i = 0; i < 5; i++) expect((await c.post('/profile/security', { password: `Wrong#${i}` })).status).toBe(400);
    const locked = await c.post('/profile/security', { password: PW });
    expect(locked.status).toBe(429);
    expect(text(locked.text)).toContain('密码错误次数过多');
  });

  it('passing 第一步 in one session does not open 第二步 in another', async () => {
    const { p, c } = await signedIn();
    const other = new Client(app);
    await other.login(p.number, PW);
    await c.get('/profile/security');
    expect((await c.post('/profile/security', { password: PW })).headers.location).toBe('/profile/security/question');
    expect((await c.get('/profile/security/question')).status).toBe(200);
    expect((await other.get('/profile/security/question')).status).toBe(303);
  });

  it('saves the question and a bcrypt hash of the normalised answer, after both steps', async () => {
    const { p, c } = await signedIn();
    await c.get('/profile/security');
    await c.post('/profile/security', { password: PW });
    const page = await c.get('/profile/security/question');
    const t = text(page.text);
    for (const label of ['第二步：修改密保', '修改密保', '密保问题：', '*请选择密保问题', '答 案：', '验 证 码：']) expect(t.replace(/\u3000/g, ' ')).toContain(label);
    expect(page.text).toContain('src="/captcha.svg"');
    expect(page.text).toContain('/public/js/captcha.js');
    const { text: code } = await captchaOf(c, db.knex);
    const res = await c.post('/profile/security/question', { question: '您的出生地是？', answer: ' Lan Zhou ', captcha: code.toUpperCase() });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/profile?saved=security');
    const row = await accountRow(p.accountId);
    expect(row.security_question).toBe('您的出生地是？');
    expect(row.security_answer_hash).toMatch(/^\$2[aby]\$1\d\$/);
    expect(await bcrypt.compare('lanzhou', row.security_answer_hash)).toBe(true);
    const [entry] = await audits(p.personId).where({ action: 'security.change' });
    expect(JSON.stringify(entry.detail)).not.toMatch(/lan ?zhou/i);
    // 第二步 is spent: changing it again needs the password again.
    expect((await c.get('/profile/security/question')).status).toBe(303);
    expect(text((await c.get('/profile?saved=security')).text)).toContain('密保已修改');
  });

  async function atStep2() {
    const r = await signedIn();
    await r.c.get('/profile/security');
    await r.c.post('/profile/security', { password: PW });
    await r.c.get('/profile/security/question');
    return r;
  }

  const bad: [string, Record<string, string>, string, string][] = [
    ['no 密保问题', { question: '' }, 'question', '请选择密保问题'],
    ['a question not on the list', { question: '你的银行卡密码是？' }, 'question', '请选择密保问题'],
    ['an empty 答案', { answer: '   ' }, 'answer', '请输入密保答案'],
    ['a long 答案', { answer: '长'.repeat(51) }, 'answer', '密保答案不能超过50个字'],
    ['an empty 验证码', { captcha: '' }, 'captcha', '请输入验证码'],
    ['a wrong 验证码', { captcha: 'zzzz' }, 'captcha', '验证码不正确'],
  ];
  for (const [name, change, field, message] of bad) {
    it(`refuses ${name} at 第二步 with the input kept and nothing written`, async () => {
      const { p, c } = await atStep2();
      const { text: code } = await captchaOf(c, db.knex);
      const input = { question: '您母亲的姓名是？', answer: '李四', captcha: code, ...change };
      const res = await c.post('/profile/security/question', input);
      expect(res.status).toBe(400);
      const err = res.text.indexOf(`<span class="field-error">${message}`);
      expect(err, message).toBeGreaterThan(res.text.indexOf(`name="${field}"`));
      if (field !== 'question' || change.question === '') expect(res.text).toContain(input.question ? `value="${input.question}" selected` : '*请选择密保问题');
      if (field !== 'answer') expect(res.text).toContain(`value="${input.answer}"`);
      expect((await accountRow(p.accountId)).security_question).toBeNull();
    });
  }

  it('serves the captcha as an uncached SVG image', async () => {
    const { c } = await signedIn();
    const { res } = await captchaOf(c, db.knex);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('uses a captcha once: the same answer is refused the second time', async () => {
    const { p, c } = await atStep2();
    const { text: code } = await captchaOf(c, db.knex);
    const first = await c.post('/profile/security/question', { question: '', answer: '李四', captcha: code });
    expect(first.status).toBe(400);
    expect(first.text).not.toContain('验证码不正确');
    const again = await c.post('/profile/security/question', { question: '您母亲的姓名是？', answer: '李四', captcha: code });
    expect(again.status).toBe(400);
    expect(text(again.text)).toContain('验证码已失效，请重新输入');
    expect((await accountRow(p.accountId)).security_question).toBeNull();
  });

  it('refuses a captcha older than 5 minutes', async () => {
    const { p, c } = await atStep2();
    const { text: code, sid } = await captchaOf(c, db.knex);
    await expireCaptcha(db.knex, sid);
    const res = await c.post('/profile/security/question', { question: '您母亲的姓名是？', answer: '李四', captcha: code });
    expect(res.status).toBe(400);
    expect(text(res.text)).toContain('验证码已失效，请重新输入');
    expect((await accountRow(p.accountId)).security_question).toBeNull();
  });
});

describe('银行卡修改', () => {
  it('stores the card encrypted, shows it as 6222 **** **** 0128 and audits only the last four', async () => {
    const { p, c } = await signedIn();
    const page = await c.get('/profile/bank');
    for (const label of ['开户银行', '银行卡号', '登录密码', '退费']) expect(text(page.text)).toContain(label);
    const res = await c.post('/profile/bank', { bankName: '中国工商银行', cardNumber: '6222 0212 3456 7890 128', password: PW });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/profile?saved=bank');
    const row = await accountRow(p.accountId);
    expect(row.bank_name).toBe('中国工商银行');
    expect(row.bank_card_last4).toBe('0128');
    expect(row.bank_card_enc).not.toContain(CARD);
    expect(Buffer.from(row.bank_card_enc, 'base64').toString('latin1')).not.toContain(CARD);
    expect(decryptCard(row.bank_card_enc, testConfig(db, env).bankCardKey)).toBe(CARD);
    const dump = JSON.stringify(await db.knex('accounts').where({ id: p.accountId }).first());
    expect(dump).not.toContain(CARD);
    const profile = await c.get('/profile');
    expect(text(profile.text)).toContain('6222 **** **** 0128');
    expect(profile.text).not.toContain(CARD);
    const [entry] = await audits(p.personId).where({ action: 'bank_card.change' });
    expect(entry.detail).toEqual({ fields: ['bank_name', 'bank_card'], last4: '0128' });
    expect(text((await c.get('/profile/bank')).text)).toContain('当前银行卡：中国工商银行 6222 **** **** 0128');
  });

  const bad: [string, Record<string, string>, string, string][] = [
    ['an empty 开户银行', { bankName: ' ' }, 'bankName', '请输入开户银行'],
    ['an empty 银行卡号', { cardNumber: '' }, 'cardNumber', '请输入银行卡号'],
    ['a number failing Luhn', { cardNumber: '6222021234567890127' }, 'cardNumber', '银行卡号不正确，请核对'],
    ['a number with letters', { cardNumber: '6222O21234567890128' }, 'cardNumber', '银行卡号不正确，请核对'],
    ['an empty password', { password: '' }, 'password', '请输入密码'],
    ['a wrong password', { password: 'Wrong#Pass1' }, 'password', '密码不正确'],
  ];
  for (const [name, change, field, message] of bad) {
    it(`refuses ${name} with the input kept and nothing written`, async () => {
      const { p, c } = await signedIn();
      const before = await accountRow(p.accountId);
      await c.get('/profile/bank');
      const input = { bankName: '兰州银行', cardNumber: CARD, password: PW, ...change };
      const res = await c.post('/profile/bank', input);
      expect(res.status).toBe(400);
      expect(res.text).toMatch(new RegExp(`name="${field}"[^>]*>\\s*(<datalist[\\s\\S]*?</datalist>\\s*)?<span class="field-error">${message}`));
      if (field !== 'bankName') expect(res.text).toContain('value="兰州银行"');
      if (field !== 'cardNumber') expect(res.text).toContain(`value="${CARD}"`);
      expect(res.text).not.toContain(`value="${input.password}"`);
      expect(await accountRow(p.accountId)).toEqual(before);
      expect(await audits(p.personId)).toHaveLength(0);
    });
  }
});

describe('owner only', () => {
  it('no profile page or action reads or changes another person, whatever ids are sent', async () => {
    const victim = await f.person(db.knex, { password: 'Victim#2026', mobile: '13800000001' });
    await db.knex('people').where({ id: victim.personId }).update({ email: 'victim@example.com' });
    const victimBefore = { person: await personRow(victim.personId), account: await accountRow(victim.accountId) };
    const { p, c } = await signedIn();
    const ids = { id: String(victim.personId), personId: String(victim.personId), accountId: String(victim.accountId), number: victim.number, account: String(victim.accountId) };

    for (const path of ['/profile', '/profile/edit', '/profile/bank', '/profile/password', '/profile/security']) {
      const res = await c.get(`${path}?${new URLSearchParams(ids)}`);
      expect(res.status, path).toBe(200);
      expect(res.text, path).not.toContain('victim@example.com');
      expect(res.text, path).not.toContain(victim.name);
    }
    for (const path of [`/profile/${victim.personId}`, `/profile/${victim.accountId}/edit`, `/profile/edit/${victim.personId}`]) {
      expect((await c.get(path)).status, path).toBe(404);
    }

    await c.get('/profile/edit');
    expect((await c.post('/profile/edit', { ...ids, mobile: '13900000002', email: 'mine@example.com', postcode: '', address: '' })).status).toBe(303);
    await c.get('/profile/bank');
    expect((await c.post('/profile/bank', { ...ids, bankName: '兰州银行', cardNumber: CARD, password: PW })).status).toBe(303);
    await c.get('/profile/security');
    await c.post('/profile/security', { ...ids, password: PW });
    const { text: code } = await captchaOf(c, db.knex);
    expect((await c.post('/profile/security/question', { ...ids, question: '您的出生地是？', answer: '兰州', captcha: code })).status).toBe(303);
    await c.get('/profile/password');
    expect((await c.post('/profile/password', { ...ids, current: PW, next: 'Mine#Pass2026', confirm: 'Mine#Pass2026' })).status).toBe(303);

    expect({ person: await personRow(victim.personId), account: await accountRow(victim.accountId) }).toEqual(victimBefore);
    expect(await audits(victim.personId)).toHaveLength(0);
    const mine = await personRow(p.personId);
    expect(mine.email).toBe('mine@example.com');
    expect((await accountRow(p.accountId)).bank_card_last4).toBe('0128');
    // The victim still signs in with the old password.
    expect((await new Client(app).login(victim.number, 'Victim#2026')).status).toBe(303);
  });

  it('sends a signed-out visitor to the login page from every profile route', async () => {
    const c = new Client(app);
    for (const path of ['/profile', '/profile/edit', '/profile/bank', '/profile/security', '/profile/security/question']) {
      const r = await c.get(path);
      expect(r.status, path).toBe(303);
      expect(r.headers.location, path).toMatch(/^\/login/);
    }
    for (const path of ['/profile/edit', '/profile/bank', '/profile/security', '/profile/security/question', '/profile/password']) {
      const r = await c.post(path, { email: 'x@y.cn' });
      expect(r.status, path).toBe(303);
      expect(r.headers.location, path).toBe('/login');
    }
  });
});
