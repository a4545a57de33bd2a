// Issue 17's "Done when" walk, in a real browser at 1366×900 and at 390×844 (an iPhone): a person
// outside the school registers at 新用户注册 (the SMS code read where the demo's sandbox sender
// delivers it, sms_sandbox_inbox), signs in, opens 报名信息 and signs up for the demo's
// 普通话水平测试 (工作单位 filled), sees 待缴费, presses 去缴费 — which opens 其他费用's 缴费信息修改
// with the bill ticked — and pays it through the wizard and 微信支付 in the sandbox (its QR at the
// desk, H5 on the phone) to 支付成功; then reads 已报名 under 我的报名, its printable 报名确认单,
// and, once the sandbox's fiscal e-bill platform has issued it (the e-bill job runs after the
// credit), its 电子票据 under 交易查询 → 已缴费信息 → 票据查询. Every step is checked for sideways
// scrolling and, on the phone, every control tapped for its 44 px (test/helpers/layout.ts).
// Screenshots: outsider-<size>-NN-*.png.
import { afterAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../src/domain/id-number';
import { collectErrors, launchBrowser } from '../helpers/browser';
import { fill, menu, startWalk, step, tap } from '../helpers/layout';
import { testDatabase } from '../helpers/test-db';
import { walkPaysByWechat } from '../helpers/paid-pages';
import { payEnv, smsCode as sentCode, until } from '../helpers/world';

const db = await testDatabase({ demo: true });
const knex = db.knex;
const env = await payEnv(db, { SANDBOX: '1' });
const browser = await launchBrowser();
afterAll(() => browser.close());
const PW = 'Outside#2026';

const smsCode = (mobile: string) => sentCode(knex, 'sms_sandbox_inbox', mobile);

describe('an outsider registers, signs up for 普通话水平测试, pays it and gets 已报名 and its e-bill', () => {
  for (const [size, seq] of [['desktop', 1], ['phone', 2]] as const) {
    it(`${size}`, async () => {
      const first17 = `62010219900${seq}12${String(400 + seq)}`;
      const idNumber = first17 + idCheckChar(first17);
      const mobile = `1390000000${seq}`;
      const name = seq === 1 ? '钱七' : '孙八';
      const w = await startWalk(browser, size, `outsider-${size}`);
      const { page } = w;
      // A 400 is a form shown again with its message, not a fault (none is expected here).
      const errors = collectErrors(page, /status of 400/);

      // —— 新用户注册 ——
      await page.goto(`${env.appUrl}/login`);
      await tap(w, page.locator('a:has-text("新用户注册")'), '新用户注册');
      await page.waitForURL(/\/register$/);
      await fill(w, page.locator('#name'), name, '姓名');
      await fill(w, page.locator('#idNumber'), idNumber, '身份证号');
      await fill(w, page.locator('#mobile'), mobile, '手机号');
      await page.waitForSelector('img.captcha');
      const sid = decodeURIComponent((await w.context.cookies()).find((c) => c.name === 'cupp.sid')!.value);
      const captcha = await knex('captchas').where({ session_id: sid.slice(2, sid.lastIndexOf('.')) }).first('answer');
      await fill(w, page.locator('#captcha'), captcha.answer, '验证码');
      await step(w, 'register');
      await tap(w, page.locator('button:has-text("获取验证码")'), '获取验证码');
      await page.waitForURL(/\/register\/verify$/);
      await fill(w, page.locator('#code'), await smsCode(mobile), '短信验证码');
      await fill(w, page.locator('#password'), PW, '密码');
      await fill(w, page.locator('#confirm'), PW, '确认密码');
      await step(w, 'register-verify');
      await tap(w, page.locator('button:has-text("注册")'), '注册');
      await page.waitForURL(/\/login\?registered=1$/);
      expect(await page.inputValue('#username')).toBe(idNumber);

      // —— 登录 ——
      await fill(w, page.locator('#password'), PW, '登录密码');
      await tap(w, page.locator('button:has-text("登录")'), '登录');
      await page.waitForURL(`${env.appUrl}/`);
      const personId = (await knex('people').where({ id_number: idNumber }).first('id')).id as number;

      // —— 报名信息: 报名 ——
      await menu(w, '报名信息');
      await page.waitForURL(/\/enrolment$/);
      const open = page.locator('table.enrolment-open tr', { hasText: '普通话水平测试' });
      expect(await open.textContent()).toContain('50.00');
      await step(w, 'enrolment');
      await tap(w, open.locator('a:has-text("我要报名")'), '我要报名');
      await page.waitForURL(/\/enrolment\/projects\/\d+$/);
      await fill(w, page.locator('#f1'), '兰州市第二中学', '工作单位');
      await step(w, 'signup');
      await tap(w, page.locator('button:has-text("确认报名")'), '确认报名');
      await page.waitForURL(/\/enrolment\/signups\/\d+\?done=signed$/);
      const signupId = /\/enrolment\/signups\/(\d+)/.exec(page.url())![1]!;
      for (const s of ['待缴费', '兰州市第二中学', '50.00']) expect(await page.textContent('main, body')).toContain(s);
      await step(w, 'signed');

      // —— 去缴费: straight into 缴费信息修改 with the sign-up's bill ticked ——
      await tap(w, page.locator('a:has-text("去缴费")'), '去缴费');
      await page.waitForURL(/\/pay\/items\?fee=other&/);
      expect(await page.textContent('.crumbs')).toContain('其他费用 >> 缴费信息修改');
      const billId = (await knex('enrolment_signups').where({ id: signupId }).first('bill_id')).bill_id as number;
      expect(await page.locator(`input[name=bill][value="${billId}"]`).isChecked()).toBe(true);
      expect(await page.textContent('#pay-total')).toBe('50.00');
      const orderNo = await walkPaysByWechat(w, knex, '50.00', { closePhone: true });
      await step(w, 'result');

      // —— 我的报名: 已报名 and its 报名确认单 ——
      await menu(w, '报名信息');
      await page.waitForURL(/\/enrolment$/);
      const mine = page.locator('table.enrolment-mine tr', { hasText: '普通话水平测试' });
      expect(await mine.locator('td[data-label="状态"]').textContent()).toBe('已报名');
      // 可报名项目 no longer offers 我要报名 for it (a second sign-up is refused), but the one made.
      const offered = page.locator('table.enrolment-open tr', { hasText: '普通话水平测试' });
      expect(await offered.locator('a:has-text("我要报名")').count()).toBe(0);
      expect(await offered.locator('a:has-text("已报名")').getAttribute('href')).toBe(`/enrolment/signups/${signupId}`);
      await step(w, 'enrolled');
      await tap(w, mine.locator('a:has-text("报名确认单")'), '报名确认单');
      await page.waitForURL(/\/enrolment\/signups\/\d+\/confirmation$/);
      const conf = (await page.textContent('body'))!;
      for (const s of ['报名确认单', '普通话水平测试', name, '兰州市第二中学', '已报名']) expect(conf).toContain(s);
      await step(w, 'confirmation');

      // —— 电子票据, issued by the sandbox's fiscal platform after the credit ——
      const receipt = await knex('receipts as r').join('orders as o', 'o.id', 'r.order_id').where('o.order_no', orderNo).first('r.id', 'r.receipt_no');
      await until(async () => (await knex('receipts').where({ id: receipt.id }).first('ebill_status')).ebill_status === '已生成', 30_000, 100);
      await menu(w, '交易查询');
      await tap(w, page.locator('.subnav a:has-text("已缴费信息")'), '已缴费信息');
      await page.waitForURL(/\/transactions\/receipts$/);
      // 费用类型 opens on the first type the person has paid (receipts/service.ts): for an
      // outsider, whose sign-up fee is 其他费用, that one rather than an empty 学费交费.
      expect(await page.inputValue('select[name=type]')).toBe('other');
      const row = page.locator('tr', { hasText: receipt.receipt_no });
      expect(await row.textContent()).toContain('已生成');
      await step(w, 'receipts');
      await tap(w, row.locator('a:has-text("票据查询")'), '票据查询');
      await page.waitForURL(/\/ebill$/);
      const ebill = (await page.textContent('body'))!;
      for (const s of ['电子票据查询', '共：1张', '行政事业单位资金往来结算票据（电子）', '伍拾元整', name]) expect(ebill).toContain(s);
      await step(w, 'ebill');
      expect(await knex('ebills').where({ receipt_id: receipt.id }).count<{ n: string }[]>({ n: '*' }).then((r) => r[0]!.n)).toBe('1');
      expect((await knex('enrolment_signups').where({ id: signupId }).first('person_id')).person_id).toBe(personId);

      expect(w.problems).toEqual([]);
      expect(errors).toEqual([]);
      await w.context.close();
    }, 150_000);
  }
});
