// Paying on the phone through the real platform and the sandbox over real HTTP: a phone's
// 确定缴费 goes to 微信支付 H5 (a redirect to h5_url with redirect_url, WeChat's middle page and
// its Referer checks, the app's cashier, the signed encrypted notification) or to 支付宝 手机网站支付
// (the signed QUICK_WAP_WAY form, the mobile cashier, the signed return to return_url, quit_url),
// each credited once; the page a phone comes back to and the progress JSON the QR and waiting
// pages poll (the owner's only, never cached); WeChat's own browser and the product conflict.
import { describe, expect, it } from 'vitest';
import { verifyNotification } from '../../src/gateways/alipay/codec';
import { text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { PASSWORD, armFault, clearFaults, countRows, form, makeOrder, pageAction, payEnv, sandboxControl, signedIn, waitForStatus } from '../helpers/world';
import * as f from '../factories';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const WECHAT = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN';
const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const db = await testDatabase();
const knex = db.knex;
const env = await payEnv(db, { SANDBOX: '1', SANDBOX_TIME_SCALE: '0.0005', CHANNELS_COLLECTED: 'wechat,alipay,unionpay,icbc' });

/** A student with one 代收 bill of `due`, signed in on `userAgent` from 10.1.2.3. */
async function student(due: string, userAgent = IPHONE) {
  const p = await f.person(knex, { password: PASSWORD });
  const period = await f.period(knex);
  const item = await f.feeItem(knex, { category: '代收' });
  const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due });
  const c = await signedIn(env, p.number, PASSWORD, { ip: '10.1.2.3', userAgent });
  return { ...p, c, billId, periodId: period.id, due, userAgent };
}
type Student = Awaited<ReturnType<typeof student>>;

const payments = (billId: number) => countRows(knex, 'bill_ledger', { bill_id: billId, kind: 'payment' });
const progress = async (s: Pick<Student, 'c'>, orderNo: string) => {
  const res = await s.c.agent.get(`/pay/orders/${orderNo}/progress`).set('Accept', 'application/json');
  return { status: res.status, body: res.body as { state: string; next: string | null }, cacheControl: res.headers['cache-control'] };
};

