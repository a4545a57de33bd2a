// Browser tests drive Debian's Chromium through playwright-core; no browser is ever downloaded.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve('test-results/screenshots');
/** How to get the browser (vitest.config.ts says the same when it leaves the browser tests out). */
export const GET_CHROMIUM = `no Chromium at ${CHROMIUM}: apt-get install chromium fonts-noto-cjk (Debian's; a browser is never downloaded), or point CHROMIUM_PATH at one`;

export async function launchBrowser(): Promise<Browser> {
  // Outside CI the browser tests are left out without Chromium (vitest.config.ts); in CI they
  // run and fail here, saying what to install, rather than pass by skipping.
  if (!existsSync(CHROMIUM)) throw new Error(GET_CHROMIUM);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-quic', '--disable-component-update', '--disable-sync'],
  });
  afterAll(() => browser.close());
  return browser;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The page's script errors and console errors, collected as they happen, for a test to expect
 * empty at the end. `expected` names console errors that are the page's own answer (a form
 * re-rendered with 400, a refused sign-in's 401), not a fault.
 */
export function collectErrors(page: Page, expected?: RegExp): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !(expected && expected.test(m.text())) && errors.push(m.text()));
  return errors;
}

/** A new 1280×800 page (`locale` if given) with its errors collected (`expected` as for collectErrors). */
export async function desktopPage(browser: Browser, expected?: RegExp, o: { locale?: string } = {}): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, ...o });
  return { page, errors: collectErrors(page, expected) };
}

/**
 * The login page at `url`: 用户名 and 密码, 登录, then waits for `landing` (the home page unless
 * told: the console for finance, the password page for an initial password).
 */
export async function signIn(page: Page, url: string, username: string, password: string, landing: string | RegExp = `${url}/`): Promise<void> {
  await page.goto(`${url}/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('button:has-text("登录")');
  await page.waitForURL(landing);
}

/** The menu's `item` pressed; waits for `path` (the page's address): the page's text. */
export async function menuPage(page: Page, item: string, path: RegExp): Promise<string> {
  await page.click(`nav >> text=${item}`);
  await page.waitForURL(path);
  return (await page.textContent('body'))!;
}

/** 修改密码 (the page an initial password is sent to): the current password, the new one twice, 修改. */
export async function changePassword(page: Page, current: string, next: string, confirm = next): Promise<void> {
  await page.fill('#current', current);
  await page.fill('#next', next);
  await page.fill('#confirm', confirm);
  await page.click('button:has-text("修改")');
}
