// The student's whole path on a 390×844 phone (touch) and at a 1366×900 desk: sign in, 当前费用,
// 学费缴费 of 财政 items (学费 in part, through 非税支付 and each of its cashier's 支付宝, 微信 and
// 银联) and of 代收 items (医疗保险 in part, through every channel the page offers: on the phone,
// with a phone's User-Agent, 微信 H5 and 支付宝 手机网站支付; at the desk their QR codes), 交易查询
// (银行交易记录, 明细, 已缴费信息, 票据查询 and the e-bill's PDF), 个人信息 and 个人信息修改, 退出登录.
// Every step checks that the page is no wider than the screen and every control the walk uses is
// big enough for a thumb on the phone (test/helpers/layout.ts) — the sandbox's channel pages too,
// since a payer meets them on the same phone. Full-page screenshots: test-results/screenshots/walk-*.png.
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { collectErrors, launchBrowser } from '../helpers/browser';
import { fill, menu, setChecked, startWalk, step, tap, type Walk } from '../helpers/layout';
import { testDatabase } from '../helpers/test-db';
import { PASSWORD, payEnv, setPassword, until, waitForStatus } from '../helpers/world';
import * as f from '../factories';

const db = await testDatabase({ demo: true });
// Every 代收 channel there is, so that the walk meets every channel's pages.
const env = await payEnv(db, { SANDBOX: '1', CHANNELS_COLLECTED: 'icbc,wechat,alipay,unionpay' });
const browser = await launchBrowser();
const k = db.knex;

/** The desk walk's student: in 张三's class, with the same three 2019年度 bills unpaid. */
async function twinOfZhangSan(): Promise<string> {
  const zs = await k('people').where({ number: DEMO.student.number }).first('college_id', 'class_id');
  const twin = await f.person(k, { name: '李四', password: PASSWORD, collegeId: zs.college_id, classId: zs.class_id });
  const period = await k('fee_periods').where({ name: '2019年度' }).first('id');
  const items = await k('fee_items').whereIn('name', ['学费', '住宿费', '医疗保险']).select('id', 'name');
  const due: Record<string, string> = { 学费: '8000.00', 住宿费: '1100.00', 医疗保险: '250.00' };
  for (const i of items) await f.bill(k, { personId: twin.personId, periodId: period.id, feeItemId: i.id, due: due[i.name as string]! });
  return twin.number;
}

const text = async (w: Walk) => (await w.page.textContent('body'))!.replace(/\s+/g, '');
const row = (w: Walk, item: string) => w.page.locator('#pay-items tbody tr', { hasText: item });

/** 学费缴费 → 2019年度 → the category → one item's amount changed to `amount`, the others unticked → 下一步 twice. */
async function orderFor(w: Walk, category: '财政' | '代收', item: string, amount: string, shot: string): Promise<string> {
  const { page } = w;
  await menu(w, '学费缴费');
  await page.waitForURL(/\/pay$/);
  await setChecked(w, page.locator('input[name=period]').first(), true, '收费期间 2019年度');
  await step(w, `${shot}-list`);
  await tap(w, page.getByRole('button', { name: `${category}项目缴费` }), `${category}项目缴费`);
  await page.waitForURL(/\/pay\/items/);
  await step(w, `${shot}-items`);
  for (const other of await page.locator('#pay-items tbody tr').all()) {
    if (!(await other.textContent())!.includes(item)) await setChecked(w, other.locator('input[name=bill]'), false, '选择 (其他项目)');
  }
  const line = row(w, item);
  await tap(w, line.getByRole('button', { name: '修改' }), `修改 ${item}`);
  await fill(w, line.locator('input.amount'), amount, `${item} 缴费金额`);
  await tap(w, line.getByRole('button', { name: '确定' }), `确定 ${item}`);
  expect(await page.textContent('#pay-sum')).toBe(Number(amount).toLocaleString('en-US', { minimumFractionDigits: 2 }));
  await step(w, `${shot}-items-partial`);
  await tap(w, page.getByRole('button', { name: '下一步' }), '下一步 (缴费信息修改)');
  await page.waitForURL(/\/pay\/review$/);
  expect(await text(w)).toContain(`共计交费：${Number(amount).toLocaleString('en-US', { minimumFractionDigits: 2 })}元`);
  await step(w, `${shot}-review`);
  await tap(w, page.getByRole('button', { name: '下一步' }), '下一步 (交费信息显示)');
  await page.waitForURL(/\/pay\/orders\/XF\d{6}LUT\d{6}$/);
  return /XF\d{6}LUT\d{6}/.exec(page.url())![0];
}

