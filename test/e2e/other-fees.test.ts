// 其他费用 in a real browser, at 1366×900 and at 390×844: 王五 (the demo's external payer) opens
// the tab, chooses the optional 论文集 (选缴), ticks 2020年度 and pays it with his 会议注册费 through
// the same wizard as 学费缴费 and 微信支付 in the sandbox, to 支付成功; a student whose 其他费用
// window has not begun, or has ended, is told so and offered no way to pay it. Each step is checked for sideways
// scrolling, and on the phone every control tapped for its 44 px. Screenshots: other-fees-*.png.
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { collectErrors, launchBrowser, screenshot, signIn } from '../helpers/browser';
import { menu, overflow, setChecked, startWalk, step, tap } from '../helpers/layout';
import { testDatabase } from '../helpers/test-db';
import { walkPaysByWechat } from '../helpers/paid-pages';
import { PASSWORD, payEnv, setPassword } from '../helpers/world';
import * as f from '../factories';

const db = await testDatabase({ demo: true });
const knex = db.knex;
const env = await payEnv(db, { SANDBOX: '1' });
const browser = await launchBrowser();
afterAll(() => browser.close());

const conference = (await knex('fee_items').where({ name: '2026年学术会议注册费' }).first('id')).id as number;
const period2020 = (await knex('fee_periods').where({ name: '2020年度' }).first('id')).id as number;

/** 王五 on the desktop; on the phone another outside payer with the same 会议注册费 bill. */
async function payerFor(size: 'desktop' | 'phone') {
  if (size === 'desktop') {
    await setPassword(knex, DEMO.external.number);
    return DEMO.external.idNumber;
  }
  const p = await f.person(knex, { kind: 'external', role: 'external', password: PASSWORD });
  await f.bill(knex, { personId: p.personId, periodId: period2020, feeItemId: conference, due: '300.00' });
  return p.number;
}

/**
 * `number` signed in at `size` opens 其他费用: it says why the item of `periodId` cannot be paid
 * (`says` reads the page), offers no box for its period, and 缴费信息修改 asked for by hand refuses it.
 */
async function refusedAt(size: 'desktop' | 'phone', shots: string, number: string, periodId: number, says: (body: string) => void) {
  const w = await startWalk(browser, size, shots);
  const { page } = w;
  await signIn(page, env.appUrl, number, PASSWORD);
  await page.goto(`${env.appUrl}/other-fees`);
  says((await page.textContent('body'))!);
  expect(await page.locator(`input[name=period][value="${periodId}"]`).count()).toBe(0);
  await step(w, 'list');
  // Asking for it by hand (the period in the address) is refused too.
  await page.goto(`${env.appUrl}/pay/items?fee=other&category=${encodeURIComponent('代收')}&period=${periodId}`);
  expect(await page.textContent('body')).toContain('所选收费区间没有需要缴纳的代收项目');
  expect(await overflow(page)).toEqual([]);
  await screenshot(page, `${shots}-refused`);
  return w;
}

