import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { changePassword, desktopPage, menuPage, screenshot } from '../helpers/browser';
import { appInBrowser } from '../helpers/browser-world';
import * as f from '../factories';

const { db, url, browser } = await appInBrowser();

describe('张三 signs in for the first time', () => {
  it('logs in with the initial password, must change it, then sees 共需交费9,350.00元 on 当前费用', async () => {
    // A 400 is the password form re-rendered with its message; anything else is a fault.
    const { page, errors } = await desktopPage(browser, /status of 400/);

    await page.goto(`${url}/login`);
    await page.fill('#username', DEMO.student.number);
    await page.fill('#password', DEMO.student.password);
    await screenshot(page, 'login');
    await page.click('button:has-text("登录")');

    await page.waitForURL(/\/profile\/password$/);
    expect(await page.textContent('body')).toContain('您正在使用初始密码');
    await changePassword(page, DEMO.student.password, 'short');
    expect(await page.textContent('.field-error')).toContain('9位以上');
    await screenshot(page, 'password-change-error');
    await changePassword(page, DEMO.student.password, 'Lanzhou#2019');
    await page.waitForURL(`${url}/?changed=1`);
    expect(await page.textContent('body')).toContain('密码修改成功');
    await screenshot(page, 'home');

    const body = await menuPage(page, '当前费用', /\/fees$/);
    for (const s of ['共需交费9,350.00元', '当前用户>>编号：18201234567890 姓名：张三']) expect(body).toContain(s);
    await screenshot(page, 'current-fees');
    // No CSP violations or script errors on the way.
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('a student whose 学号 someone has been guessing', () => {
  it('is shown the 验证码 field with its image and gets in with the right password and the code', async () => {
    const p = await f.person(db.knex, { password: 'Chosen@2026x' });
    const { page, errors } = await desktopPage(browser, /status of (400|401)/);
    for (let i = 0; i < 5; i++) {
      await page.goto(`${url}/login`);
      expect(await page.locator('#captcha').count()).toBe(0);
      await page.fill('#username', p.number);
      await page.fill('#password', `wrong-${i}`);
      await page.click('button:has-text("登录")');
      await page.waitForSelector('.error');
    }
    // The form shown after the fifth failure asks for the 验证码.
    await page.waitForSelector('img.captcha');
    expect(await page.locator('img.captcha').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await page.fill('#password', 'Chosen@2026x');
    // Read the answer as a person reads the image: from the row kept against the browser's session.
    const sid = decodeURIComponent((await page.context().cookies()).find((c) => c.name === 'cupp.sid')!.value);
    const row = await db.knex('captchas').where({ session_id: sid.slice(2, sid.lastIndexOf('.')) }).first('answer');
    await page.fill('#captcha', row.answer);
    await screenshot(page, 'login-captcha');
    await page.click('button:has-text("登录")');
    await page.waitForURL(`${url}/`);
    expect(await page.textContent('body')).toContain(`编号：${p.number}`);
    expect(errors).toEqual([]);
    await page.close();
  });
});
