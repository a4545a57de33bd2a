// What every freshman does first, twenty of them at once in a real browser: sign in with the
// initial password, change it as forced, 学费缴费, tick the period, 财政项目缴费, 下一步. Each must
// land on 交费信息显示, never be sent back to 应交款明细表: every step's redirect depends on the
// session the step before wrote (src/http/session.ts, src/http/session-store.ts). Five browsers
// run at a time to keep the server busy; most at desktop size, every fourth at a phone's 390×844.
import { describe, expect, it } from 'vitest';
import { initialPassword } from '../../src/domain/password-policy';
import { launchBrowser, screenshot, collectErrors } from '../helpers/browser';
import { listen, testApp } from '../helpers/app';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const FRESHMEN = 20;
const AT_ONCE = 5;
const NEW_PASSWORD = 'Lanzhou#Pay!xyz9';
const DOM = { waitUntil: 'domcontentloaded' } as const;

const db = await testDatabase();
const { url } = await listen(testApp(db));
const browser = await launchBrowser();
const tuition = await f.feeItem(db.knex, { category: '财政', name: '学费' });
const lodging = await f.feeItem(db.knex, { category: '财政', name: '住宿费' });
const period = await f.period(db.knex, '2026年度');

/** A freshman on the initial password (none chosen yet) with 学费 and 住宿费 to pay. */
async function freshman(i: number) {
  // Distinct ID numbers: the initial password is their last eight characters.
  const p = await f.person(db.knex, { name: `新生${i + 1}`, idNumber: f.idNumber(7000 + i) });
  await f.bill(db.knex, { personId: p.personId, periodId: period.id, feeItemId: tuition.id, due: '5000.00' });
  await f.bill(db.knex, { personId: p.personId, periodId: period.id, feeItemId: lodging.id, due: '1200.00' });
  return p;
}

type Walk = { i: number; phone: boolean; reached: string; review: string; errors: string[]; trail: string[] };

async function walk(i: number, p: Awaited<ReturnType<typeof freshman>>): Promise<Walk> {
  const phone = i % 4 === 3;
  const context = await browser.newContext(
    phone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : { viewport: { width: 1280, height: 800 } },
  );
  // Twenty walks share two cores with everything else here: each step waits for its page as long
  // as it takes (the answers, not the time, are what is checked), and for its document rather than
  // every stylesheet, which is all a person needs to press the next button.
  context.setDefaultTimeout(120_000);
  const page = await context.newPage();
  const errors = collectErrors(page);
  // The pages' answers in order (not the stylesheets): what a walk sent back went through.
  const trail: string[] = [];
  page.on('response', (r) => {
    const path = r.url().replace(url, '');
    if (!path.startsWith('/public/')) trail.push(`${r.request().method()} ${path.split('?')[0]} ${r.status()}`);
  });
  try {
    await page.goto(`${url}/login`, DOM);
    await page.fill('#username', p.number);
    await page.fill('#password', initialPassword(p.idNumber));
    await page.click('button:has-text("登录")');
    await page.waitForURL(/\/profile\/password$/, DOM);
    await page.fill('#current', initialPassword(p.idNumber));
    await page.fill('#next', NEW_PASSWORD);
    await page.fill('#confirm', NEW_PASSWORD);
    await page.click('button:has-text("修改")');
    await page.waitForURL(`${url}/?changed=1`, DOM);

    // On the phone the menu is folded behind 菜单.
    if (phone) await page.click('nav .menu-toggle');
    await page.click('nav >> text=学费缴费');
    await page.waitForURL(/\/pay$/, DOM);
    await page.check('input[name=period]');
    await page.click('button:has-text("财政项目缴费")');
    await page.waitForURL(/\/pay\/items\?/, DOM);
    await page.click('button:has-text("下一步")');
    // Either 交费信息显示, or back on 应交款明细表 (/pay) — the defect this test is about.
    await page.waitForURL(/\/pay(\/review)?$/, DOM);
    const reached = new URL(page.url()).pathname;
    const review = (await page.textContent('body'))!.replace(/\s+/g, '');
    if (i === 0 || i === 3) {
      await page.waitForLoadState('load');
      await screenshot(page, `freshman-${String(i + 1).padStart(2, '0')}-${phone ? 'phone' : 'desktop'}-review`);
    }
    return { i, phone, reached, review, errors, trail };
  } finally {
    await context.close();
  }
}

describe('twenty freshmen, five at a time, on their first morning', () => {
  it('each signs in with the initial password, changes it, chooses 财政项目缴费 and 下一步 reaches 交费信息显示', async () => {
    const people = [];
    for (let i = 0; i < FRESHMEN; i++) people.push(await freshman(i));
    const walks: Walk[] = [];
    for (let start = 0; start < FRESHMEN; start += AT_ONCE) {
      walks.push(...(await Promise.all(people.slice(start, start + AT_ONCE).map((p, k) => walk(start + k, p)))));
    }

    const sentBack = walks.filter((w) => w.reached !== '/pay/review').map((w) => `新生${w.i + 1}: ${w.trail.join(' → ')}`);
    expect(sentBack, 'sent back to 应交款明细表').toEqual([]);
    for (const w of walks) {
      expect(w.review, `新生${w.i + 1}`).toContain('交费信息显示');
      expect(w.review, `新生${w.i + 1}`).toContain('共计交费：6,200.00元');
      expect(w.errors, `新生${w.i + 1}`).toEqual([]);
    }
    expect(walks.filter((w) => w.phone).length).toBe(5);
    // Every one of them changed the initial password on the way.
    const still = await db.knex('accounts').whereIn('person_id', people.map((p) => p.personId)).where({ must_change_password: true }).count<{ count: string }[]>('* as count');
    expect(Number(still[0]!.count)).toBe(0);
  }, 900_000);
});
