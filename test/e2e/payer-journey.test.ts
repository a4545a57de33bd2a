// 授权缴费人 in a real browser, at 1366×900 and at 390×844 (an iPhone): 张三 invites his mother from
// 个人信息 → 授权缴费人 and sees 待接受; in a browser of her own she follows the login page's
// 授权缴费人注册, types the invited mobile and the image's 验证码 (its answer read from captchas by
// the session, as test/e2e/register.test.ts does), the SMS code (read from sms_outbox, where the
// phone would receive it), her name and a password, and signs in with the mobile; she sees whom
// she pays for, and pays 张三's 住宿费 alone through 财政项目缴费, 非税支付 and the sandbox's cashier to
// 支付成功. 张三 then finds the order under 银行交易记录 with 缴费人：李梅（母亲）, its e-bill made out to
// him, and the order under 缴费人代缴记录; he presses 撤销授权, and her next 当前费用 lands on 选择学生
// with 该学生的缴费授权已撤销或已停用 — /fees and /pay no longer show his bills. Every step is checked
// for sideways scrolling and, on the phone, every control tapped for its 44 px
// (test/helpers/layout.ts). Screenshots: payer-<size>-student-NN-*.png and payer-<size>-mother-NN-*.png.
//
// Each size has its own copy of the demo database and its own platform + sandbox, so that each
// finds 张三's 住宿费 unpaid.
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { PAYER_MESSAGES } from '../../src/modules/payers/messages';
import { collectErrors, launchBrowser } from '../helpers/browser';
import { fill, menu, setChecked, startWalk, step, tap, type Walk } from '../helpers/layout';
import { testDatabase } from '../helpers/test-db';
import { PASSWORD, payEnv, setPassword, smsCode as sentCode, until, waitForStatus } from '../helpers/world';

const browser = await launchBrowser();

async function world() {
  const db = await testDatabase({ demo: true });
  const env = await payEnv(db, { SANDBOX: '1' });
  await setPassword(db.knex, DEMO.student.number);
  return { knex: db.knex, env };
}
const worlds = { desktop: await world(), phone: await world() };

const MOTHER = { name: '李梅', mobile: '15800001111', password: 'Mama#Pays2026' };
const text = async (w: Walk) => (await w.page.textContent('body'))!.replace(/\s+/g, '');