describe('其他费用 in the browser', () => {
  for (const size of ['desktop', 'phone'] as const) {
    it(`${size}: an outside payer chooses 选缴, pays 其他费用 through 微信支付 to 支付成功`, async () => {
      const username = await payerFor(size);
      const w = await startWalk(browser, size, `other-fees-${size}`);
      const { page } = w;
      const errors = collectErrors(page);
      await page.goto(`${env.appUrl}/login`);
      await page.fill('#username', username);
      await page.fill('#password', PASSWORD);
      await tap(w, page.locator('button:has-text("登录")'), '登录');
      await page.waitForURL(`${env.appUrl}/`);

      await menu(w, '其他费用');
      await page.waitForURL(/\/other-fees$/);
      const list = (await page.textContent('main, body'))!;
      for (const label of ['收费起始', '收费终止', '收费状态', '项目类别', '2026年学术会议注册费', '2026-09-01', '2027-06-30', '可缴费', '选缴项目', '2026年学术会议论文集（选缴）']) expect(list).toContain(label);
      await step(w, '1-list');

      await setChecked(w, page.locator('form.pay-optional input[name=item]'), true, '选缴 checkbox');
      await tap(w, page.locator('button:has-text("选缴所选项目")'), '选缴所选项目');
      await page.waitForURL(/\/other-fees\?chosen=1$/);
      expect(await page.textContent('body')).toContain('已为您生成1个选缴项目的账单');
      expect(await page.locator('form.pay-optional').count()).toBe(0);
      await step(w, '2-chosen');

      await setChecked(w, page.locator('input[name=period]'), true, '2020年度');
      await tap(w, page.locator('button:has-text("代收项目缴费")'), '代收项目缴费');
      await page.waitForURL(/\/pay\/items\?fee=other/);
      expect(await page.textContent('.crumbs')).toContain('其他费用 >> 缴费信息修改');
      // 下一步 twice, 微信支付 (its QR at the desk, H5 on the phone) to 支付成功.
      await walkPaysByWechat(w, knex, '380.00', { shown: '380.00', first: 3 });
      expect(await page.textContent('.crumbs')).toContain('其他费用 >> 银行支付结果');
      await step(w, '7-result');

      await menu(w, '其他费用');
      await page.waitForURL(/\/other-fees$/);
      const after = (await page.textContent('body'))!;
      expect(after).toContain('已完成');
      expect(after).toContain('您目前没有可以缴纳的其他费用');
      await step(w, '8-paid');

      expect(w.problems).toEqual([]);
      expect(errors).toEqual([]);
      await w.context.close();
    }, 120_000);
  }

  it('a student cannot pay a 其他费用 item before its window: told when it starts, no box to tick, and the wizard refuses it', async () => {
    // A 代收 其他费用 item opening in two days, billed alone in a period of its own.
    const student = await f.person(knex, { password: PASSWORD });
    const period = await f.period(knex);
    const name = `2027年计算机等级考试报名费${student.personId}`;
    const at = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    const item = await f.feeItem(knex, { name, feeType: '其他费用', category: '代收', startsAt: at(2), endsAt: at(30) });
    await f.bill(knex, { personId: student.personId, periodId: period.id, feeItemId: item.id, due: '60.00' });
    for (const size of ['desktop', 'phone'] as const) {
      const w = await refusedAt(size, `other-fees-early-${size}`, student.number, period.id,
        (body) => expect(body).toMatch(new RegExp(`“${name}”尚未开始收费（收费起始 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d）`)));
      // Refused by hand, it builds nothing.
      expect(await knex('orders').where({ person_id: student.personId }).first('id')).toBeUndefined();
      expect(w.problems).toEqual([]);
      await w.context.close();
    }
  }, 60_000);

  it('a student cannot pay a 其他费用 item after its window: told why, no box to tick, and the wizard refuses it', async () => {
    const row = await knex('bills as b').join('fee_items as i', 'i.id', 'b.fee_item_id').join('people as p', 'p.id', 'b.person_id')
      .where('i.name', '2020年英语等级考试报名费')
      // one with nothing else payable in 2020年度, so the period has no box at all
      .whereNotExists(knex('bills as o').whereRaw('o.person_id = b.person_id AND o.period_id = b.period_id AND o.id <> b.id').select(knex.raw('1')))
      .first('p.number', 'b.id', 'b.period_id');
    await setPassword(knex, row.number);
    for (const size of ['desktop', 'phone'] as const) {
      const w = await refusedAt(size, `other-fees-ended-${size}`, row.number, row.period_id,
        (body) => expect(body).toContain('“2020年英语等级考试报名费”已过收费终止时间（2020-03-31 23:59）'));
      expect(w.problems).toEqual([]);
      await w.context.close();
    }
  }, 60_000);
});