/** The payer's page at a channel after 支付成功: 返回商户 (a bank page, a QR page of the non-tax cashier's choice). */
async function backToSchool(w: Walk, name: string, shot: string): Promise<void> {
  await w.page.getByText('支付成功').first().waitFor();
  await step(w, `${shot}-channel-${name}-paid`);
  await tap(w, w.page.getByRole('link', { name: '返回商户' }), `${name} 返回商户`);
}

/** A bank page of 图22 (工银e支付, 银联在线支付): phone number and card, 下一步, 确认支付. */
async function atBank(w: Walk, name: string, shot: string): Promise<void> {
  const { page } = w;
  await fill(w, page.locator('#mobile'), '13800000000', `${name} 手机号码`);
  await fill(w, page.locator('#card'), '123456', `${name} 卡号后六位`);
  await step(w, `${shot}-channel-${name}`);
  await tap(w, page.getByRole('button', { name: '下一步' }), `${name} 下一步`);
  await page.getByRole('button', { name: '确认支付' }).waitFor();
  await step(w, `${shot}-channel-${name}-confirm`);
  await tap(w, page.getByRole('button', { name: '确认支付' }), `${name} 确认支付`);
  await backToSchool(w, name, shot);
}

/** A wallet's page with its 确认支付 (支付宝's cashier, 微信's phone page). */
async function atWallet(w: Walk, name: string, shot: string): Promise<void> {
  await step(w, `${shot}-channel-${name}`);
  await tap(w, w.page.getByRole('button', { name: '确认支付' }), `${name} 确认支付`);
}

/**
 * At a desk, the platform's own QR page (微信支付 Native, 支付宝 precreate): the sandbox's phone
 * page in another tab stands in for scanning; the QR page then moves on to 支付成功 by itself.
 */
async function scanned(w: Walk, name: string, shot: string): Promise<void> {
  const { page } = w;
  await page.getByAltText(/二维码$/).waitFor();
  await step(w, `${shot}-qr`);
  const [phone] = await Promise.all([w.context.waitForEvent('page'), tap(w, page.getByRole('link', { name: '模拟扫码（沙箱）' }), '模拟扫码（沙箱）')]);
  const scanner: Walk = { ...w, page: phone };
  await phone.waitForLoadState();
  await atWallet(scanner, name, shot);
  await phone.getByText('支付成功').first().waitFor();
  w.steps = scanner.steps;
  await phone.close();
}

/** The cashier's three choices (图13): each opens that channel's page, payee 甘肃省财政厅. */
const CASHIER: Record<string, string> = { alipay: '支付宝', wechat: '微信', unionpay: '银联' };

