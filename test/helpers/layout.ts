// A walk through the platform at one screen size: each step checks that the document is no
// wider than the viewport and that no table cell is pushed past its right edge; every control
// the walk taps or fills is measured first, and on a phone must be at least 44×44 CSS px (the
// smallest comfortable thumb target). Problems are collected, so one run lists them all.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { screenshot } from './browser';

/** A phone's browser says so in its User-Agent: the platform sends it to the channels' mobile payment (H5, wap). */
export const IPHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, userAgent: IPHONE_UA } as const;
export const DESKTOP = { viewport: { width: 1366, height: 900 } } as const;
export const THUMB_PX = 44;

export interface Walk {
  context: BrowserContext;
  page: Page;
  phone: boolean;
  shots: string;
  problems: string[];
  steps: number;
}

export async function startWalk(browser: Browser, size: 'phone' | 'desktop', shots: string): Promise<Walk> {
  const context = await browser.newContext({ ...(size === 'phone' ? PHONE : DESKTOP), locale: 'zh-CN' });
  return { context, page: await context.newPage(), phone: size === 'phone', shots, problems: [], steps: 0 };
}

/** What overflows the viewport sideways on the page now: the document, or a cell cut at the right. */
export async function overflow(page: Page): Promise<string[]> {
  // A phone zooms out to show a page wider than itself, and then window.innerWidth grows with
  // it: so the page is measured against the screen's own width too.
  return page.evaluate((screenWidth) => {
    const width = Math.min(window.innerWidth, screenWidth);
    const found: string[] = [];
    const doc = document.documentElement.scrollWidth;
    if (doc > width) found.push(`document ${doc} px wide in a ${width} px viewport`);
    for (const cell of Array.from(document.querySelectorAll('td, th'))) {
      const r = cell.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 0.5) found.push(`cell "${(cell.textContent ?? '').trim().slice(0, 20)}" reaches ${Math.round(r.right)} px`);
    }
    // A table shown as stacked rows has no visible header, so each filled cell must name its column.
    for (const table of Array.from(document.querySelectorAll('table'))) {
      const head = table.tHead;
      if (!head || !Array.from(head.querySelectorAll('th')).some((th) => th.getBoundingClientRect().width === 0)) continue;
      for (const cell of Array.from(table.querySelectorAll('tbody td'))) {
        const shown = (cell as HTMLElement).offsetParent !== null && (cell.textContent ?? '').trim() !== '';
        if (shown && !cell.getAttribute('data-label') && !cell.hasAttribute('colspan')) found.push(`cell "${(cell.textContent ?? '').trim().slice(0, 20)}" has no column name`);
      }
    }
    return found;
  }, page.viewportSize()!.width);
}

/** One step of the walk: check the page's width, then a full-page screenshot. */
export async function step(w: Walk, name: string): Promise<void> {
  await w.page.waitForLoadState('load');
  w.steps += 1;
  const label = `${String(w.steps).padStart(2, '0')}-${name}`;
  for (const p of await overflow(w.page)) w.problems.push(`${label} (${w.page.url()}): ${p}`);
  await screenshot(w.page, `${w.shots}-${label}`);
}

async function measured(w: Walk, target: Locator, what: string): Promise<Locator> {
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  if (!box) w.problems.push(`${what}: not visible`);
  else if (w.phone && (box.width < THUMB_PX - 0.5 || box.height < THUMB_PX - 0.5)) {
    w.problems.push(`${what}: ${Math.round(box.width)}×${Math.round(box.height)} px on ${w.page.url()}`);
  }
  return target;
}

/** Taps (phone) or clicks (desktop) a control, having measured it. */
export async function tap(w: Walk, target: Locator, what: string): Promise<void> {
  const t = await measured(w, target, what);
  if (w.phone) await t.tap();
  else await t.click();
}

export async function fill(w: Walk, target: Locator, value: string, what: string): Promise<void> {
  await tap(w, target, what);
  await target.fill(value);
}

/** Ticks or unticks a checkbox or radio by tapping it, as a thumb would. */
export async function setChecked(w: Walk, target: Locator, checked: boolean, what: string): Promise<void> {
  if ((await target.isChecked()) !== checked) await tap(w, target, what);
  if ((await target.isChecked()) !== checked) w.problems.push(`${what}: tapping did not ${checked ? 'tick' : 'untick'} it`);
}

/** A page of the main menu: on a phone the menu is folded behind its 菜单 button first. */
export async function menu(w: Walk, label: string): Promise<void> {
  const link = w.page.locator('nav.tabs :is(a, button)', { hasText: label });
  if (!(await link.isVisible())) await tap(w, w.page.locator('nav.tabs .menu-toggle'), '菜单');
  await tap(w, link, `菜单 ${label}`);
}
