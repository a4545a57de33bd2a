// Hostile input, case by case (the fuzz test, test/fuzz/routes.test.ts, sweeps every route):
// control characters refused next to the field with the input kept, body-parser refusals as
// 413/415/400 pages in Chinese (JSON when asked), prototype keys as a channel name, a signed
// non-object WeChat body answered with WeChat's failure answer.
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { signedHeaders } from '../../src/gateways/wechat/codec';
import { Client, text } from '../helpers/client';
import { payEnv, setPassword, signedIn } from '../helpers/world';
import { testDatabase } from '../helpers/test-db';

const db = await testDatabase({ demo: true });
const env = await payEnv(db);
await setPassword(db.knex, DEMO.finance.number);

const FORM = 'application/x-www-form-urlencoded';

async function anonymous() {
  const c = new Client(env.app);
  await c.get('/login');
  return c;
}

describe('control characters', () => {
  it('refuses a NUL in 用户名 next to the field, keeps what was typed, and counts no guess', async () => {
    const c = await anonymous();
    const res = await c.post('/login', { username: `${DEMO.student.number}\u0000`, password: 'x' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/<span class="field-error">不能包含换行、制表符等控制字符<\/span>/);
    expect(res.text).toContain(`value="${DEMO.student.number}`);
    expect(await db.knex('rate_limits').count({ n: '*' }).first()).toMatchObject({ n: '0' });
  });

  it('refuses control characters in 找回密码 and in the e-bill check (a query string)', async () => {
    const c = await anonymous();
    await c.get('/recover');
    const rec = await c.post('/recover', { username: '\u001b[31m', idNumber: '620102199203154417' });
    expect(rec.status).toBe(400);
    expect(text(rec.text)).toContain('不能包含换行、制表符等控制字符');
    const v = await c.get('/ebills/verify?code=1%00&no=2&check=123456');
    expect(v.status).toBe(400);
    expect(text(v.text)).toContain('不能包含换行、制表符等控制字符');
  });
});

describe('body-parser refusals', () => {
  const post = async (c: Client, headers: Record<string, string>, body: string | Buffer, accept = 'text/html') =>
    c.agent.post('/login').set({ Accept: accept, ...headers }).send(body);

  it('answers 413 for more than 200 fields and for a body over the limit, in the layout and in Chinese', async () => {
    const c = await anonymous();
    const fields = `_csrf=${encodeURIComponent(c.csrfToken)}&${Array.from({ length: 300 }, (_, i) => `f${i}=1`).join('&')}`;
    const many = await post(c, { 'Content-Type': FORM }, fields);
    expect(many.status).toBe(413);
    expect(text(many.text)).toContain('提交的字段过多');
    expect(many.text).toContain('<footer');
    const big = await post(c, { 'Content-Type': FORM }, `a=${'x'.repeat(100_000)}`);
    expect(big.status).toBe(413);
    expect(text(big.text)).toContain('提交的内容过大');
  });

  it('answers 415 for an unknown charset or Content-Encoding, 400 for a broken gzip body; JSON when JSON is asked for', async () => {
    const c = await anonymous();
    expect((await post(c, { 'Content-Type': `${FORM}; charset=utf-7` }, 'a=1')).status).toBe(415);
    const enc = await post(c, { 'Content-Type': FORM, 'Content-Encoding': 'x-unknown' }, 'a=1');
    expect(enc.status).toBe(415);
    expect(text(enc.text)).toContain('不支持的内容编码');
    const gz = await post(c, { 'Content-Type': FORM, 'Content-Encoding': 'gzip' }, Buffer.from('not gzip'));
    expect(gz.status).toBe(400);
    expect(text(gz.text)).toContain('提交的内容无效');
    const json = await post(c, { 'Content-Type': `${FORM}; charset=utf-7` }, 'a=1', 'application/json');
    expect(json.status).toBe(415);
    expect(json.body).toEqual({ error: '不支持的字符编码，请使用 UTF-8 提交' });
  });

  it("answers a notify body the parser refuses with the channel's own failure answer", async () => {
    for (const headers of [{ 'Content-Encoding': 'x-unknown' }, { 'Content-Type': 'application/json; charset=utf-7' }] as Record<string, string>[]) {
      const res = await fetch(`${env.appUrl}/pay/notify/wechat`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 400, body: { code: 'FAIL', message: '失败' } });
    }
    const big = await fetch(`${env.appUrl}/pay/notify/wechat`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `"${'x'.repeat(100_000)}"` });
    expect(big.status).toBe(400);
  });

  it('answers a path parameter that is not valid percent-encoding with 400', async () => {
    const c = await signedIn(env, DEMO.finance.number);
    const res = await c.get('/console/people/%FF%FE');
    expect(res.status).toBe(400);
    expect(text(res.text)).not.toMatch(/Failed to decode/);
  });
});

describe('prototype keys', () => {
  it('refuses toString and __proto__ as the reconcile channel with 请选择渠道', async () => {
    const c = await signedIn(env, DEMO.finance.number);
    await c.get('/console/reconcile');
    for (const channel of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      const res = await c.post('/console/reconcile/run', { channel, day: '2026-11-30' });
      expect(res.status, channel).toBe(400);
      expect(text(res.text), channel).toContain('请选择渠道');
    }
  });

  it('answers a notification to /pay/notify/toString as an unknown channel', async () => {
    const res = await fetch(`${env.appUrl}/pay/notify/toString`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(404);
  });
});

describe('WeChat notifications that are signed but not an object', () => {
  it("answers signed null, arrays, numbers and strings with WeChat's failure answer", async () => {
    const wx = env.config.channels.wechat;
    for (const body of ['null', '[]', '1', '"x"', 'true']) {
      const headers = signedHeaders(body, wx.platformKeyId, env.sandbox.wechat.platformKeys.privateKey);
      const res = await fetch(`${env.appUrl}/pay/notify/wechat`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body });
      expect({ status: res.status, body: await res.json() }, body).toEqual({ status: 400, body: { code: 'FAIL', message: '失败' } });
    }
  });
});

describe('a stale or missing CSRF token', () => {
  it('answers a signed-in person 403 with the layout and a working 退出登录, not a broken page', async () => {
    const c = await signedIn(env, DEMO.student.number, DEMO.student.password);
    for (const fields of [{}, { _csrf: 'stale-token-from-an-old-tab' }] as Record<string, string>[]) {
      const res = await c.post('/pay/items', { category: '代收', ...fields }, { csrf: false });
      expect(res.status).toBe(403);
      expect(text(res.text)).toContain('页面已过期或请求来源无效');
      // The layout's own logout form carries a token of this session.
      expect(res.text).toMatch(/action="\/logout"[^>]*><input type="hidden" name="_csrf" value="[^"]+">/);
    }
  });
});