describe('授权缴费人: 张三 invites his mother, she registers and pays his 住宿费, he sees it and revokes her', () => {
  for (const size of ['desktop', 'phone'] as const) {
    it(size, async () => {
      const { knex, env } = worlds[size];
      const smsCode = (mobile: string) => sentCode(knex, 'sms_outbox', mobile);

      // —— 张三: 个人信息 → 授权缴费人 → 邀请缴费人 ——
      const s = await startWalk(browser, size, `payer-${size}-student`);
      const sErrors = collectErrors(s.page);
      await s.page.goto(`${env.appUrl}/login`);
      await fill(s, s.page.locator('#username'), DEMO.student.number, '用户名');
      await fill(s, s.page.locator('#password'), PASSWORD, '密码');
      await tap(s, s.page.getByRole('button', { name: '登录' }), '登录');
      await s.page.waitForURL(`${env.appUrl}/`);
      await menu(s, '个人信息');
      await s.page.waitForURL(/\/profile$/);
      await tap(s, s.page.getByRole('link', { name: '授权缴费人' }), '授权缴费人');
      await s.page.waitForURL(/\/profile\/payers$/);
      expect(await text(s)).toContain('尚未邀请授权缴费人');
      await step(s, 'payers-empty');
      await fill(s, s.page.locator('#name'), MOTHER.name, '缴费人姓名');
      await fill(s, s.page.locator('#mobile'), MOTHER.mobile, '缴费人手机号');
      await tap(s, s.page.locator('#relation'), '关系');
      await s.page.selectOption('#relation', '母亲');
      await step(s, 'invite');
      await tap(s, s.page.getByRole('button', { name: '发送邀请' }), '发送邀请');
      await s.page.waitForURL(/\/profile\/payers\?invited=/);
      expect(await text(s)).toContain(`已向${MOTHER.name}的手机发送邀请短信`);
      const invited = s.page.locator('table.payer-links tbody tr', { hasText: MOTHER.name });
      expect(await invited.locator('td[data-label="关系"]').textContent()).toBe('母亲');
      expect(await invited.locator('td[data-label="状态"]').textContent()).toContain('待接受');
      await step(s, 'invited');
      const invitation = await knex('sms_outbox').where({ mobile: MOTHER.mobile }).first('body');
      expect(invitation.body).toContain('张三邀请您（母亲）作为授权缴费人');

      // —— The mother, in a browser of her own: 授权缴费人注册 ——
      const m = await startWalk(browser, size, `payer-${size}-mother`);
      const mErrors = collectErrors(m.page);
      await m.page.goto(`${env.appUrl}/login`);
      await step(m, 'login');
      await tap(m, m.page.locator('a:has-text("授权缴费人注册")'), '授权缴费人注册');
      await m.page.waitForURL(/\/payer\/register$/);
      await fill(m, m.page.locator('#mobile'), MOTHER.mobile, '手机号');
      await m.page.waitForSelector('img.captcha');
      const sid = decodeURIComponent((await m.context.cookies()).find((c) => c.name === 'cupp.sid')!.value);
      const captcha = await knex('captchas').where({ session_id: sid.slice(2, sid.lastIndexOf('.')) }).first('answer');
      await fill(m, m.page.locator('#captcha'), captcha.answer, '验证码');
      await step(m, 'register');
      await tap(m, m.page.getByRole('button', { name: '获取验证码' }), '获取验证码');
      await m.page.waitForURL(/\/payer\/register\/verify$/);
      const verify = await text(m);
      expect(verify).toContain(`短信验证码已发送至${MOTHER.mobile.slice(0, 3)}****${MOTHER.mobile.slice(-4)}`);
      expect(verify).toContain('邀请您为其缴费的学生：张三');
      await fill(m, m.page.locator('#name'), MOTHER.name, '您的姓名');
      await fill(m, m.page.locator('#code'), await smsCode(MOTHER.mobile), '短信验证码');
      await fill(m, m.page.locator('#password'), MOTHER.password, '设置密码');
      await fill(m, m.page.locator('#confirm'), MOTHER.password, '确认密码');
      await step(m, 'register-verify');
      await tap(m, m.page.getByRole('button', { name: '注册', exact: true }), '注册');
      await m.page.waitForURL(/\/login\?payer=registered$/);
      expect(await text(m)).toContain('注册成功。请使用手机号和刚才设置的密码登录。');
      expect(await m.page.inputValue('#username')).toBe(MOTHER.mobile);
      await step(m, 'registered');

      // —— She signs in with the mobile and sees whom she pays for ——
      await fill(m, m.page.locator('#password'), MOTHER.password, '登录密码');
      await tap(m, m.page.getByRole('button', { name: '登录' }), '登录');
      await m.page.waitForURL(`${env.appUrl}/`);
      const userline = (await m.page.textContent('.userline'))!.replace(/\s+/g, ' ');
      expect(userline).toContain(`当前用户>>授权缴费人：${MOTHER.name} 正在为 学号：${DEMO.student.number} 姓名：张三`);
      await step(m, 'home');

      // —— 选择学生: her one student, chosen already; 继续为其缴费 goes on to his 当前费用 ——
      await menu(m, '选择学生');
      await m.page.waitForURL(/\/payer$/);
      const mine = m.page.locator('table.payer-students tbody tr', { hasText: DEMO.student.number });
      expect(await mine.locator('td[data-label="关系"]').textContent()).toBe('母亲');
      await step(m, 'choose');
      await tap(m, mine.getByRole('button', { name: '继续为其缴费' }), '继续为其缴费');
      await m.page.waitForURL(/\/fees$/);
      expect(await text(m)).toContain('住宿费');
      await step(m, 'fees');

      // —— 学费缴费: 2019年度, 财政项目缴费, 住宿费 only ——
      await menu(m, '学费缴费');
      await m.page.waitForURL(/\/pay$/);
      expect(await text(m)).toContain('共有3条欠费记录');
      await setChecked(m, m.page.locator('input[name=period]').first(), true, '收费期间 2019年度');
      await step(m, 'pay-list');
      await tap(m, m.page.getByRole('button', { name: '财政项目缴费' }), '财政项目缴费');
      await m.page.waitForURL(/\/pay\/items/);
      for (const line of await m.page.locator('#pay-items tbody tr').all()) {
        if (!(await line.textContent())!.includes('住宿费')) await setChecked(m, line.locator('input[name=bill]'), false, '选择 (学费)');
      }
      expect(await m.page.textContent('#pay-sum')).toBe('1,100.00');
      await step(m, 'pay-items');
      await tap(m, m.page.getByRole('button', { name: '下一步' }), '下一步 (缴费信息修改)');
      await m.page.waitForURL(/\/pay\/review$/);
      const review = await text(m);
      expect(review).toContain('共计交费：1,100.00元');
      expect(review).toContain('住宿费');
      await step(m, 'pay-review');
      await tap(m, m.page.getByRole('button', { name: '下一步' }), '下一步 (交费信息显示)');
      await m.page.waitForURL(/\/pay\/orders\/XF\d{6}LUT\d{6}$/);
      const orderNo = /XF\d{6}LUT\d{6}/.exec(m.page.url())![0];
      await setChecked(m, m.page.locator('input[name=channel][value=nontax]'), true, '非税支付');
      expect(await text(m)).toContain('缴费金额：1,100.00元');
      // 非税通知 goes to 张三's own mobile, which only he may change (个人信息): no 修改 for her.
      expect(await m.page.locator('.notify-mobile').textContent()).toContain('170****0000');
      expect(await m.page.locator('.notify-mobile a').count()).toBe(0);
      await step(m, 'pay-confirm');
      await tap(m, m.page.getByRole('button', { name: '确定缴费' }), '确定缴费');

      // —— The sandbox's non-tax cashier: 支付宝, its checkout, 返回商户 ——
      await m.page.waitForURL(/\/nontax\/cashier\/\d{20}$/);
      expect(await text(m)).toContain('张三');
      await tap(m, m.page.locator('.methods label', { has: m.page.locator('input[value=alipay]') }), '非税收银台 支付宝');
      await step(m, 'cashier');
      await tap(m, m.page.getByRole('button', { name: '确认支付' }), '非税收银台 确认支付');
      await m.page.waitForURL(`${env.sandboxUrl}/alipay/qr/**`);
      await step(m, 'alipay');
      await tap(m, m.page.getByRole('button', { name: '确认支付' }), '支付宝 确认支付');
      await m.page.getByText('支付成功').first().waitFor();
      await step(m, 'alipay-paid');
      await tap(m, m.page.getByRole('link', { name: '返回商户' }), '返回商户');
      await waitForStatus(knex, orderNo, 'paid');
      await m.page.waitForURL(new RegExp(`/pay/orders/${orderNo}/result(\\?.*)?$`), { timeout: 20_000 });
      await m.page.getByText('支付成功').first().waitFor();
      expect(await text(m)).toContain(orderNo);
      await step(m, 'paid');

      const order = await knex('orders as o').join('people as p', 'p.id', 'o.payer_id').where('o.order_no', orderNo).first('o.id', 'o.person_id', 'p.name as payer');
      expect(order.payer).toBe(MOTHER.name);
      const receipt = await knex('receipts as r').join('people as p', 'p.id', 'r.person_id').where('r.order_id', order.id).first('r.id', 'r.receipt_no', 'p.name');
      expect(receipt.name).toBe('张三');

      // —— 张三: 交易查询 → 银行交易记录 shows who paid ——
      await menu(s, '交易查询');
      await s.page.waitForURL(/\/transactions\/bank$/);
      const bankRow = s.page.locator('table.bank tbody tr', { hasText: orderNo });
      expect((await bankRow.textContent())!.replace(/\s+/g, '')).toContain(`缴费人：${MOTHER.name}（母亲）`);
      expect(await bankRow.locator('td[data-label="支付状态"]').textContent()).toContain('是');
      await step(s, 'bank');

      // —— 已缴费信息 → 票据查询: the e-bill is made out to 张三 ——
      await until(async () => (await knex('receipts').where({ id: receipt.id }).first('ebill_status')).ebill_status === '已生成', 30_000, 100);
      await tap(s, s.page.locator('.subnav a:has-text("已缴费信息")'), '已缴费信息');
      await s.page.waitForURL(/\/transactions\/receipts$/);
      const receiptRow = s.page.locator('table.receipts tbody tr', { hasText: receipt.receipt_no });
      expect(await receiptRow.locator('td[data-label="电子票据"]').textContent()).toBe('已生成');
      await step(s, 'receipts');
      await tap(s, receiptRow.getByRole('link', { name: '票据查询' }), '票据查询');
      await s.page.waitForURL(/\/ebill$/);
      const ebill = await text(s);
      for (const t of ['甘肃省非税收入统一票据（电子）', '缴款人：张三', '壹仟壹佰元整']) expect(ebill).toContain(t);
      expect(ebill).not.toContain(`缴款人：${MOTHER.name}`);
      await step(s, 'ebill');

      // —— 个人信息 → 授权缴费人: 已授权, and 缴费人代缴记录 lists the order ——
      await menu(s, '个人信息');
      await s.page.waitForURL(/\/profile$/);
      await tap(s, s.page.getByRole('link', { name: '授权缴费人' }), '授权缴费人');
      await s.page.waitForURL(/\/profile\/payers$/);
      const active = s.page.locator('table.payer-links tbody tr', { hasText: MOTHER.name });
      expect(await active.locator('td[data-label="状态"]').textContent()).toContain('已授权');
      const paidRow = s.page.locator('table.payer-paid tbody tr', { hasText: orderNo });
      expect(await paidRow.locator('td[data-label="缴费人"]').textContent()).toBe(`${MOTHER.name}（母亲）`);
      expect(await paidRow.locator('td[data-label="交易金额"]').textContent()).toContain('1,100.00');
      await step(s, 'payers-paid');

      // —— 撤销授权 ——
      await tap(s, active.getByRole('button', { name: '撤销授权' }), '撤销授权');
      await s.page.waitForURL(/\/profile\/payers\?revoked=/);
      expect(await text(s)).toContain(`已撤销${MOTHER.name}的缴费授权`);
      expect(await s.page.locator('table.payer-links tbody tr', { hasText: MOTHER.name }).locator('td[data-label="状态"]').textContent()).toContain('已撤销');
      await step(s, 'revoked');

      // —— Her next 当前费用 lands on 选择学生; his bills are out of her reach ——
      await menu(m, '当前费用');
      await m.page.waitForURL(/\/payer\?gone=1$/);
      const gone = await text(m);
      expect(gone).toContain(PAYER_MESSAGES.gone);
      expect(gone).toContain(PAYER_MESSAGES.none.replace(/\s+/g, ''));
      expect(gone).not.toContain('住宿费');
      expect(gone).not.toContain(DEMO.student.number);
      await step(m, 'gone');
      for (const path of ['/fees', '/pay']) {
        await m.page.goto(`${env.appUrl}${path}`);
        expect(new URL(m.page.url()).pathname, path).toBe('/payer');
        expect(await text(m)).not.toContain('住宿费');
      }

      expect(s.problems).toEqual([]);
      expect(m.problems).toEqual([]);
      expect(sErrors).toEqual([]);
      expect(mErrors).toEqual([]);
      await s.context.close();
      await m.context.close();
    }, 180_000);
  }
});
