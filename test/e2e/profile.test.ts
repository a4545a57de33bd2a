import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { desktopPage, menuPage, screenshot, signIn } from '../helpers/browser';
import { appInBrowser } from '../helpers/browser-world';
import { setPassword } from '../helpers/users';

const { db, url, browser } = await appInBrowser();
const PW = 'Lanzhou#2019';

describe('张三 keeps his 个人信息', () => {
  it('edits 个人信息, changes the password, and sees the 密保 and 找回密码 pages', async () => {
    await setPassword(db.knex, DEMO.student.number, PW);
    await db.knex('people').where({ number: DEMO.student.number }).update({ phone: '09312973305' });

    const { page, errors } = await desktopPage(browser, /status of 400/);
    await signIn(page, url, DEMO.student.number, PW);

    let body = await menuPage(page, '个人信息', /\/profile$/);
    expect(body).toContain('请确认个人信息无误后再进行缴费');
    // 图3 to its owner: the numbers in full; the 当前用户 line above still masks the ID number.
    expect(body).toContain('340100198501011234');
    expect(body).toContain('17000000000');
    expect(await page.textContent('.userline')).toContain('34*****4');
    await screenshot(page, 'profile');

    await page.click('a:has-text("个人信息修改")');
    await page.waitForURL(/\/profile\/edit$/);
    expect(await page.getAttribute('#mobile', 'placeholder')).toBe('170****0000');
    await page.fill('#mobile', '1781234552');
    await page.fill('#email', 'zhangsan@lut.edu.cn');
    await page.fill('#postcode', '730050');
    await page.fill('#address', '甘肃省兰州市七里河区兰工坪路287号');
    await page.click('button:has-text("保存")');
    expect(await page.textContent('.field-error')).toContain('请输入11位手机号码');
    expect(await page.inputValue('#email')).toBe('zhangsan@lut.edu.cn');
    await page.fill('#mobile', '17812345520');
    await page.click('button:has-text("保存")');
    await page.waitForURL(/\/profile\?saved=info$/);
    await page.click('a:has-text("个人信息修改")');
    await page.fill('#mobile', '17812345521');
    await screenshot(page, 'profile-edit');
    await page.click('button:has-text("保存")');
    await page.waitForURL(/\/profile\?saved=info$/);
    body = (await page.textContent('body'))!;
    for (const v of ['个人信息已保存', '17812345521', 'zhangsan@lut.edu.cn', '730050', '兰工坪路287号']) expect(body).toContain(v);

    // 返回 leaves without saving.
    await page.click('a:has-text("个人信息修改")');
    await page.fill('#email', 'discard@example.com');
    await page.click('a:has-text("返回")');
    await page.waitForURL(/\/profile$/);
    expect(await page.textContent('body')).toContain('zhangsan@lut.edu.cn');

    await page.click('a:has-text("密码修改")');
    await page.waitForURL(/\/profile\/password$/);
    await page.fill('#current', PW);
    await page.fill('#next', 'Pengjiaping#2026');
    await page.fill('#confirm', 'Pengjiaping#2026');
    await screenshot(page, 'profile-password');
    await page.click('button:has-text("修改")');
    await page.waitForURL(/\/profile\?saved=password$/);
    expect(await page.textContent('body')).toContain('密码已修改');

    await page.click('a:has-text("银行卡修改")');
    await page.fill('#bankName', '中国工商银行');
    await page.fill('#cardNumber', '6222 0212 3456 7890 128');
    await page.fill('#password', 'Pengjiaping#2026');
    await page.click('button:has-text("保存")');
    await page.waitForURL(/\/profile\?saved=bank$/);
    body = (await page.textContent('body'))!;
    expect(body).toContain('6222 **** **** 0128');
    expect(body).not.toContain('6222021234567890128');
    await screenshot(page, 'profile-saved');

    await page.click('a:has-text("密保修改")');
    await page.fill('#password', 'Pengjiaping#2026');
    await page.click('button:has-text("下一步")');
    await page.waitForURL(/\/profile\/security\/question$/);
    // The captcha is a same-origin image the CSP allows, and it really rendered.
    await page.waitForFunction(() => ((document.querySelector('img.captcha') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0);
    await page.selectOption('#question', '您的出生地是？');
    await page.fill('#answer', '兰州');
    await screenshot(page, 'profile-security');

    await page.click('a:has-text("退出登录"), button:has-text("退出登录")');
    await page.goto(`${url}/recover`);
    await page.fill('#username', DEMO.student.number);
    await page.fill('#idNumber', '340100198501011234');
    await screenshot(page, 'recover');
    await page.click('button:has-text("下一步")');
    // 张三 has not set a question yet (the step above was not submitted): the finance phones.
    expect(await page.textContent('body')).toContain('请联系财务处电话 2973305 2973826');

    expect(errors).toEqual([]);
    await page.close();
  });
});
