// The console in a real browser: finance searches a person, opens a report, resets a password,
// publishes an announcement, and the student then sees it on the login and home pages.
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { changePassword, desktopPage, screenshot, signIn } from '../helpers/browser';
import { appInBrowser } from '../helpers/browser-world';
import { setPassword } from '../helpers/users';

const { db, url, browser } = await appInBrowser();

describe('finance walks the console', () => {
  it('searches, reports, resets a password and publishes an announcement the student sees', async () => {
    await setPassword(db.knex, DEMO.student.number, 'Lanzhou#2019');
    // A 400 is a form re-rendered with its message; anything else is a fault.
    const { page, errors } = await desktopPage(browser, /status of 400/);
    await signIn(page, url, DEMO.finance.number, DEMO.finance.password, `${url}/console`);
    expect(await page.textContent('body')).toContain('今日收款');
    await screenshot(page, 'console-dashboard');

    // 人员查询 → the person page.
    await page.click('nav >> text=人员查询');
    await page.fill('input[name="q"]', '张三');
    await page.click('button:has-text("查询")');
    await page.click(`tr:has-text("${DEMO.student.number}") >> text=查看`);
    await page.waitForURL(/\/console\/people\/\d+$/);
    expect(await page.textContent('body')).toContain('9,350.00');
    await screenshot(page, 'console-person');

    // 重置密码: a missing reason first, then with one.
    await page.selectOption('#account-form select[name="action"]', 'reset');
    await page.click('#account-form button');
    expect(await page.textContent('#account-form .field-error')).toContain('请填写原因');
    await page.fill('#account-form input[name="reason"]', '本人来电忘记密码，已核实身份');
    await page.click('#account-form button');
    await page.waitForURL(/done=reset$/);
    expect(await page.textContent('.notice')).toContain('密码已重置为初始密码');
    expect(await page.textContent('#account-state')).toContain('初始密码');
    await screenshot(page, 'console-reset');

    // 欠费报表 by class, sorted by arrears.
    await page.click('nav >> text=欠费报表');
    await page.selectOption('select[name="by"]', 'class');
    await page.click('button:has-text("统计")');
    await page.click('th >> text=欠费金额');
    await page.waitForURL(/sort=arrears/);
    expect(await page.textContent('tfoot')).toContain('合计');
    await screenshot(page, 'console-report');

    // 系统公告: publish one.
    await page.click('nav >> text=系统公告');
    await page.click('text=新建公告');
    await page.fill('#title', '关于2020年度学费缴纳的通知');
    await page.fill('#body', '2020年度学费、住宿费已开放缴费，请于9月30日前完成。');
    await page.click('button:has-text("发布")');
    await page.waitForURL(/done=published$/);
    expect(await page.textContent('table')).toContain('已发布');
    await screenshot(page, 'console-announcements');
    expect(errors).toEqual([]);

    // The student sees it on the login page and, once signed in, at home.
    const student = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await student.goto(`${url}/login`);
    expect(await student.textContent('.announcements')).toContain('关于2020年度学费缴纳的通知');
    await screenshot(student, 'console-login-announcement');
    await student.fill('#username', DEMO.student.number);
    await student.fill('#password', DEMO.student.password); // the initial password, after the reset
    await student.click('button:has-text("登录")');
    await student.waitForURL(/\/profile\/password$/);
    await changePassword(student, DEMO.student.password, 'Gansu#2020x');
    await student.waitForURL(`${url}/?changed=1`);
    expect(await student.textContent('.announcements')).toContain('关于2020年度学费缴纳的通知');
    await screenshot(student, 'console-student-home');
  }, 60_000);
});
