// 新用户注册 in a browser, at the desktop and phone sizes: an outsider follows the
// login page's link, fills 姓名, 身份证号, 手机号 and the 验证码, reads the SMS code where the demo's
// sandbox sender delivers it (sms_sandbox_inbox: docs/sms.md), sets a password, then signs in with
// 身份证号 + that password and sees 当前费用.
import { describe, expect, it } from 'vitest';
import { idCheckChar } from '../../src/domain/id-number';
import { listen, testApp } from '../helpers/app';
import { collectErrors, launchBrowser, menuPage, screenshot } from '../helpers/browser';
import { testDatabase } from '../helpers/test-db';

const db = await testDatabase({ demo: true });
const { url } = await listen(testApp(db));
const browser = await launchBrowser();

async function smsCode(mobile: string): Promise<string> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const row = await db.knex('sms_sandbox_inbox').where({ mobile }).orderBy('id', 'desc').first('body');
    const code = /验证码为(\d{6})/.exec(String(row?.body ?? ''))?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no SMS reached ${mobile}`);
}

const sizes = [
  { label: 'desktop', width: 1366, height: 900, seq: 1 },
  { label: 'phone', width: 390, height: 844, seq: 2 },
];

describe('新用户注册 in a browser', () => {
  for (const size of sizes) {
    it(`registers an outsider and signs them in (${size.label} ${size.width}×${size.height})`, async () => {
      const first17 = `11010819880${size.seq}15${String(300 + size.seq)}`.slice(0, 17);
      const idNumber = first17 + idCheckChar(first17);
      const mobile = `1360000000${size.seq}`;
      const page = await browser.newPage({ viewport: { width: size.width, height: size.height } });
      // A 400 is a form shown again with its message (the password refused below), not a fault.
      const errors = collectErrors(page, /status of 400/);

      await page.goto(`${url}/login`);
      await page.click('a:has-text("新用户注册")');
      await page.waitForURL(/\/register$/);
      await page.fill('#name', '赵六');
      await page.fill('#idNumber', idNumber.toLowerCase());
      await page.fill('#mobile', mobile);
      await page.waitForSelector('img.captcha');
      const sid = decodeURIComponent((await page.context().cookies()).find((c) => c.name === 'cupp.sid')!.value);
      const row = await db.knex('captchas').where({ session_id: sid.slice(2, sid.lastIndexOf('.')) }).first('answer');
      await page.fill('#captcha', row.answer);
      await screenshot(page, `register-start-${size.label}`);
      await page.click('button:has-text("获取验证码")');
      await page.waitForURL(/\/register\/verify$/);
      expect(await page.textContent('body')).toContain(`短信验证码已发送至 ${mobile.slice(0, 3)}****${mobile.slice(-4)}`);

      const code = await smsCode(mobile);
      await page.fill('#code', code);
      await page.fill('#password', 'short');
      await page.fill('#confirm', 'short');
      await page.click('button:has-text("注册")');
      expect(await page.textContent('.field-error')).toContain('9位以上');
      expect(await page.inputValue('#code')).toBe(code);
      expect(await page.inputValue('#password')).toBe('');
      await screenshot(page, `register-verify-error-${size.label}`);
      await page.fill('#password', 'Outside#2026');
      await page.fill('#confirm', 'Outside#2026');
      await page.click('button:has-text("注册")');

      await page.waitForURL(/\/login\?registered=1$/);
      expect(await page.textContent('body')).toContain('注册成功。请使用身份证号和刚才设置的密码登录。');
      expect(await page.inputValue('#username')).toBe(idNumber);
      await screenshot(page, `register-done-${size.label}`);
      await page.fill('#password', 'Outside#2026');
      await page.click('button:has-text("登录")');
      await page.waitForURL(`${url}/`);
      if (size.width < 820) await page.click('label.menu-toggle');
      const body = await menuPage(page, '当前费用', /\/fees$/);
      for (const s of ['当前费用', '赵六']) expect(body).toContain(s);
      await screenshot(page, `register-fees-${size.label}`);
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
