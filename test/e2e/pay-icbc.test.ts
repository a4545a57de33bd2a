// 张三 pays 医疗保险 (代收, 250.00) through 中国工商银行 in a real browser: 确定缴费 auto-posts the
// signed form to 工银e支付 (the sandbox's page in the style of 图22: 手机号码, 卡(账)号后六位,
// 下一步, 确认支付), 返回商户 brings 支付成功; 当前费用 then shows 医疗保险 paid.
// Screenshots: pay-icbc-*.png.
import { describe, expect, it } from 'vitest';
import { screenshot } from '../helpers/browser';
import { payInBrowser } from '../helpers/browser-world';
import { confirmPaid, expectPaidEverywhere, zhangsanToChannel } from '../helpers/paid-pages';

const { db, env, browser } = await payInBrowser();

describe('代收项目缴费 through 中国工商银行 in the browser', () => {
  it('张三: 学费缴费 → 2019年度 → 代收项目缴费 → 医疗保险 → 中国工商银行 → 图22 → 确认支付 → 支付成功 → 当前费用', async () => {
    const { page, errors, orderNo } = await zhangsanToChannel(browser, env.appUrl, 'icbc', 'pay-icbc');

    // The auto-posted form lands on 工银e支付 (图22).
    await page.waitForURL(`${env.sandboxUrl}/icbc/**`);
    const bank = (await page.textContent('body'))!;
    for (const label of ['工银e支付', '订单信息', '商户名称: 兰州理工大学', '金额: RMB 250.00', '手机号码', '卡(账)号后六位/别名', '下一步']) expect(bank).toContain(label);
    await page.getByLabel('手机号码:').fill('13800000000');
    await page.getByLabel('卡(账)号后六位/别名:').fill('123456');
    await screenshot(page, 'pay-icbc-5-bank-card');
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByRole('button', { name: '确认支付' }).waitFor();
    expect(await page.textContent('body')).toContain('138****0000');
    await screenshot(page, 'pay-icbc-6-bank-confirm');
    await confirmPaid(page, 'pay-icbc-7-bank-paid', db.knex, orderNo);

    await page.getByRole('link', { name: '返回商户' }).click();
    await expectPaidEverywhere(page, { appUrl: env.appUrl, orderNo, item: '医疗保险', amount: '250.00', bank: '工商银行', shots: 'pay-icbc' });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
