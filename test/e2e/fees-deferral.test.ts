// 当前费用 of a student with 缓缴 on 学费, on a desktop (1366×900) and a 390×844 phone: the bill
// says 缓缴 with the amount and the date expected, the page fits the screen, and 学费缴费 offers
// only the part not deferred. Screenshots: test-results/screenshots/deferral-*.png.
import type { BrowserContextOptions } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { businessDate } from '../../src/domain/business-date';
import { Decimal } from '../../src/domain/money';
import { collectErrors, screenshot, signIn } from '../helpers/browser';
import { appInBrowser } from '../helpers/browser-world';
import { DESKTOP, overflow, PHONE } from '../helpers/layout';
import { setPassword, PASSWORD } from '../helpers/world';

const { db, url, browser } = await appInBrowser();
const k = db.knex;
const expected = businessDate(new Date(Date.now() + 40 * 24 * 3600_000));

await setPassword(k, DEMO.student.number);
const zs = await k('people').where({ number: DEMO.student.number }).first('id');
const tuition = await k('bills as b').join('fee_items as i', 'i.id', 'b.fee_item_id').where({ 'b.person_id': zs.id, 'i.name': '学费' }).first('b.id', 'b.due', 'b.period_id');
const finance = await k('accounts as a').join('people as p', 'p.id', 'a.person_id').where('p.number', DEMO.finance.number).first('a.id');
await k('deferrals').insert({
  bill_id: tuition.id, person_id: zs.id, kind: 'national', amount: '3000.00', expected_on: expected, status: 'approved', reason: '国家助学贷款办理中',
  requested_by: finance.id, decided_by: finance.id, decided_at: k.fn.now(),
});

/** A fresh context at `size` (zh-CN), its page with errors collected, signed in as `number`, landing at `landing`. */
async function signedInAt(size: BrowserContextOptions, number: string, landing?: string) {
  const context = await browser.newContext({ ...size, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await signIn(page, url, number, PASSWORD, landing);
  return { context, page, errors };
}

describe('当前费用 shows 缓缴', () => {
  for (const [name, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    it(`${name}: the amount and date on the bill, the page within the screen, only the rest offered`, async () => {
      const { context, page, errors } = await signedInAt(size, DEMO.student.number);
      await page.goto(`${url}/fees`);
      const note = page.locator('span.deferral');
      await expect.poll(() => note.count()).toBe(1);
      expect((await note.innerText()).replace(/\s+/g, ' ')).toBe(`缓缴 ¥ 3,000.00（国家助学贷款，预计 ${expected} 到账）`);
      expect(await overflow(page)).toEqual([]);
      await screenshot(page, `deferral-fees-${name}`);
      await page.goto(`${url}/pay/items?category=${encodeURIComponent('财政')}&period=${tuition.period_id}`);
      const box = page.locator(`#amount_${tuition.id}`);
      const owed = (await k('bills').where({ id: tuition.id }).first(k.raw('due - reduction - paid + refunded AS owed'))).owed as string;
      expect(await box.inputValue()).toBe(new Decimal(owed).minus('3000.00').toFixed(2));
      await screenshot(page, `deferral-pay-items-${name}`);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('finance: the person page lists the deferral and offers 办理缓缴 and 手工登记贷款到账', async () => {
    await setPassword(k, DEMO.finance.number);
    const { context, page, errors } = await signedInAt(DESKTOP, DEMO.finance.number, `${url}/console`);
    await page.goto(`${url}/console/people/${zs.id}#deferrals`);
    expect(await page.locator('#deferrals tbody tr').first().innerText()).toContain('国家助学贷款');
    expect(await page.locator('#deferral-form').isVisible()).toBe(true);
    expect(await page.locator('#loan-form').isVisible()).toBe(true);
    await page.locator('#deferrals').scrollIntoViewIfNeeded();
    await screenshot(page, 'deferral-console-person');
    expect(errors).toEqual([]);
    await context.close();
  });
});
