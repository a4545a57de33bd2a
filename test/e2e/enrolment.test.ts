// 报名信息 in the browser, at desktop 1366×900 and phone 390×844: the demo's
// outsider 王五 opens 报名信息, signs up for the demo's 普通话水平测试 (工作单位 first left empty, the
// message shown and nothing lost), and sees 待缴费 with 去缴费 under 我的报名, which leads into
// 其他费用's wizard with the bill ticked. Paying it to 已报名 and its e-bill: outsider-journey.test.ts.
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { collectErrors, screenshot, signIn } from '../helpers/browser';
import { appInBrowser } from '../helpers/browser-world';
import { setPassword } from '../helpers/users';

const { db, url, browser } = await appInBrowser();
const PW = 'Wangwu#2026x';

const VIEWPORTS = [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]] as const;

describe('王五 signs up for 普通话水平测试', () => {
  it.each(VIEWPORTS)('on a %s: 报名 → 待缴费', async (name, viewport) => {
    await setPassword(db.knex, DEMO.external.number, PW);
    const ww = await db.knex('people').where({ number: DEMO.external.number }).first('id');
    // Each viewport signs up afresh: the earlier walk's sign-up is set aside.
    await db.knex('enrolment_signups').where({ person_id: ww.id }).update({ status: 'released', ended_at: db.knex.fn.now() });

    const page = await browser.newPage({ viewport });
    const errors = collectErrors(page, /status of 400/);
    await signIn(page, url, DEMO.external.idNumber, PW);

    await page.goto(`${url}/enrolment`);
    expect(await page.textContent('body')).toContain('普通话水平测试');
    await screenshot(page, `enrolment-${name}`);
    await page.click('a:has-text("我要报名")');
    await page.waitForURL(/\/enrolment\/projects\/\d+$/);
    await page.click('button:has-text("确认报名")');
    expect(await page.textContent('.field-error')).toContain('请填写工作单位');
    await page.fill('#f1', '兰州市第一中学');
    await screenshot(page, `enrolment-signup-${name}`);
    await page.click('button:has-text("确认报名")');
    await page.waitForURL(/\/enrolment\/signups\/\d+\?done=signed$/);
    const body = (await page.textContent('body'))!;
    for (const v of ['报名成功，请在保留时间内完成缴费', '待缴费', '兰州市第一中学', '缴费截止']) expect(body).toContain(v);
    expect(await page.getAttribute('a:has-text("去缴费")', 'href')).toMatch(/^\/pay\/items\?fee=other&category=%E4%BB%A3%E6%94%B6&period=\d+&bill=\d+$/);
    await screenshot(page, `enrolment-mine-${name}`);

    await page.goto(`${url}/enrolment`);
    expect(await page.textContent('.enrolment-mine')).toContain('待缴费');
    // Nothing wider than the screen (a phone never scrolls sideways).
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, `enrolment-list-${name}`);
    expect(errors).toEqual([]);
    await page.close();
  });
});
