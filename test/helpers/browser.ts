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