/** 确定缴费 on the phone with 微信支付: the redirect to h5_url. */
async function submitH5(s: Student, orderNo: string) {
  const confirm = await s.c.get(`/pay/orders/${orderNo}`);
  expect(confirm.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  const res = await s.c.post(`/pay/orders/${orderNo}/submit`, { channel: 'wechat' });
  expect(res.status, res.text).toBe(303);
  expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  return res.headers.location!;
}

describe('微信支付 H5 on a phone', () => {
  it('goes to h5_url (not a QR), passes WeChat\'s checks from our page, pays, comes back to the waiting page; credited once', async () => {
    const s = await student('249.99');
    const orderNo = await makeOrder(s.c, '代收', s.periodId, { [s.billId]: s.due });
    const confirm = text((await s.c.get(`/pay/orders/${orderNo}`)).text);
    expect(confirm).toContain('您正在使用手机');
    expect(confirm).toContain('在电脑上扫码支付');
    const h5 = await submitH5(s, orderNo);
    const u = new URL(h5);
    expect(u.origin).toBe(env.sandboxUrl);
    expect(u.pathname).toBe('/wechat/h5/checkmweb');
    expect(u.searchParams.get('prepay_id')).toMatch(/^wx/);
    expect(u.searchParams.get('redirect_url')).toBe(`${env.appUrl}/pay/orders/${orderNo}/waiting`);
    const trade = env.sandbox.wechat.trades.get(orderNo)!;
    expect(trade.extra).toMatchObject({ tradeType: 'MWEB', payerClientIp: '10.1.2.3' });
    expect((await progress(s, orderNo)).body).toEqual({ state: 'waiting', next: null });

    // WeChat's middle page: refused without our page as the Referer, from another domain, inside WeChat.
    const open = (headers: Record<string, string>) => fetch(h5, { headers: { 'user-agent': IPHONE, ...headers } });
    expect(await (await open({})).text()).toBe('商家参数格式有误，请联系商家解决');
    expect(await (await open({ referer: 'http://elsewhere.example.test/' })).text()).toBe('商家存在未配置的参数，请联系商家解决');
    expect(await (await open({ referer: `${env.appUrl}/`, 'user-agent': WECHAT })).text()).toBe('请在微信外打开订单，进行支付');
    const cashier = await open({ referer: `${env.appUrl}/` });
    expect(cashier.status).toBe(200);
    const page = await cashier.text();
    for (const label of ['确认支付', '取消支付', '¥249.99', orderNo]) expect(page).toContain(label);

    await armFault(env, 'wechat', 'duplicate');
    const paid = await fetch(`${env.sandboxUrl}/wechat/h5/checkmweb/confirm${u.search}`, form({}, { follow: true }));
    const done = await paid.text();
    expect(done).toContain('支付成功');
    const back = /<a class="link pay" href="([^"]+)">完成<\/a>/.exec(done)?.[1]?.replace(/&amp;/g, '&');
    expect(back).toBe(`${env.appUrl}/pay/orders/${orderNo}/waiting`);
    await waitForStatus(knex, orderNo, 'paid');
    await expect.poll(async () => (await sandboxControl(env).notifications('wechat', orderNo)).filter((n) => n.acked).length, { timeout: 8000 }).toBeGreaterThanOrEqual(1);
    await clearFaults(env, 'wechat');
    // A duplicate notification, once more: one payment on the bill, one receipt.
    expect(await payments(s.billId)).toBe(1);
    expect(await countRows(knex, 'receipts', { person_id: s.personId })).toBe(1);
    expect((await knex('bills').where({ id: s.billId }).first('paid')).paid).toBe('249.99');

    // Back on the phone: the waiting page moves on at once, and progress says paid.
    expect((await progress(s, orderNo)).body).toEqual({ state: 'paid', next: `/pay/orders/${orderNo}/result` });
    const waiting = await s.c.get(`/pay/orders/${orderNo}/waiting`);
    expect(waiting.status).toBe(303);
    expect(waiting.headers.location).toBe(`/pay/orders/${orderNo}/result`);
    expect(text((await s.c.get(waiting.headers.location!)).text)).toContain('支付成功');
  });

  it('继续支付 asks WeChat for a new h5_url (one lives 5 minutes); a QR from the computer for the same order is explained, not a 500', async () => {
    const s = await student('100.00');
    const orderNo = await makeOrder(s.c, '代收', s.periodId, { [s.billId]: s.due });
    const first = new URL(await submitH5(s, orderNo));
    const second = new URL(await submitH5(s, orderNo));
    expect(second.searchParams.get('prepay_id')).not.toBe(first.searchParams.get('prepay_id'));
    // The waiting page before anything is paid: the script's hook, 我已完成支付 for no-script.
    const waiting = await s.c.get(`/pay/orders/${orderNo}/waiting`);
    expect(waiting.status).toBe(200);
    expect(waiting.text).toContain(`data-progress="/pay/orders/${orderNo}/progress"`);
    expect(waiting.text).toContain('<script src="/public/js/pay-wait.js"></script>');
    expect(text(waiting.text)).toContain('我已完成支付');

    // The same person at a computer: WeChat holds the order as H5 and refuses a Native QR for it.
    const desk = await signedIn(env, s.number, PASSWORD, { userAgent: DESKTOP });
    await desk.get(`/pay/orders/${orderNo}`);
    const refused = await desk.post(`/pay/orders/${orderNo}/submit`, { channel: 'wechat' });
    expect(refused.status).toBe(409);
    expect(text(refused.text)).toContain('不允许同一缴费单更换支付方式');
    expect(await payments(s.billId)).toBe(0);
  });

  it('在电脑上扫码支付 on the phone gives the Native QR page, which polls the order', async () => {
    const s = await student('80.00');
    const orderNo = await makeOrder(s.c, '代收', s.periodId, { [s.billId]: s.due });
    await s.c.get(`/pay/orders/${orderNo}`);
    const res = await s.c.post(`/pay/orders/${orderNo}/submit`, { channel: 'wechat', mode: 'qr' });
    expect(res.status).toBe(200);
    expect(text(res.text)).toContain('微信支付扫码支付');
    expect(res.text).toContain(`data-progress="/pay/orders/${orderNo}/progress"`);
    expect(env.sandbox.wechat.trades.get(orderNo)!.extra.tradeType ?? 'NATIVE').toBe('NATIVE');
    expect(pageAction(res.text).kind).toBe('qrCode');
  });
});