/** The payer at each channel's own pages, from 确定缴费 to the platform's 支付成功. */
const payAt: Record<string, (w: Walk, shot: string, method?: string) => Promise<void>> = {
  async nontax(w, shot, method = 'alipay') {
    const { page } = w;
    await page.waitForURL(/\/nontax\/cashier\/\d{20}$/);
    const choice = page.locator('.methods label', { has: page.locator(`input[value=${method}]`) });
    await tap(w, choice, `非税收银台 ${CASHIER[method]}`);
    expect(await page.locator(`input[value=${method}]`).isChecked()).toBe(true);
    await step(w, `${shot}-channel-cashier`);
    await tap(w, page.getByRole('button', { name: '确认支付' }), '非税收银台 确认支付');
    if (method === 'unionpay') {
      await page.waitForURL(`${env.sandboxUrl}/unionpay/pay/**`);
      return atBank(w, '银联', shot);
    }
    await page.waitForURL(method === 'alipay' ? `${env.sandboxUrl}/alipay/qr/**` : `${env.sandboxUrl}/wechat/pay/**`);
    await atWallet(w, CASHIER[method]!, shot);
    await backToSchool(w, CASHIER[method]!, shot);
  },
  async wechat(w, shot) {
    const { page } = w;
    if (!w.phone) return scanned(w, '微信', shot);
    // On the phone: WeChat Pay H5, the app's cashier, 完成 back to the waiting page, which moves on by itself.
    await page.waitForURL(`${env.sandboxUrl}/wechat/h5/checkmweb**`);
    await atWallet(w, '微信H5', shot);
    await page.getByText('支付成功').first().waitFor();
    await step(w, `${shot}-channel-微信H5-paid`);
    await tap(w, page.getByRole('link', { name: '完成' }), '微信H5 完成');
  },
  async alipay(w, shot) {
    const { page } = w;
    if (!w.phone) return scanned(w, '支付宝', shot);
    // On the phone: 手机网站支付, 确认付款, 完成 back to the platform.
    await page.waitForURL(`${env.sandboxUrl}/alipay/wap/**`);
    await step(w, `${shot}-channel-支付宝wap`);
    await tap(w, page.getByRole('button', { name: '确认付款' }), '支付宝wap 确认付款');
    await page.getByText('支付成功').first().waitFor();
    await step(w, `${shot}-channel-支付宝wap-paid`);
    await tap(w, page.getByRole('link', { name: '完成' }), '支付宝wap 完成');
  },
  async icbc(w, shot) {
    await w.page.waitForURL(`${env.sandboxUrl}/icbc/**`);
    await atBank(w, '工银e支付', shot);
  },
  async unionpay(w, shot) {
    await w.page.waitForURL(`${env.sandboxUrl}/unionpay/**`);
    await atBank(w, '银联', shot);
  },
};

async function pay(w: Walk, orderNo: string, channel: string, shot: string, method?: string): Promise<void> {
  const { page } = w;
  await setChecked(w, page.locator(`input[name=channel][value=${channel}]`), true, `支付方式 ${channel}`);
  await step(w, `${shot}-confirm`);
  await tap(w, page.getByRole('button', { name: '确定缴费' }), '确定缴费');
  const walk = payAt[channel];
  if (!walk) throw new Error(`the walk has no way through the channel ${channel}`);
  await walk(w, shot, method);
  await waitForStatus(k, orderNo, 'paid');
  // No 我已完成支付: every page the payer comes back to notices the payment by itself.
  await page.waitForURL(new RegExp(`/pay/orders/${orderNo}/result(\\?.*)?$`), { timeout: 20_000 });
  await page.getByText('支付成功').first().waitFor();
  await step(w, `${shot}-paid`);
}

