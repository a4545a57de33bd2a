// Every page a student (or a visitor before signing in) can open, on a 390×844 phone and on a
// 768 px tablet (the widest screen public/css/narrow.css serves): none is wider than the screen,
// no table cell is cut off or loses its column's name, and every link, button and field on it is
// at least 44×44 px — not only the ones the walk in student-walk-layout.test.ts happens to use.
// Screenshots: test-results/screenshots/narrow-*.png (phone) and tablet-*.png.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { issuePendingEbills } from '../../src/modules/ebills/issuing';
import { numberingEbillPlatform } from '../factories-ebills';
import { collectErrors, screenshot, signIn } from '../helpers/browser';
import { appInBrowser } from '../helpers/browser-world';
import { overflow, PHONE, THUMB_PX } from '../helpers/layout';
import { setPassword, PASSWORD } from '../helpers/world';
import { counterPayment, paidOrder, unpaidOrder } from '../factories-payments';

const { db, url, browser } = await appInBrowser();
const k = db.knex;

const platform = numberingEbillPlatform();

/** Every visible control smaller than a thumb, by its text. */
async function smallControls(page: Page): Promise<string[]> {
  return page.evaluate((min) => {
    const small: string[] = [];
    const controls = document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, label[for]');
    for (const el of Array.from(controls)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not shown (folded menu, hidden state)
      const input = el as HTMLInputElement;
      // The menu's checkbox is hidden behind its 菜单 label, which is the target.
      if (input.classList.contains('menu-state')) continue;
      // A label's own checkbox is measured on its own.
      if (el.tagName === 'LABEL' && !el.classList.contains('menu-toggle')) continue;
      if (r.width < min - 0.5 || r.height < min - 0.5) {
        small.push(`${el.tagName.toLowerCase()} "${(el.textContent || input.value || input.name || el.getAttribute('aria-label') || '').trim().slice(0, 16)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return small;
  }, THUMB_PX);
}

/** 张三 with a counter payment, an order still 支付中, two paid orders and the fiscal one's e-bill. */
async function zhangSansRecords() {
  await setPassword(k, DEMO.student.number);
  const zs = await k('people').where({ number: DEMO.student.number }).first('id');
  const bills = await k('bills as b').join('fee_items as i', 'i.id', 'b.fee_item_id').where('b.person_id', zs.id).select('b.id', 'b.period_id', 'i.name');
  const bill = (name: string) => bills.find((b) => b.name === name)!;
  await counterPayment(k, { personId: zs.id, lines: [{ billId: bill('学费').id, amount: '3000.00' }], date: '2019-09-05' });
  const open = await unpaidOrder(k, { personId: zs.id, status: 'paying', channel: 'icbc', lines: [{ billId: bill('住宿费').id, amount: '1100.00' }] });
  const paid = await paidOrder(k, { personId: zs.id, channel: 'nontax', lines: [{ billId: bill('学费').id, amount: '4999.99' }] });
  await paidOrder(k, { personId: zs.id, channel: 'wechat', category: '代收', lines: [{ billId: bill('医疗保险').id, amount: '200.00' }] });
  await issuePendingEbills({ knex: k, client: platform, schoolName: '兰州理工大学', publicUrl: url });
  const ebill = await k('ebills').where({ receipt_id: paid.receiptId }).first('bill_code', 'bill_no', 'check_code');
  const period = bill('学费').period_id as number;
  return { open, paid, ebill, period };
}

const records = await zhangSansRecords();

const SCREENS = [
  { name: 'phone', size: PHONE, shots: 'narrow' },
  // The largest screen narrow.css is for (an iPad upright); above it the desktop layout fits.
  { name: 'tablet', size: { viewport: { width: 768, height: 1024 }, isMobile: true, hasTouch: true }, shots: 'tablet' },
] as const;

describe('every student page on a 390 px phone and a 768 px tablet', () => {
  for (const screen of SCREENS) {
    it(`${screen.name}: fits the screen, keeps every column reachable, and has thumb-sized controls`, async () => {
      const { open, paid, ebill, period } = records;
      const context = await browser.newContext({ ...screen.size, locale: 'zh-CN' });
      const page = await context.newPage();
      const errors = collectErrors(page);
      const problems: string[] = [];
      const look = async (path: string, name: string) => {
        const res = await page.goto(`${url}${path}`);
        expect(res?.status(), path).toBeLessThan(400);
        for (const p of [...(await overflow(page)), ...(await smallControls(page))]) problems.push(`${path}: ${p}`);
        await screenshot(page, `${screen.shots}-${name}`);
      };

      await look('/login', 'login');
      await look('/recover', 'recover');
      await look(`/ebills/verify?code=${ebill.bill_code}&no=${ebill.bill_no}&check=${ebill.check_code}`, 'ebill-verify');

      await signIn(page, url, DEMO.student.number, PASSWORD);

      await look('/', 'home');
      // The menu unfolded.
      await page.tap('nav.tabs .menu-toggle');
      for (const p of [...(await overflow(page)), ...(await smallControls(page))]) problems.push(`menu: ${p}`);
      expect(await page.locator('nav.tabs a', { hasText: '个人信息' }).isVisible()).toBe(true);
      await screenshot(page, `${screen.shots}-menu`);

      await look('/fees', 'fees');
      await look('/fees?expired=1', 'fees-expired');
      await look('/pay', 'pay-with-open-order');
      await look(`/pay/items?category=${encodeURIComponent('财政')}&period=${period}`, 'pay-items-fiscal');
      await look(`/pay/items?category=${encodeURIComponent('代收')}&period=${period}`, 'pay-items-collected');
      await look(`/pay/orders/${open.orderNo}`, 'pay-confirm');
      await look(`/pay/orders/${open.orderNo}?edit=mobile`, 'pay-confirm-mobile');
      await look(`/pay/orders/${open.orderNo}/result`, 'pay-result-unpaid');
      await look(`/pay/orders/${paid.orderNo}/result`, 'pay-result-paid');
      for (const p of ['other-fees', 'life', 'enrolment']) await look(`/${p}`, p);
      await look('/transactions/bank', 'bank');
      await look(`/transactions/orders/${paid.orderNo}`, 'bank-detail');
      await look('/transactions/receipts', 'receipts');
      await look(`/transactions/receipts/${paid.receiptNo}`, 'receipt-detail');
      await look(`/transactions/receipts/${paid.receiptNo}/ebill`, 'ebill');
      await look(`/transactions/ebills/${ebill.bill_code}/${ebill.bill_no}`, 'ebill-one');
      for (const p of ['profile', 'profile/edit', 'profile/password', 'profile/security', 'profile/bank']) await look(`/${p}`, p.replace('/', '-'));

      expect(problems).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    }, 300_000);
  }
});
