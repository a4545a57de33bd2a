// Browser steps shared by every channel's payment test: the 代收 wizard up to 确定缴费, and after
// the payment the platform's 支付成功 page, 当前费用 and 银行交易记录 (图23) each showing it.
import type { Knex } from 'knex';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { desktopPage, screenshot, signIn } from './browser';
import { setChecked, step, tap, type Walk } from './layout';
import { PASSWORD, waitForStatus } from './world';

export async function expectPaidEverywhere(page: Page, o: { appUrl: string; orderNo: string; item: string; amount: string; bank: string; shots: string }) {
  await page.waitForURL(/\/result$/);
  const result = (await page.textContent('body'))!;
  expect(result).toContain('支付成功');
  expect(result).toContain(o.orderNo);
  expect(result).toContain(o.item);
  await screenshot(page, `${o.shots}-8-success`);

  await page.click('nav >> text=当前费用');
  await page.waitForURL(/\/fees$/);
  const row = (await page.locator('tr', { hasText: o.item }).first().textContent())!.replace(/\s+/g, ' ');
  expect(row).toContain(o.amount);
  expect(row).toContain('已完成');
  await screenshot(page, `${o.shots}-9-fees`);

  await page.goto(`${o.appUrl}/transactions/bank`);
  const tx = (await page.locator('tr', { hasText: o.orderNo }).textContent())!;
  expect(tx).toContain(o.bank);
  await screenshot(page, `${o.shots}-10-transactions`);
}

/**
 * 张三 signs in and walks 学费缴费 → 2019年度 → 代收项目缴费 → 医疗保险 → 下一步 → 下一步 → the
 * channel → 确定缴费, with screenshots 1–4; returns the order number.
 */
export async function collectedItemToChannel(page: Page, o: { appUrl: string; number: string; password: string; channel: string; shots: string }) {
  await signIn(page, o.appUrl, o.number, o.password);

  await page.click('nav >> text=学费缴费');
  await page.waitForURL(/\/pay$/);
  await page.check('input[name=period]');
  await screenshot(page, `${o.shots}-1-list`);
  await page.click('button:has-text("代收项目缴费")');

  await page.waitForURL(/\/pay\/items/);
  const items = (await page.textContent('body'))!;
  expect(items).toContain('医疗保险');
  expect(items).not.toContain('住宿费'); // 财政 items never mix into a 代收 order
  await screenshot(page, `${o.shots}-2-items`);
  await page.click('button:has-text("下一步")');

  await page.waitForURL(/\/pay\/review$/);
  expect((await page.textContent('body'))!.replace(/\s+/g, '')).toContain('共计交费：250.00元');
  await screenshot(page, `${o.shots}-3-review`);
  await page.click('button:has-text("下一步")');

  await page.waitForURL(/\/pay\/orders\/XF\d{6}LUT\d{6}$/);
  const orderNo = /XF\d{6}LUT\d{6}/.exec(page.url())![0];
  await page.check(`input[value=${o.channel}]`);
  await screenshot(page, `${o.shots}-4-confirm`);
  await page.click('button:has-text("确定缴费")');
  return orderNo;
}

/** 张三 (world.ts's PASSWORD) on a 1280×800 page of his own: collectedItemToChannel with `channel`. */
export async function zhangsanToChannel(browser: Browser, appUrl: string, channel: string, shots: string) {
  const { page, errors } = await desktopPage(browser);
  const orderNo = await collectedItemToChannel(page, { appUrl, number: DEMO.student.number, password: PASSWORD, channel, shots });
  return { page, errors, orderNo };
}

/** 确认支付 on the channel's own page (the bank page, the phone page): 支付成功, screenshot `shot`, and the order paid. */
export async function confirmPaid(page: Page, shot: string, knex: Knex, orderNo: string) {
  await page.getByRole('button', { name: '确认支付' }).click();
  await page.getByText('支付成功').waitFor();
  await screenshot(page, shot);
  await waitForStatus(knex, orderNo, 'paid');
}

/**
 * A walk (layout.ts) on from 缴费信息修改: 下一步, 交费信息显示 with 共计交费：`total`元, 下一步,
 * 微信支付, 确定缴费. At the desk 微信支付 answers with its QR code, scanned by the sandbox's phone
 * page; on the phone (an iPhone's User-Agent) with WeChat Pay H5, paid in the sandbox's cashier.
 * Then the order paid and 银行支付结果 saying 支付成功; returns the order number. `o.shown`: the
 * amount the QR page and the H5 cashier must show; `o.first`: the first step's number in the step
 * names; `o.closePhone`: the desk's phone page closed once paid.
 */
export async function walkPaysByWechat(w: Walk, knex: Knex, total: string, o: { shown?: string; first?: number; closePhone?: boolean } = {}) {
  const { page } = w;
  const name = (i: number, s: string) => (o.first === undefined ? s : `${o.first + i}-${s}`);
  await step(w, name(0, 'items'));
  await tap(w, page.locator('button:has-text("下一步")'), '下一步 (items)');
  await page.waitForURL(/\/pay\/review$/);
  expect((await page.textContent('body'))!.replace(/\s+/g, '')).toContain(`共计交费：${total}元`);
  await step(w, name(1, 'review'));
  await tap(w, page.locator('button:has-text("下一步")'), '下一步 (review)');
  await page.waitForURL(/\/pay\/orders\/XF\d{6}LUT\d{6}$/);
  const orderNo = /XF\d{6}LUT\d{6}/.exec(page.url())![0];
  await setChecked(w, page.locator('input[value=wechat]'), true, '微信支付');
  await step(w, name(2, 'confirm'));
  await tap(w, page.locator('button:has-text("确定缴费")'), '确定缴费');
  if (!w.phone) {
    await page.getByAltText('微信支付二维码').waitFor();
    if (o.shown) expect(await page.textContent('body')).toContain(`¥${o.shown}`);
    await step(w, name(3, 'qr'));
    const [phone] = await Promise.all([w.context.waitForEvent('page'), page.getByRole('link', { name: '模拟扫码（沙箱）' }).click()]);
    await phone.waitForLoadState();
    await phone.getByRole('button', { name: '确认支付' }).click();
    await phone.getByText('支付成功').waitFor();
    if (o.closePhone) await phone.close();
  } else {
    await page.waitForURL(/\/wechat\/h5\/checkmweb/);
    if (o.shown) expect(await page.textContent('body')).toContain(o.shown);
    await step(w, name(3, 'h5'));
    await tap(w, page.getByRole('button', { name: '确认支付' }), '微信H5 确认支付');
    await page.getByText('支付成功').first().waitFor();
    await tap(w, page.getByRole('link', { name: '完成' }), '微信H5 完成');
  }
  await waitForStatus(knex, orderNo, 'paid');
  await page.waitForURL(/\/result$/, { timeout: 20_000 });
  expect(await page.textContent('body')).toContain('支付成功');
  return orderNo;
}