describe('支付宝 手机网站支付 on a phone', () => {
  it('posts the signed QUICK_WAP_WAY form, pays at the mobile cashier, returns signed to return_url; credited once', async () => {
    const s = await student('1099.98');
    const orderNo = await makeOrder(s.c, '代收', s.periodId, { [s.billId]: s.due });
    await s.c.get(`/pay/orders/${orderNo}`);
    const res = await s.c.post(`/pay/orders/${orderNo}/submit`, { channel: 'alipay' });
    expect(res.status).toBe(200);
    const action = pageAction(res.text);
    if (action.kind !== 'form') throw new Error('not a form');
    expect(action.url).toBe(`${env.sandboxUrl}/alipay/gateway.do?charset=utf-8`);
    expect(action.fields.method).toBe('alipay.trade.wap.pay');
    expect(action.fields.return_url).toBe(`${env.appUrl}/pay/orders/${orderNo}/result`);
    expect(JSON.parse(action.fields.biz_content!)).toMatchObject({
      out_trade_no: orderNo, total_amount: '1099.98', product_code: 'QUICK_WAP_WAY', quit_url: `${env.appUrl}/pay/orders/${orderNo}`,
    });
    // Not at Alipay until the phone's browser posts the form.
    expect(await env.payment.progress(s.personId, orderNo)).toBe('waiting');

    const posted = await fetch(action.url, form(action.fields));
    expect(posted.status).toBe(303);
    const cashierUrl = posted.headers.get('location')!;
    expect(cashierUrl).toMatch(new RegExp(`^${env.sandboxUrl}/alipay/wap/[0-9a-f]+$`));
    const cashier = await (await fetch(cashierUrl)).text();
    for (const label of ['确认付款', '取消', '¥1099.98']) expect(cashier).toContain(label);
    await armFault(env, 'alipay', 'duplicate');
    const done = await (await fetch(`${cashierUrl}/confirm`, form({}, { follow: true }))).text();
    expect(done).toContain('支付成功');
    const back = /<a class="link pay" href="([^"]+)">完成<\/a>/.exec(done)![1]!.replace(/&amp;/g, '&');
    await waitForStatus(knex, orderNo, 'paid');
    await clearFaults(env, 'alipay');
    expect(await payments(s.billId)).toBe(1);

    // The sync return: the trade signed by Alipay in return_url's query; the platform does not
    // need to believe it (already credited from the notification) and shows 支付成功.
    const ret = new URL(back);
    expect(`${ret.origin}${ret.pathname}`).toBe(`${env.appUrl}/pay/orders/${orderNo}/result`);
    const fields = Object.fromEntries(ret.searchParams);
    expect(fields).toMatchObject({ method: 'alipay.trade.wap.pay.return', out_trade_no: orderNo, total_amount: '1099.98', sign_type: 'RSA2' });
    expect(verifyNotification(fields, env.sandbox.alipay.platformKeys.publicKey)).toBe(true);
    expect(text((await s.c.get(`${ret.pathname}${ret.search}`)).text)).toContain('支付成功');
  });

  it('取消 at the cashier leads to quit_url (图12\'s page), where the order is still payable', async () => {
    const s = await student('50.00');
    const orderNo = await makeOrder(s.c, '代收', s.periodId, { [s.billId]: s.due });
    await s.c.get(`/pay/orders/${orderNo}`);
    const action = pageAction((await s.c.post(`/pay/orders/${orderNo}/submit`, { channel: 'alipay' })).text);
    if (action.kind !== 'form') throw new Error('not a form');
    const cashierUrl = (await fetch(action.url, form(action.fields))).headers.get('location')!;
    const quit = await fetch(`${cashierUrl}/quit`, form());
    expect(quit.status).toBe(303);
    expect(quit.headers.get('location')).toBe(`${env.appUrl}/pay/orders/${orderNo}`);
    expect(text((await s.c.get(`/pay/orders/${orderNo}`)).text)).toContain('确定缴费');
  });
});

describe('inside WeChat\'s own browser', () => {
  it('neither H5 nor 支付宝\'s page is opened there: the payer is asked to use the phone\'s browser, nothing is sent', async () => {
    const s = await student('60.00', WECHAT);
    const orderNo = await makeOrder(s.c, '代收', s.periodId, { [s.billId]: s.due });
    await s.c.get(`/pay/orders/${orderNo}`);
    for (const channel of ['wechat', 'alipay']) {
      const res = await s.c.post(`/pay/orders/${orderNo}/submit`, { channel });
      expect(res.status).toBe(200);
      const t = text(res.text);
      expect(t).toContain('请在手机浏览器中打开');
      expect(t).toContain('在浏览器打开');
      expect(t).toContain('在电脑上扫码支付');
    }
    expect(await countRows(knex, 'payment_attempts', { order_id: (await knex('orders').where({ order_no: orderNo }).first('id')).id })).toBe(0);
    expect(env.sandbox.wechat.trades.has(orderNo)).toBe(false);
  });
});

describe('the progress JSON the QR and waiting pages poll', () => {
  it('answers the owner only, never cached: another person\'s order is answered as none', async () => {
    const s = await student('70.00');
    const orderNo = await makeOrder(s.c, '代收', s.periodId, { [s.billId]: s.due });
    const mine = await progress(s, orderNo);
    expect(mine).toEqual({ status: 200, body: { state: 'waiting', next: null }, cacheControl: 'no-store' });
    const other = await student('70.00');
    const theirs = await progress(other, orderNo);
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual({ state: 'unknown', next: null });
    expect(theirs.cacheControl).toBe('no-store');
    expect((await progress(s, 'XF000000LUT000000')).status).toBe(404);
    // Signed out: the login page, not the order's state.
    const anonymous = await fetch(`${env.appUrl}/pay/orders/${orderNo}/progress`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    // Past its time: expired, and the page then explains it.
    await knex('orders').where({ order_no: orderNo }).update({ expires_at: new Date(Date.now() - 1000) });
    expect((await progress(s, orderNo)).body).toEqual({ state: 'expired', next: `/pay/orders/${orderNo}/result` });
  });
});
