// Browser steps shared by every channel's payment test: the 代收 wizard up to 确定缴费, and after
// the payment the platform's 支付成功 page, 当前费用 and 银行交易记录 (图23) each showing it.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { screenshot, signIn } from './browser';

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
