// 张三 opens 工银e支付 for 医疗保险 (250.00), leaves the bank page unpaid and comes back to pay with
// 微信支付 instead. ICBC e-pay has no close, so its page stays payable until its (short) expiry: the
// platform says so, with the time, before it sends anything to WeChat, and only 仍使用微信支付缴费
// goes on. Screenshots: pay-switch-*.png.
import { describe, expect, it } from 'vitest';
import { businessTime } from '../../src/domain/business-date';
import { screenshot } from '../helpers/browser';
import { payInBrowser } from '../helpers/browser-world';
import { zhangsanToChannel } from '../helpers/paid-pages';

const { db, env, browser } = await payInBrowser();

describe('switching from a bank page that cannot be closed', () => {
  it('张三 leaves the 工银e支付 page unpaid, chooses 微信支付, is warned with the page’s expiry, and chooses to pay by WeChat', async () => {
    const { page, errors, orderNo } = await zhangsanToChannel(browser, env.appUrl, 'icbc', 'pay-switch');
    await page.waitForURL(`${env.sandboxUrl}/icbc/**`);

    // Back to the platform's 缴费信息确认 page; this time 微信支付.
    await page.goto(`${env.appUrl}/pay/orders/${orderNo}`);
    await page.check('input[value=wechat]');
    await page.click('button:has-text("确定缴费")');
    const warning = page.locator('.open-elsewhere');
    await warning.waitFor();
    const text = (await warning.textContent())!.replace(/\s+/g, '');
    const attempt = await db.knex('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
      .where({ 'o.order_no': orderNo, 'a.channel': 'icbc' }).first('a.expires_at');
    const until = businessTime(new Date(attempt.expires_at)).slice(0, 5);
    expect(text).toContain('中国工商银行');
    expect(text).toContain(until);
    expect(text).toContain('请勿重复支付');
    for (const label of ['返回继续支付', '查看银行支付结果', '仍使用微信支付缴费']) expect(text).toContain(label);
    // Nothing went to WeChat before the student chose.
    expect(await db.knex('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id').where({ 'o.order_no': orderNo, 'a.channel': 'wechat' }).first('a.id')).toBeUndefined();
    await screenshot(page, 'pay-switch-5-warning');

    await page.click('button:has-text("仍使用微信支付缴费")');
    await page.getByRole('link', { name: '我已完成支付' }).waitFor();
    expect(await page.textContent('body')).toContain('250.00');
    await screenshot(page, 'pay-switch-6-wechat-qr');
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  }, 120_000);
});
