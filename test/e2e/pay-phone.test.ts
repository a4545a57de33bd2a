// Paying on a phone in a real browser (Chromium at 390×844, isMobile, hasTouch, an iPhone's
// User-Agent) through the sandbox: 微信支付 goes to H5 (WeChat's middle page accepts us by the
// Referer our page sends, the app's cashier, 完成 back to the waiting page, which notices the
// payment by itself) and 支付宝 to 手机网站支付 (the posted form, the mobile cashier, 完成 back to
// return_url); 在电脑上扫码支付 gives the QR page, which also moves on by itself once paid.
// Every page on the way, the sandbox's channel pages too, is checked to fit the phone, and every
// control tapped to be at least 44×44 px (test/helpers/layout.ts). Screenshots: pay-phone-*.png.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { collectErrors, launchBrowser, screenshot } from '../helpers/browser';
import { PHONE, THUMB_PX, overflow } from '../helpers/layout';
import { testDatabase } from '../helpers/test-db';
import { PASSWORD, armFault, clearFaults, payEnv, waitForStatus } from '../helpers/world';
import * as f from '../factories';

const db = await testDatabase();
const knex = db.knex;
const env = await payEnv(db, { SANDBOX: '1', SANDBOX_TIME_SCALE: '0.001', CHANNELS_COLLECTED: 'wechat,alipay,icbc' });
const browser: Browser = await launchBrowser();
const items = {
  insurance: await f.feeItem(knex, { category: '代收', name: '医疗保险（手机）' }),
  exam: await f.feeItem(knex, { category: '代收', name: '体检费（手机）' }),
  books: await f.feeItem(knex, { category: '代收', name: '教材费（手机）' }),
};

/** What does not fit on the phone, page by page: each test expects none. */
let problems: string[] = [];

/** The page as the payer sees it now: no wider than the phone, then a full-page screenshot. */
async function look(page: Page, name: string) {
  await page.waitForLoadState('load');
  for (const p of await overflow(page)) problems.push(`${name} (${page.url()}): ${p}`);
  await screenshot(page, name);
}

/** A real tap on a control, measured first: a thumb needs 44×44 px. */
async function press(page: Page, target: string | Locator) {
  const control = typeof target === 'string' ? page.locator(target) : target;
  await control.scrollIntoViewIfNeeded();
  const box = await control.boundingBox();
  if (!box || box.width < THUMB_PX - 0.5 || box.height < THUMB_PX - 0.5) {
    problems.push(`${String(target)} on ${page.url()}: ${box ? `${Math.round(box.width)}×${Math.round(box.height)} px` : 'not visible'}`);
  }
  await control.tap();
}

async function phone(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ ...PHONE, locale: 'zh-CN' });
  const page = await context.newPage();
  problems = [];
  return { context, page, errors: collectErrors(page) };
}

/**
 * A student owing 医疗保险 250.00, 体检费 80.00 and 教材费 120.00 (代收), each in a period of its
 * own (so that choosing the period chooses the item), signed in on the phone.
 */
async function signedInStudent(page: Page) {
  const p = await f.person(knex, { password: PASSWORD });
  for (const [item, due] of [[items.insurance, '250.00'], [items.exam, '80.00'], [items.books, '120.00']] as const) {
    const period = await f.period(knex);
    await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due });
  }
  await page.goto(`${env.appUrl}/login`);
  await page.fill('#username', p.number);
  await page.fill('#password', PASSWORD);
  await press(page, 'button:has-text("登录")');
  await page.waitForURL(`${env.appUrl}/`);
  return p;
}

/** 学费缴费 → `item`'s period → 代收项目缴费 → 下一步 → 下一步 → `channel` on 图12. */
async function toConfirm(page: Page, item: string, channel: string, shots: string) {
  await page.goto(`${env.appUrl}/pay`);
  await look(page, `${shots}-0-list`);
  await press(page, `fieldset.period:has-text("${item}") input[name=period]`);
  await press(page, 'button:has-text("代收项目缴费")');
  await page.waitForURL(/\/pay\/items/);
  expect(await page.textContent('#pay-sum')).not.toBe('—');
  await look(page, `${shots}-1-items`);
  await press(page, 'button:has-text("下一步")');
  await page.waitForURL(/\/pay\/review$/);
  await look(page, `${shots}-1-review`);
  await press(page, 'button:has-text("下一步")');
  await page.waitForURL(/\/pay\/orders\/XF\d{6}LUT\d{6}$/);
  const orderNo = /XF\d{6}LUT\d{6}/.exec(page.url())![0];
  await press(page, `input[value=${channel}]`);
  expect(await page.locator(`input[value=${channel}]`).isChecked()).toBe(true);
  const body = (await page.textContent('body'))!;
  expect(body).toContain('您正在使用手机');
  expect(body).toContain('在电脑上扫码支付');
  await look(page, `${shots}-2-confirm`);
  return orderNo;
}

