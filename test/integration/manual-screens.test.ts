// The screens as the manual draws them, answered by the app in the test world: 个人信息 (图3)
// shows its owner the 身份证号 and 手机 in full and is never cached, while every other page masks
// them; 收费状态 (图8) says 停止 for an item whose window has ended; the login page carries the
// platform's address as a QR code (四.2) and the 新用户注册 note (三(一).4); 图12 names 非税支付
// above its notes; and 缴费信息修改 has its 修改 column for 代收 items (图18) as for 财政 (图10).
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { makeOrder, PASSWORD, payEnv, signedIn } from '../helpers/world';
import * as f from '../factories';

const db = await testDatabase();
const k = db.knex;
const env = await payEnv(db);

const MOBILE = '17812345520';
const DAY = 24 * 3600_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();

async function payer() {
  const p = await f.person(k, { password: PASSWORD, mobile: MOBILE });
  return { ...p, c: await signedIn(env, p.number) };
}

describe('个人信息 (图3)', () => {
  it('shows the owner their full 身份证号 and 手机, masks them on every other page, and is never cached', async () => {
    const { c, idNumber, personId } = await payer();
    const period = await f.period(k);
    const billId = await f.bill(k, { personId, periodId: period.id, feeItemId: (await f.feeItem(k, { category: '财政' })).id, due: '800.00' });

    const profile = await c.get('/profile');
    expect(profile.status).toBe(200);
    expect(profile.headers['cache-control']).toBe('no-store');
    const t = text(profile.text);
    expect(t).toContain(`身份证号： ${idNumber}`);
    expect(t).toContain(`手机： ${MOBILE}`);
    expect(t).toContain('请确认个人信息无误后再进行缴费');

    const orderNo = await makeOrder(c, '财政', period.id, { [billId]: '800.00' });
    for (const path of ['/', '/fees', '/pay', '/profile/edit', '/profile/password', `/pay/orders/${orderNo}`, '/transactions/bank']) {
      const res = await c.get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['cache-control'], path).toBe('no-store');
      expect(res.text, path).not.toContain(idNumber);
      expect(res.text, path).not.toContain(MOBILE);
    }
    // What they do show instead: 当前用户's 身份证号 and 图12's 非税通知 手机, masked.
    const confirm = text((await c.get(`/pay/orders/${orderNo}`)).text);
    expect(confirm).toContain(`身份证号：${idNumber.slice(0, 2)}*****${idNumber.slice(-1)}`);
    expect(confirm).toContain('手机：178****5520');
  });
});

describe('收费状态 (图8)', () => {
  it('says 收费 only while an item is collecting: 停止 once its 收费终止 has passed, before its 收费起始, or when finance stopped it', async () => {
    const { c, personId } = await payer();
    const period = await f.period(k);
    const items = {
      open: await f.feeItem(k, { name: '体检费（收费中）', feeType: '其他费用', startsAt: iso(-10 * DAY), endsAt: iso(10 * DAY) }),
      ended: await f.feeItem(k, { name: '考试费（已截止）', feeType: '其他费用', startsAt: iso(-20 * DAY), endsAt: iso(-DAY) }),
      later: await f.feeItem(k, { name: '会议费（未开始）', feeType: '其他费用', startsAt: iso(DAY), endsAt: iso(20 * DAY) }),
      stopped: await f.feeItem(k, { name: '教材费（已停止）', status: '停止' }),
      tuition: await f.feeItem(k, { name: '学费（不限时间）' }),
    };
    for (const item of Object.values(items)) await f.bill(k, { personId, periodId: period.id, feeItemId: item.id, due: '100.00' });

    const status = (page: string, name: string) => new RegExp(`${name.replace(/[()（）]/g, '.')} (\\S+ \\S+ )?(\\S+) (\\S+) (收费|停止) `).exec(page)?.[4];
    const all = text((await c.get('/fees?expired=1')).text);
    expect(status(all, items.open.name)).toBe('收费');
    expect(status(all, items.tuition.name)).toBe('收费');
    expect(status(all, items.ended.name)).toBe('停止');
    expect(status(all, items.later.name)).toBe('停止');
    expect(status(all, items.stopped.name)).toBe('停止');
    // The ended item is left out without 显示过期项目, as before; the home page says the same.
    const home = text((await c.get('/')).text);
    expect(home).not.toContain(items.ended.name);
    expect(status(home, items.later.name)).toBe('停止');
    expect(status(home, items.open.name)).toBe('收费');
  });
});

