// 微信支付 JSAPI inside WeChat's own browser, with the school's official account configured
// (WECHAT_JSAPI=1), through the real platform and the sandbox over real HTTP: 确定缴费 first sends
// the browser to 网页授权 (snsapi_base), WeChat sends it back with a code, the openid goes into the
// session and 确定缴费 goes on by itself; the JSAPI page (in /pay/wechat/jsapi/) carries
// getBrandWCPayRequest's parameters signed with the merchant key; the sandbox's stand-in for
// WeChat's client checks paySign, pays, and the signed notification credits the order once.
import { describe, expect, it } from 'vitest';
import { rsaVerify } from '../../src/gateways/common/crypto';
import { text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { PASSWORD, countRows, form, makeOrder, payEnv, signedIn, waitForStatus } from '../helpers/world';
import * as f from '../factories';

const WECHAT = 'Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160117 MMWEBSDK/20240301 MMWEBID/1 MicroMessenger/8.0.48.2580(0x28003035) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';

const db = await testDatabase();
const knex = db.knex;
const env = await payEnv(db, { SANDBOX: '1', SANDBOX_TIME_SCALE: '0.0005', WECHAT_JSAPI: '1' });

async function student(due: string) {
  const p = await f.person(knex, { password: PASSWORD });
  const period = await f.period(knex);
  const item = await f.feeItem(knex, { category: '代收' });
  const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due });
  const c = await signedIn(env, p.number, PASSWORD, { ip: '10.9.8.7', userAgent: WECHAT });
  const orderNo = await makeOrder(c, '代收', period.id, { [billId]: due });
  await c.get(`/pay/orders/${orderNo}`);
  return { ...p, c, billId, orderNo };
}

/** 确定缴费 with 微信支付 inside WeChat: the 网页授权 URL it leads to. */
async function authorize(s: Awaited<ReturnType<typeof student>>) {
  const res = await s.c.post(`/pay/orders/${s.orderNo}/submit`, { channel: 'wechat' });
  expect(res.status, res.text).toBe(303);
  return res.headers.location!;
}

/** WeChat's answer to the authorize URL: the platform's /pay/wechat/oauth?code&state. */
async function comeBack(authorizeUrl: string) {
  const r = await fetch(authorizeUrl.split('#')[0]!, { redirect: 'manual' });
  expect(r.status).toBe(302);
  const back = new URL(r.headers.get('location')!);
  expect(back.origin).toBe(env.appUrl);
  return `${back.pathname}${back.search}`;
}

describe('微信支付 JSAPI inside WeChat (official account configured)', () => {
  it('网页授权 → openid → JSAPI page with a signed getBrandWCPayRequest → paid at WeChat, credited once', async () => {
    const s = await student('249.99');
    const at = new URL(await authorize(s));
    expect(`${at.origin}${at.pathname}`).toBe(`${env.sandboxUrl}/wechat/connect/oauth2/authorize`);
    expect(Object.fromEntries(at.searchParams)).toMatchObject({
      appid: env.config.channels.wechat.appId, redirect_uri: `${env.appUrl}/pay/wechat/oauth`, response_type: 'code', scope: 'snsapi_base',
    });
    expect(at.hash).toBe('#wechat_redirect');
    // Nothing was sent to the channel yet.
    expect(env.sandbox.wechat.trades.has(s.orderNo)).toBe(false);

    const back = await s.c.get(await comeBack(at.toString()));
    expect(back.status).toBe(200);
    expect(back.text).toContain('data-autosubmit');
    expect(back.text).toContain(`action="/pay/orders/${s.orderNo}/submit"`);
    // The auto-posted 确定缴费 (pay.js submits it): now with the openid, to the JSAPI page.
    const submitted = await s.c.post(`/pay/orders/${s.orderNo}/submit`, { channel: 'wechat' });
    expect(submitted.status).toBe(303);
    expect(submitted.headers.location).toBe(`/pay/wechat/jsapi/${s.orderNo}`);
    const trade = env.sandbox.wechat.trades.get(s.orderNo)!;
    expect(trade.extra.tradeType).toBe('JSAPI');

    const page = await s.c.get(submitted.headers.location!);
    expect(page.status).toBe(200);
    const json = /data-jsapi="([^"]+)"/.exec(page.text)![1]!.replace(/&#34;/g, '"').replace(/&amp;/g, '&');
    const params = JSON.parse(json) as Record<string, string>;
    expect(params).toMatchObject({ appId: env.config.channels.wechat.appId, signType: 'RSA' });
    expect(params.package).toMatch(/^prepay_id=wx/);
    const message = `${params.appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
    expect(rsaVerify(message, params.paySign!, env.sandbox.wechat.merchantKeys.publicKey)).toBe(true);
    expect(page.text).toContain('<script src="/public/js/pay-jsapi.js"></script>');
    expect(page.text).toContain(`data-progress="/pay/orders/${s.orderNo}/progress"`);

    // WeChat's client checks paySign before it shows its cashier.
    const cashier = /<a href="([^"]+)">模拟微信支付（沙箱）<\/a>/.exec(page.text)![1]!.replace(/&amp;/g, '&');
    const forged = new URL(cashier);
    forged.searchParams.set('paySign', Buffer.from('forged').toString('base64'));
    expect(await (await fetch(forged)).text()).toBe('支付验证签名失败');
    const shown = await (await fetch(cashier)).text();
    expect(shown).toContain('确认支付');
    const u = new URL(cashier);
    const paid = await (await fetch(`${u.origin}${u.pathname}/confirm${u.search}`, form({}, { follow: true }))).text();
    expect(paid).toContain('支付成功');
    await waitForStatus(knex, s.orderNo, 'paid');
    expect(await countRows(knex, 'bill_ledger', { bill_id: s.billId, kind: 'payment' })).toBe(1);
    expect((await s.c.get(`/pay/orders/${s.orderNo}/waiting`)).headers.location).toBe(`/pay/orders/${s.orderNo}/result`);
  });

  it('a state this session did not send, or a code used twice, is not taken', async () => {
    const s = await student('50.00');
    const at = await authorize(s);
    const path = await comeBack(at);
    const forged = path.replace(/state=[^&]+/, 'state=somebody-else');
    const refused = await s.c.get(forged);
    expect(refused.status).toBe(303);
    expect(refused.headers.location).toBe('/pay');
    // Asked again, then the same code twice: WeChat answers 40029 the second time.
    const again = await comeBack(await authorize(s));
    expect((await s.c.get(again)).status).toBe(200);
    const other = await signedIn(env, s.number, PASSWORD, { userAgent: WECHAT });
    await other.get(`/pay/orders/${s.orderNo}`);
    const state = /state=([^&#]+)/.exec(await authorize({ ...s, c: other }))![1]!;
    const reused = await other.get(again.replace(/state=[^&]+/, `state=${state}`));
    expect(reused.status).toBe(502);
    expect(text(reused.text)).toContain('未能获取微信授权');
  });
});
