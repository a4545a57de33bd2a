// 缴费信息修改 (图10) in a real browser, with and without JavaScript: with it, the amounts are
// read-only behind 修改 and 全选 / 反选 / the live total work; without it, the amount boxes are
// typed into directly and a part payment still reaches 交费信息显示.
import { describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, collectErrors, signIn } from '../helpers/browser';
import { testApp, listen } from '../helpers/app';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const PASSWORD = 'Abc12345!x';
const db = await testDatabase();
const { url } = await listen(testApp(db));
const browser = await launchBrowser();
const tuition = await f.feeItem(db.knex, { category: '财政', name: '学费（浏览器）' });
const lodging = await f.feeItem(db.knex, { category: '财政', name: '住宿费（浏览器）' });

async function student() {
  const p = await f.person(db.knex, { password: PASSWORD });
  const period = await f.period(db.knex);
  await f.bill(db.knex, { personId: p.personId, periodId: period.id, feeItemId: tuition.id, due: '8000.00', paid: '0.03' });
  await f.bill(db.knex, { personId: p.personId, periodId: period.id, feeItemId: lodging.id, due: '1100.00' });
  return { p, period };
}

async function openItems(javaScriptEnabled: boolean) {
  const s = await student();
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await signIn(page, url, s.p.number, PASSWORD);
  await page.goto(`${url}/pay`);
  await page.check('input[name=period]');
  await page.click('button:has-text("财政项目缴费")');
  await page.waitForURL(/\/pay\/items/);
  return { page, context, errors };
}

describe('缴费信息修改 in the browser', () => {
  it('with JavaScript: 修改 opens a read-only amount, 全选 / 反选 and the live total follow', async () => {
    const { page, context, errors } = await openItems(true);
    const row = page.locator('tr', { hasText: '学费（浏览器）' });
    const amount = row.locator('input.amount');
    expect(await amount.getAttribute('readonly')).not.toBeNull();
    expect(await page.textContent('#pay-sum')).toBe('9,099.97');
    await page.click('button:has-text("反选")');
    expect(await page.textContent('#pay-sum')).toBe('0.00');
    await page.click('button:has-text("全选")');
    expect(await page.textContent('#pay-sum')).toBe('9,099.97');
    await row.locator('button:has-text("修改")').click();
    expect(await amount.getAttribute('readonly')).toBeNull();
    await amount.fill('5000.00');
    expect(await page.textContent('#pay-sum')).toBe('6,100.00');
    expect(await page.textContent('#pay-total')).toBe('6100.00');
    await row.locator('button:has-text("确定")').click();
    expect(await amount.getAttribute('readonly')).not.toBeNull();
    await screenshot(page, 'pay-items-js');
    await page.click('button:has-text("下一步")');
    await page.waitForURL(/\/pay\/review$/);
    expect((await page.textContent('body'))!.replace(/\s+/g, '')).toContain('共计交费：6,100.00元');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('without JavaScript: the amount is typed straight into its box and the part payment goes through', async () => {
    const { page, context } = await openItems(false);
    const amount = page.locator('tr', { hasText: '学费（浏览器）' }).locator('input.amount');
    expect(await amount.getAttribute('readonly')).toBeNull();
    expect(await page.locator('button:has-text("修改")').count()).toBe(0);
    await amount.fill('5000.00');
    await screenshot(page, 'pay-items-nojs');
    await page.click('button:has-text("下一步")');
    await page.waitForURL(/\/pay\/review$/);
    const review = (await page.textContent('body'))!.replace(/\s+/g, '');
    expect(review).toContain('5,000.00');
    expect(review).toContain('共计交费：6,100.00元');
    await context.close();
  });
});
