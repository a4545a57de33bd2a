// The sandbox checkout pages as a payer sees them, in a real browser: the WeChat "phone" page
// (QR, 确认支付 / 取消支付) and ICBC's 工银e支付 page in the style of 图22. Screenshots go to
// test-results/screenshots/pay-wechat-*.png and pay-icbc-*.png. (The full 张三 → 医疗保险 →
// 支付成功 run through the wizard belongs in test/e2e once the wizard offers these channels.)
import { afterAll, describe, expect, it } from 'vitest';
import { icbcAdapter } from '../../src/gateways/icbc/adapter';
import { wechatAdapter } from '../../src/gateways/wechat/adapter';
import { launchBrowser, screenshot } from '../helpers/browser';
import { channelWorld } from './channel-harness';

const wx = await channelWorld((c) => wechatAdapter(c.channels.wechat));
const icbc = await channelWorld((c) => icbcAdapter(c.channels.icbc));
const browser = await launchBrowser();
afterAll(() => browser.close());

describe('sandbox checkout pages in a browser', () => {
  it('微信支付: QR page, 确认支付, 支付成功', async () => {
    const o = wx.newOrder('wechat', '249.99', '兰州理工大学 2019年度 医疗保险');
    const created = await wx.adapter.createPayment(o.order);
    const page = await browser.newPage();
    await page.goto((created.action as { content: string }).content);
    await expect(page.getByAltText('微信支付二维码').isVisible()).resolves.toBe(true);
    await screenshot(page, 'pay-wechat-1-qr');
    await page.getByRole('button', { name: '确认支付' }).click();
    await page.getByText('支付成功').waitFor();
    await screenshot(page, 'pay-wechat-2-paid');
    await wx.until(() => o.status === 'paid');
    await page.close();
  });

  it('中国工商银行: 图22 page, 下一步, 确认支付, 支付成功', async () => {
    const o = icbc.newOrder('icbc', '249.99', '平台缴费');
    const created = await icbc.adapter.createPayment(o.order);
    const form = created.action as { url: string; fields: Record<string, string> };
    const page = await browser.newPage();
    // What the platform's auto-posted form does: a top-level POST of the signed fields.
    await page.setContent(`<form id="f" method="post" action="${form.url}">${Object.entries(form.fields).map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">`).join('')}</form>`);
    await Promise.all([page.waitForURL(form.url), page.evaluate(() => (document.getElementById('f') as HTMLFormElement).submit())]);
    await expect(page.getByText('商户名称: 兰州理工大学').isVisible()).resolves.toBe(true);
    await page.getByLabel('手机号码:').fill('13800000000');
    await page.getByLabel('卡(账)号后六位/别名:').fill('123456');
    await screenshot(page, 'pay-icbc-1-card');
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByRole('button', { name: '确认支付' }).waitFor();
    await screenshot(page, 'pay-icbc-2-confirm');
    await page.getByRole('button', { name: '确认支付' }).click();
    await page.getByText('支付成功').waitFor();
    await screenshot(page, 'pay-icbc-3-paid');
    await icbc.until(() => o.status === 'paid');
    await page.close();
  });
});