async function studentWalk(size: 'phone' | 'desktop', number: string) {
  const w = await startWalk(browser, size, `walk-${size}`);
  const { page } = w;
  const errors = collectErrors(page);

  await page.goto(`${env.appUrl}/login`);
  await step(w, 'login');
  await fill(w, page.locator('#username'), number, '用户名');
  await fill(w, page.locator('#password'), PASSWORD, '密码');
  await tap(w, page.getByRole('button', { name: '登录' }), '登录');
  await page.waitForURL(`${env.appUrl}/`);
  await step(w, 'home');

  await menu(w, '当前费用');
  await page.waitForURL(/\/fees$/);
  expect(await text(w)).toContain('欠费9,350.00元');
  await step(w, 'fees');

  // 财政: 学费 in three parts, one through each of the non-tax cashier's choices.
  const fiscalOrders: string[] = [];
  for (const [i, [method, amount]] of [['alipay', '3000.00'], ['wechat', '1000.00'], ['unionpay', '500.00']].entries()) {
    const orderNo = await orderFor(w, '财政', '学费', amount!, `fiscal${i + 1}`);
    await pay(w, orderNo, 'nontax', `fiscal${i + 1}`, method);
    fiscalOrders.push(orderNo);
  }
  const fiscal = fiscalOrders[0]!;

  // 代收: every channel the confirm page offers, each paying part of 医疗保险.
  const paid = ['100.00', '50.00', '30.00', '20.00', '10.00'];
  let offered: string[] = [];
  const collectedOrders: string[] = [];
  for (let i = 0; i === 0 || i < offered.length; i += 1) {
    const orderNo = await orderFor(w, '代收', '医疗保险', paid[i]!, `collected${i + 1}`);
    if (i === 0) offered = await page.locator('input[name=channel]:not([disabled])').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    await pay(w, orderNo, offered[i]!, `collected${i + 1}`);
    collectedOrders.push(orderNo);
  }
  expect(offered.length).toBeGreaterThan(0);

  await menu(w, '当前费用');
  await page.waitForURL(/\/fees$/);
  await step(w, 'fees-after');

  await menu(w, '交易查询');
  await page.waitForURL(/\/transactions\/bank$/);
  for (const o of [...fiscalOrders, ...collectedOrders]) expect(await text(w)).toContain(o);
  await step(w, 'bank');
  await tap(w, page.locator('tr', { hasText: fiscal }).getByRole('link', { name: '明细' }), '明细 (银行交易记录)');
  await page.waitForURL(/\/transactions\/orders\//);
  await step(w, 'bank-detail');

  const receipt = await k('receipts as r').join('orders as o', 'o.id', 'r.order_id').where('o.order_no', fiscal).first('r.receipt_no as no');
  await until(async () => (await k('receipts').where({ receipt_no: receipt.no }).first('ebill_status')).ebill_status === '已生成');
  await tap(w, page.getByRole('link', { name: '已缴费信息' }), '已缴费信息');
  await page.waitForURL(/\/transactions\/receipts$/);
  await step(w, 'receipts');
  await tap(w, page.locator('tr', { hasText: receipt.no }).getByRole('link', { name: '明细' }), '明细 (已缴费信息)');
  await page.waitForURL(/\/transactions\/receipts\/\d{6}$/);
  await step(w, 'receipt-detail');
  await tap(w, page.getByRole('link', { name: '票据查询' }), '票据查询');
  await page.waitForURL(/\/ebill$/);
  expect(await text(w)).toContain('甘肃省非税收入统一票据（电子）');
  await step(w, 'ebill');
  // The PDF is one tap away.
  const [download] = await Promise.all([page.waitForEvent('download'), tap(w, page.getByRole('link', { name: '下载PDF' }), '下载PDF')]);
  expect(download.suggestedFilename()).toMatch(/\.pdf$/);

  await menu(w, '个人信息');
  await page.waitForURL(/\/profile$/);
  await step(w, 'profile');
  await tap(w, page.getByRole('link', { name: '个人信息修改' }), '个人信息修改');
  await page.waitForURL(/\/profile\/edit$/);
  await step(w, 'profile-edit');
  await tap(w, page.getByRole('link', { name: '返回' }), '返回');
  await page.waitForURL(/\/profile$/);

  await menu(w, '退出登录');
  await page.waitForURL(/\/login/);

  expect(errors).toEqual([]);
  await w.context.close();
  return w.problems;
}

describe('the student path fits the screen', () => {
  it('on a 390×844 phone: no page wider than the screen, every control used at least 44×44 px', async () => {
    await setPassword(k, DEMO.student.number);
    expect(await studentWalk('phone', DEMO.student.number)).toEqual([]);
  }, 240_000);

  it('at a 1366×900 desk: no page wider than the screen', async () => {
    expect(await studentWalk('desktop', await twinOfZhangSan())).toEqual([]);
  }, 240_000);
});
