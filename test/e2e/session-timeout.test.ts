// In a real browser, at desktop and phone size: the session times out on 交费信息显示, 下一步 lands
// on the login page with 登录已超时 and the step explained (no order built), signing in leads back
// to 应交款明细表; and 退出登录 shows 您已退出登录. The browser's own Origin / Sec-Fetch-Site is
// what tells the timed-out form from a cross-site one here.
import { describe, expect, it } from 'vitest';
import { listen, testApp } from '../helpers/app';
import { collectErrors, launchBrowser, screenshot } from '../helpers/browser';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const PASSWORD = 'Abc12345!x';
const db = await testDatabase();
const k = db.knex;
const { url } = await listen(testApp(db));
const browser = await launchBrowser();
const squash = (s: string | null) => (s ?? '').replace(/\s+/g, '');

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 }, isMobile: false },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true },
] as const;

describe('a session timeout in the 缴费 wizard, in the browser', () => {
  for (const size of SIZES) {
    it(`${size.name}: 下一步 after the timeout → 登录已超时 with the step explained → sign in → 应交款明细表; 退出登录 → 您已退出登录`, { timeout: 120_000 }, async () => {
      const p = await f.person(k, { password: PASSWORD });
      const period = await f.period(k, `2019年度（${size.name}）`);
      const item = await f.feeItem(k, { category: '代收', name: `医疗保险（${size.name}）` });
      await f.bill(k, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '250.00' });
      const context = await browser.newContext({ viewport: size.viewport, isMobile: size.isMobile, hasTouch: size.isMobile });
      const page = await context.newPage();
      page.setDefaultTimeout(120_000);
      const errors = collectErrors(page);
      const shot = (step: string) => screenshot(page, `session-timeout-${size.name}-${step}`);

      const signIn = async () => {
        await page.fill('#username', p.number);
        await page.fill('#password', PASSWORD);
        await page.click('button:has-text("登录")');
      };
      await page.goto(`${url}/login`);
      await signIn();
      await page.waitForURL(`${url}/`);
      await page.goto(`${url}/pay`);
      await page.check('input[name=period]');
      await page.click('button:has-text("代收项目缴费")');
      await page.waitForURL(/\/pay\/items/);
      await page.click('button:has-text("下一步")');
      await page.waitForURL(/\/pay\/review$/);
      await shot('1-review');

      // The idle limit passes while the page is open.
      await k('sessions').whereRaw(`(sess::jsonb->>'accountId')::int = ?`, [p.accountId]).update({ expire: k.raw(`now() - interval '1 minute'`) });
      await page.click('button:has-text("下一步")');
      await page.waitForURL(/\/login\?timeout=1&step=review&next=%2Fpay$/);
      const login = squash(await page.textContent('body'));
      expect(login).toContain('登录已超时，请重新登录');
      expect(login).toContain(squash('您在“交费信息显示”点击的“下一步”未能提交：没有生成缴费单，也没有扣款。请登录后重新选择缴费项目。'));
      expect(login).not.toContain('请求来源无效');
      await shot('2-timed-out');
      expect(await k('orders').where({ person_id: p.personId }).count<{ n: string }[]>('* as n')).toEqual([{ n: '0' }]);

      await signIn();
      await page.waitForURL(`${url}/pay`);
      expect(squash(await page.textContent('body'))).toContain('医疗保险');
      await shot('3-back-at-pay');

      // On the phone the menu, 退出登录 with it, is folded behind 菜单.
      if (size.isMobile) await page.click('nav .menu-toggle');
      await page.click('button:has-text("退出登录")');
      await page.waitForURL(`${url}/login?out=1`);
      expect(squash(await page.textContent('body'))).toContain('您已退出登录');
      await shot('4-signed-out');
      // Back to the wizard after 退出登录 is a first visit, not a timeout.
      await page.goto(`${url}/pay`);
      await page.waitForURL(/\/login\?next=%2Fpay$/);
      expect(squash(await page.textContent('body'))).not.toContain('登录已超时');
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
