// The rough edges a first-time payer meets, answered by the app in the test world: 图12's 非税通知
// 修改 says it changes 个人信息 too; the 验证码 is large, in plain dark capitals, and 看不清，换一张
// is a link that works without script (a new image, the form's values kept, nothing checked or
// spent); 系统公告 keep finance's paragraphs, line breaks and lists, with nothing of theirs as markup.
import { describe, expect, it } from 'vitest';
import { ACCOUNT_CAPTCHA_AFTER } from '../../src/modules/auth/throttle';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { countRows, makeOrder, PASSWORD, payEnv, signedIn } from '../helpers/world';
import * as f from '../factories';
import { captchaOf } from './profile-helpers';

const db = await testDatabase();
const k = db.knex;
const env = await payEnv(db);

describe('非税通知 手机 修改 (图12)', () => {
  it('says beside the box and after saving that 个人信息 changes too, and it does', async () => {
    const p = await f.person(k, { password: PASSWORD, mobile: '17812345520' });
    const c = await signedIn(env, p.number);
    const period = await f.period(k);
    const billId = await f.bill(k, { personId: p.personId, periodId: period.id, feeItemId: (await f.feeItem(k, { category: '财政' })).id, due: '800.00' });
    const orderNo = await makeOrder(c, '财政', period.id, { [billId]: '800.00' });

    const edit = text((await c.get(`/pay/orders/${orderNo}?edit=mobile`)).text);
    expect(edit).toContain('修改后，个人信息中的手机号码也将同步更新（电子票据将发送至该号码）');
    const saved = await c.post(`/pay/orders/${orderNo}/mobile`, { mobile: '13912345678' });
    expect(saved.status).toBe(303);
    const after = text((await c.get(saved.headers.location!)).text);
    expect(after).toContain('非税通知手机号码已修改，个人信息中的手机号码已同步更新');
    expect(after).toContain('手机：139****5678');
    expect(text((await c.get('/profile')).text)).toContain('手机： 13912345678');
  });
});

describe('验证码', () => {
  it('draws a 160×60 image of four dark capitals or digits that cannot pass for one another', async () => {
    const c = new Client(env.app);
    await c.get('/login');
    for (let i = 0; i < 5; i++) {
      const { text: answer, res } = await captchaOf(c, k);
      const svg = res.body instanceof Buffer ? res.body.toString('utf8') : String(res.text ?? res.body);
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="160" height="60"/);
      // No pastel colours: svg-captcha's greys (#000 … #999) only, no background rectangle.
      expect([...svg.matchAll(/(?:fill|stroke)="(#[0-9a-f]+)"/g)].map((m) => m[1]).every((col) => /^#([0-9])\1\1$/.test(col!))).toBe(true);
      expect(svg).not.toContain('<rect');
      expect(answer).toMatch(/^[3467abcdefghjkmnprtwxy]{4}$/);
    }
  });

  it('has a 换一张 link on the login page that keeps the 验证码 and the 用户名 without script, and a new image replaces the old answer', async () => {
    const p = await f.person(k, { password: PASSWORD });
    const c = new Client(env.app);
    for (let i = 0; i < ACCOUNT_CAPTCHA_AFTER; i++) await c.login(p.number, `wrong-${i}`);
    const refused = await c.post('/login', { username: p.number, password: 'wrong-x' });
    expect(text(refused.text)).toContain('验证码');
    const link = /<a href="([^"]+)" class="captcha-refresh">看不清，换一张<\/a>/.exec(refused.text)?.[1]?.replace(/&amp;/g, '&');
    expect(link).toBe(`/login?captcha=1&username=${p.number}`);

    const first = await captchaOf(c, k);
    // 换一张 without script: the page again (with its field and the 用户名), and the image it loads.
    const again = await c.get(link!);
    expect(again.status).toBe(200);
    expect(again.text).toContain('name="captcha"');
    expect(again.text).toContain(`name="username" value="${p.number}"`);
    const second = await captchaOf(c, k);
    expect(second.sid).toBe(first.sid);
    // One answer per image, as before: the first image's answer no longer signs in.
    if (first.text !== second.text) {
      const stale = await c.post('/login', { username: p.number, password: PASSWORD, captcha: first.text });
      expect(stale.status).toBe(400);
      expect(text(stale.text)).toContain('验证码不正确');
      await captchaOf(c, k).then(async (third) => {
        const ok = await c.post('/login', { username: p.number, password: PASSWORD, captcha: third.text });
        expect(ok.status).toBe(303);
      });
    }
  });

  it('has the same link on 找回密码 and on the public e-bill check, where loading it checks nothing and counts nothing', async () => {
    const recover = await new Client(env.app).get('/recover?captcha=1&username=T123');
    expect(recover.text).toContain('name="captcha"');
    expect(recover.text).toContain('name="username" value="T123"');
    expect(recover.text).toContain('href="/recover?captcha=1&amp;username=T123" class="captcha-refresh"');

    const before = await countRows(k, 'auth_throttle');
    const c = new Client(env.app);
    const page = await c.get('/ebills/verify?code=62010126&no=0000000001&check=123456&refresh=1');
    expect(page.status).toBe(200);
    const t = text(page.text);
    expect(t).not.toContain('未查到该票据');
    expect(page.text).toContain('name="captcha"');
    expect(page.text).toContain('value="0000000001"');
    expect(page.text).toContain('href="/ebills/verify?code=62010126&amp;no=0000000001&amp;check=123456&amp;refresh=1" class="captcha-refresh"');
    expect(await countRows(k, 'auth_throttle')).toBe(before);
  });
});

describe('系统公告', () => {
  it('keeps paragraphs, line breaks and lists as finance typed them, and shows their markup as text', async () => {
    const fin = await f.person(k, { password: PASSWORD, role: 'finance_admin' });
    const c = await signedIn(env, fin.number);
    await c.get('/console/announcements/new');
    const body = '各位同学：\n2019年度学费开始缴纳。\n\n注意事项：\n1、请使用本人账户缴费\n2、缴费后请查看电子票据\n\n- 财务处 2973305\n- <script>alert(1)</script>';
    const published = await c.post('/console/announcements', { action: 'publish', title: '缴费通知（格式）', body });
    expect(published.status, text(published.text).slice(-600)).toBe(303);

    const login = await new Client(env.app).get('/login');
    const article = /<h3>缴费通知（格式）<\/h3>[\s\S]*?<\/article>/.exec(login.text)?.[0] ?? '';
    const html = article.replace(/\s*\n\s*/g, '');
    expect(html).toContain('<p>各位同学：<br>2019年度学费开始缴纳。</p><p>注意事项：</p>');
    expect(html).toContain('<ol><li>请使用本人账户缴费</li><li>缴费后请查看电子票据</li></ol>');
    expect(html).toContain('<ul><li>财务处 2973305</li><li>&lt;script&gt;alert(1)&lt;/script&gt;</li></ul>');
    expect(login.text).not.toContain('<script>alert(1)');
  });
});