/**
 * A student signed in on a new phone, at 图12 for `item` with `channel` chosen (toConfirm), then
 * `walk` onwards; afterwards no script error and nothing that did not fit the phone.
 */
async function onPhone(item: string, channel: string, shots: string, walk: (o: { context: BrowserContext; page: Page; orderNo: string }) => Promise<void>) {
  const { context, page, errors } = await phone();
  await signedInStudent(page);
  const orderNo = await toConfirm(page, item, channel, shots);
  await walk({ context, page, orderNo });
  expect(errors).toEqual([]);
  expect(problems).toEqual([]);
  await context.close();
}

/** The channel's mobile cashier (`kind`, in the screenshots' names): `amount` shown, `button` pressed, 支付成功, then 完成. */
async function payAtMobileCashier(page: Page, button: string, amount: string, shots: string, kind: string) {
  await page.getByRole('button', { name: button }).waitFor();
  expect(await page.textContent('body')).toContain(amount);
  await look(page, `${shots}-3-${kind}-cashier`);
  await press(page, page.getByRole('button', { name: button }));
  await page.getByText('支付成功').waitFor();
  await look(page, `${shots}-4-${kind}-paid`);
  await press(page, page.getByRole('link', { name: '完成' }));
}

describe('paying on a phone (390×844, touch)', () => {
  it('微信支付 H5: WeChat\'s pages, then the waiting page moves on to 支付成功 by itself', () => onPhone('医疗保险（手机）', 'wechat', 'pay-phone-wechat', async ({ page, orderNo }) => {
    // The notification comes a few seconds late: the waiting page must notice it by itself.
    await armFault(env, 'wechat', 'delay', 1, { ms: 4000 });
    await press(page, 'button:has-text("确定缴费")');
    // Not a QR: WeChat's H5 cashier (the middle page let us through: our page sent our origin).
    await page.waitForURL(new RegExp(`^${env.sandboxUrl}/wechat/h5/checkmweb`));
    await payAtMobileCashier(page, '确认支付', '¥250.00', 'pay-phone-wechat', 'h5');
    await page.waitForURL(`${env.appUrl}/pay/orders/${orderNo}/waiting`);
    await page.getByText('正在等待支付结果').waitFor();
    await look(page, 'pay-phone-wechat-5-waiting');
    // No tap: the script asks the order's state and moves on once the notification is in.
    await page.waitForURL(`${env.appUrl}/pay/orders/${orderNo}/result`, { timeout: 20_000 });
    await page.getByText('支付成功').first().waitFor();
    expect(await page.textContent('body')).toContain('医疗保险（手机）');
    await look(page, 'pay-phone-wechat-6-success');
    await clearFaults(env, 'wechat');
    expect(await knex('orders').where({ order_no: orderNo }).first('status')).toEqual({ status: 'paid' });
  }), 120_000);

  it('支付宝 手机网站支付: the mobile cashier, 完成 back to 支付成功', () => onPhone('体检费（手机）', 'alipay', 'pay-phone-alipay', async ({ page, orderNo }) => {
    await press(page, 'button:has-text("确定缴费")');
    await page.waitForURL(new RegExp(`^${env.sandboxUrl}/alipay/wap/`));
    await payAtMobileCashier(page, '确认付款', '¥80.00', 'pay-phone-alipay', 'wap');
    await page.waitForURL(new RegExp(`^${env.appUrl}/pay/orders/${orderNo}/result\\?`));
    await page.getByText('支付成功').first().waitFor();
    expect(await page.textContent('body')).toContain('体检费（手机）');
    await look(page, 'pay-phone-alipay-5-success');
    await waitForStatus(knex, orderNo, 'paid');
  }), 120_000);

  it('在电脑上扫码支付: the QR page, paid from another phone, moves on to 支付成功 by itself', () => onPhone('教材费（手机）', 'wechat', 'pay-phone-qr', async ({ context, page, orderNo }) => {
    await press(page, 'button:has-text("在电脑上扫码支付")');
    await page.getByAltText('微信支付二维码').waitFor();
    await page.getByText('正在等待支付结果').waitFor();
    await look(page, 'pay-phone-qr-3-qr');
    // Another phone scans it: the sandbox's phone page, paid there.
    const scanner = await context.newPage();
    await scanner.goto((await page.getByRole('link', { name: '模拟扫码（沙箱）' }).getAttribute('href'))!);
    await look(scanner, 'pay-phone-qr-3-scanner');
    await press(scanner, scanner.getByRole('button', { name: '确认支付' }));
    await scanner.getByText('支付成功').waitFor();
    await look(scanner, 'pay-phone-qr-3-scanner-paid');
    await scanner.close();
    await page.waitForURL(`${env.appUrl}/pay/orders/${orderNo}/result`, { timeout: 20_000 });
    await page.getByText('支付成功').first().waitFor();
    await look(page, 'pay-phone-qr-4-success');
  }), 120_000);
});
