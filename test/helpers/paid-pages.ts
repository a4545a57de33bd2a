// After a browser payment: the platform's 支付成功 page, then 当前费用 and 银行交易记录 (图23)
// each showing it — the same checks whichever channel took the money.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { screenshot } from './browser';

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
