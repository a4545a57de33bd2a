// 张三 pays 医疗保险 (代收, 249.99) through 微信支付 in a real browser: the platform shows the
// Native code_url as a QR, the sandbox's phone page stands in for scanning (确认支付), and the QR
// page moves on to 支付成功 by itself (public/js/pay-wait.js; 我已完成支付 stays for no-script);
// 当前费用 then shows 医疗保险 paid. Screenshots: pay-wechat-*.png.
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { collectErrors, screenshot } from '../helpers/browser';
import { payInBrowser } from '../helpers/browser-world';
import { collectedItemToChannel, confirmPaid, expectPaidEverywhere } from '../helpers/paid-pages';
import { PASSWORD } from '../helpers/world';

const { db, env, browser } = await payInBrowser();

describe('代收项目缴费 through 微信支付 in the browser', () => {
  it('张三: 学费缴费 → 2019年度 → 代收项目缴费 → 医疗保险 → 微信支付 → QR → 确认支付 on the phone → 支付成功 → 当前费用', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    const orderNo = await collectedItemToChannel(page, { appUrl: env.appUrl, number: DEMO.student.number, password: PASSWORD, channel: 'wechat', shots: 'pay-wechat' });

    // The platform's QR page: the code drawn on the server, the amount, 我已完成支付.
    await page.getByAltText('微信支付二维码').waitFor();
    const qr = (await page.textContent('body'))!;
    for (const label of ['微信支付扫码支付', orderNo, '¥250.00', '我已完成支付', '模拟扫码（沙箱）']) expect(qr).toContain(label);
    expect(await page.getByAltText('微信支付二维码').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await screenshot(page, 'pay-wechat-5-qr');

    // "Scanning": the sandbox's phone page opens beside the platform's.
    const [phone] = await Promise.all([context.waitForEvent('page'), page.getByRole('link', { name: '模拟扫码（沙箱）' }).click()]);
    await phone.waitForLoadState();
    expect(phone.url().startsWith(env.sandboxUrl)).toBe(true);
    await phone.getByAltText('微信支付二维码').waitFor();
    expect(await phone.textContent('body')).toContain('¥250.00');
    await screenshot(phone, 'pay-wechat-6-phone');
    await confirmPaid(phone, 'pay-wechat-7-phone-paid', db.knex, orderNo);

    // No click: the QR page asks the order's state and moves on once it is paid.
    await page.waitForURL(/\/result$/, { timeout: 20_000 });
    await expectPaidEverywhere(page, { appUrl: env.appUrl, orderNo, item: '医疗保险', amount: '250.00', bank: '微信支付', shots: 'pay-wechat' });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