describe('登录 (图1, 三(一), 四.2)', () => {
  it('shows the platform address as a QR code drawn on the server, and the 新用户注册 note with its link', async () => {
    const res = await fetch(`${env.appUrl}/login`);
    const html = await res.text();
    expect(res.status).toBe(200);
    const address = `${env.config.publicUrl}/`;
    // The same SVG the qrcode package draws for the address: the code a phone scans leads there.
    const svg = /<div class="phone-qr-code"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1];
    expect(svg).toBe(await QRCode.toString(address, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }));
    expect(svg).not.toMatch(/<script|style=/);
    const t = text(html);
    expect(t).toContain(`用手机微信（支付宝）扫码登录统一支付平台 ${address}`);
    // 三(一) 1–4, the fourth naming 新用户注册, which is a link under the form (src/modules/registration).
    expect(t).toContain('在校生登陆时，用户名为学号，密码为身份证号后8位（末尾X大写）。');
    expect(t).toContain('通过报名缴费的非在校生初始登陆时，点击新用户注册，注册之后再登陆。');
    expect(html).toContain('<a href="/register">新用户注册</a>');
    // The CSP still allows no inline script or style: the QR needs neither.
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });
});

describe('缴费信息确认及支付方式选择 (图12) and 缴费信息修改 (图10, 图18)', () => {
  it('names 非税支付 above the notes of a 财政 order, and the chosen channel above those of a 代收 one', async () => {
    const { c, personId } = await payer();
    const period = await f.period(k);
    const fiscal = await f.bill(k, { personId, periodId: period.id, feeItemId: (await f.feeItem(k, { category: '财政' })).id, due: '1100.00' });
    const collected = await f.bill(k, { personId, periodId: period.id, feeItemId: (await f.feeItem(k, { category: '代收' })).id, due: '250.00' });

    const fiscalPage = (await c.get(`/pay/orders/${await makeOrder(c, '财政', period.id, { [fiscal]: '1100.00' })}`)).text;
    expect(fiscalPage).toMatch(/<h3 class="channel-heading" id="pay-channel-name">非税支付<\/h3>\s*<ol class="warnings">\s*<li class="warning">请确保您已开通网上支付功能/);
    const collectedPage = (await c.get(`/pay/orders/${await makeOrder(c, '代收', period.id, { [collected]: '250.00' })}`)).text;
    const first = /<input type="radio" name="channel" value="\w+"[^>]*data-label="([^"]+)"/.exec(collectedPage)?.[1];
    expect(first).toBeTruthy();
    expect(collectedPage).toContain(`<h3 class="channel-heading" id="pay-channel-name">${first}</h3>`);
  });

  it('has the 操作列 with 修改 on every line for 代收 items as for 财政 ones, usable without JavaScript', async () => {
    const { c, personId } = await payer();
    const period = await f.period(k);
    const lines = {
      财政: [await f.feeItem(k, { category: '财政' }), await f.feeItem(k, { category: '财政' })],
      代收: [await f.feeItem(k, { category: '代收' }), await f.feeItem(k, { category: '代收' })],
    };
    for (const [category, items] of Object.entries(lines)) {
      const bills = [];
      for (const item of items) bills.push(await f.bill(k, { personId, periodId: period.id, feeItemId: item.id, due: '250.00' }));
      const page = (await c.get(`/pay/items?category=${encodeURIComponent(category)}&period=${period.id}`)).text;
      expect(page, category).toContain('<th>操作列</th>');
      for (const id of bills) {
        // The label points at the line's own amount box, which takes typing without script.
        expect(page, category).toContain(`<td data-label="操作列" class="edit" data-edit-for="amount_${id}"><label for="amount_${id}" class="link">修改</label></td>`);
        expect(page, category).toMatch(new RegExp(`<input class="amount" name="amount_${id}" id="amount_${id}"(?![^>]*readonly)`));
      }
    }
  });
});
