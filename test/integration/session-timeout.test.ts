// The login page after 退出登录 and after a session timeout, and a form of the 缴费 wizard posted
// into a timed-out session: it lands on the login page with its place explained and nothing done,
// while a cross-site POST carrying the same dead cookie is still refused by the CSRF check.
import { describe, expect, it } from 'vitest';
import { Client, text } from '../helpers/client';
import { testApp, testConfig } from '../helpers/app';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const PASSWORD = 'Abc12345!x';
const db = await testDatabase();
const app = testApp(db);
const ORIGIN = new URL(testConfig(db).publicUrl).origin;
const TIMED_OUT = '登录已超时，请重新登录';
const CSRF_REFUSAL = '页面已过期或请求来源无效';

async function student() {
  const p = await f.person(db.knex, { password: PASSWORD });
  const period = await f.period(db.knex);
  const item = await f.feeItem(db.knex, { category: '代收' });
  const billId = await f.bill(db.knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '300.00' });
  const c = new Client(app);
  const login = await c.login(p.number, PASSWORD);
  expect(login.status).toBe(303);
  return { c, login, ...p, periodId: period.id, billId };
}

/** The idle limit passes: the store no longer gives the session back (connect-pg-simple reads `expire`). */
const expireSessionsOf = (accountId: number) =>
  db.knex('sessions').whereRaw(`(sess::jsonb->>'accountId')::int = ?`, [accountId]).update({ expire: db.knex.raw(`now() - interval '1 minute'`) });

const count = async (table: string, where: Record<string, unknown> = {}) =>
  Number((await db.knex(table).where(where).count<{ n: string }[]>('* as n'))[0]!.n);

/** The wizard up to 交费信息显示, the page whose 下一步 builds the order. */
async function atReview(s: Awaited<ReturnType<typeof student>>) {
  await s.c.get(`/pay/items?category=${encodeURIComponent('代收')}&period=${s.periodId}`);
  await s.c.post('/pay/items', { category: '代收', period: String(s.periodId), bill: String(s.billId), [`amount_${s.billId}`]: '300.00' });
  const review = await s.c.get('/pay/review');
  expect(review.status).toBe(200);
  return /name="_csrf" value="([^"]+)"/.exec(review.text)![1]!;
}

describe('the login page after 退出登录 and after a timeout', () => {
  it('退出登录 → 您已退出登录, and the ended session is not taken for a timeout', async () => {
    const s = await student();
    await s.c.get('/');
    const out = await s.c.post('/logout', {});
    expect(out.headers.location).toBe('/login?out=1');
    expect(String(out.headers['set-cookie'])).toMatch(/cupp\.sid=;/);
    expect(text((await s.c.get('/login?out=1')).text)).toContain('您已退出登录');
    const fees = await s.c.get('/fees');
    expect(fees.headers.location).toBe('/login?next=%2Ffees');
  });

  it('a timed-out session → 登录已超时，请重新登录, and signing in goes back to the page asked for', async () => {
    const s = await student();
    // A browser session cookie: were it to expire with the session, the browser would drop it
    // at that very moment and the timeout would look like a first visit.
    // The signed-in session's id is sent once, with the login's answer (the cookie is not rolling).
    const cookie = [s.login.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('cupp.sid='));
    expect(cookie).toBeDefined();
    expect(cookie).not.toMatch(/Expires=|Max-Age=/i);
    await expireSessionsOf(s.accountId);
    const fees = await s.c.get('/fees');
    expect(fees.status).toBe(303);
    expect(fees.headers.location).toBe('/login?timeout=1&next=%2Ffees');
    const page = await s.c.get(fees.headers.location!);
    expect(text(page.text)).toContain(TIMED_OUT);
    const back = await s.c.post('/login', { username: s.number, password: PASSWORD, next: '/fees' });
    expect(back.headers.location).toBe('/fees');
  });

  it('a first visit (no cookie) is neither', async () => {
    const c = new Client(app);
    const res = await c.get('/fees');
    expect(res.headers.location).toBe('/login?next=%2Ffees');
    const page = text((await c.get('/login?next=%2Ffees')).text);
    expect(page).not.toContain(TIMED_OUT);
    expect(page).not.toContain('您已退出登录');
  });
});

describe('a wizard form posted into a timed-out session', () => {
  it('交费信息显示 → 下一步: the login page explains it, no order is built, nothing stored; signing in leads to 应交款明细表', async () => {
    const s = await student();
    const token = await atReview(s);
    await expireSessionsOf(s.accountId);
    const sessions = await count('sessions');
    const res = await s.c.agent.post('/pay/orders').type('form').set('Origin', ORIGIN).send({ _csrf: token });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?timeout=1&step=review&next=%2Fpay');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await count('sessions')).toBe(sessions);
    expect(await count('orders', { person_id: s.personId })).toBe(0);

    const page = text((await s.c.get(res.headers.location!)).text);
    expect(page).toContain(TIMED_OUT);
    expect(page).toContain('您在“交费信息显示”点击的“下一步”未能提交：没有生成缴费单，也没有扣款。请登录后重新选择缴费项目。');
    const back = await s.c.post('/login', { username: s.number, password: PASSWORD, next: '/pay' });
    expect(back.headers.location).toBe('/pay');
  });

  it('缴费信息修改 → 下一步, by Referer alone: explained, and back to the start', async () => {
    const s = await student();
    await s.c.get(`/pay/items?category=${encodeURIComponent('代收')}&period=${s.periodId}`);
    const token = (await s.c.get('/pay')).text.match(/name="_csrf" value="([^"]+)"/)![1]!;
    await expireSessionsOf(s.accountId);
    const res = await s.c.agent.post('/pay/items').type('form').set('Referer', `${ORIGIN}/pay/items`)
      .send({ _csrf: token, category: '代收', period: String(s.periodId), bill: String(s.billId) });
    expect(res.headers.location).toBe('/login?timeout=1&step=items&next=%2Fpay');
  });

  it('确定缴费 on an existing order: explained, nothing sent to a channel, and back to that order', async () => {
    const s = await student();
    const token = await atReview(s);
    const built = await s.c.post('/pay/orders', {});
    const orderPath = built.headers.location!;
    const orderNo = orderPath.split('/').pop()!;
    await expireSessionsOf(s.accountId);
    const res = await s.c.agent.post(`/pay/orders/${orderNo}/submit`).type('form').set('Sec-Fetch-Site', 'same-origin')
      .send({ _csrf: token, channel: 'icbc' });
    expect(res.headers.location).toBe(`/login?timeout=1&step=submit&next=${encodeURIComponent(`/pay/orders/${orderNo}`)}`);
    expect(await count('payment_attempts')).toBe(0);
    expect(text((await s.c.get(res.headers.location!)).text)).toContain('没有向银行提交支付，也没有扣款');
  });

  it('退出登录 from a page left open past the timeout → 您已退出登录', async () => {
    const s = await student();
    const token = (await s.c.get('/')).text.match(/name="_csrf" value="([^"]+)"/)![1]!;
    await expireSessionsOf(s.accountId);
    const res = await s.c.agent.post('/logout').type('form').set('Origin', ORIGIN).send({ _csrf: token });
    expect(res.headers.location).toBe('/login?out=1');
  });

  it('a console form: explained, and signing in leads back to the page it was on', async () => {
    const p = await f.person(db.knex, { password: PASSWORD, role: 'finance_admin' });
    const c = new Client(app);
    await c.login(p.number, PASSWORD);
    const token = (await c.get('/console/fees')).text.match(/name="_csrf" value="([^"]+)"/)![1]!;
    await expireSessionsOf(p.accountId);
    const before = await count('fee_periods');
    const res = await c.agent.post('/console/fees/periods').type('form').set('Origin', ORIGIN).set('Referer', `${ORIGIN}/console/fees`)
      .send({ _csrf: token, name: '2030年度' });
    expect(res.headers.location).toBe('/login?timeout=1&step=other&next=%2Fconsole%2Ffees');
    expect(await count('fee_periods')).toBe(before);
    expect(text((await c.get(res.headers.location!)).text)).toContain('您刚才提交的内容未能保存，请登录后重新操作。');
  });

  it('the login form itself, left open past the timeout → 登录已超时, not a 403', async () => {
    const c = new Client(app);
    await c.get('/login');
    await db.knex('sessions').update({ expire: db.knex.raw(`now() - interval '1 minute'`) }).whereRaw(`(sess::jsonb->>'anon')::boolean`);
    const res = await c.agent.post('/login').type('form').set('Origin', ORIGIN).send({ username: 'x', password: 'y' });
    expect(res.headers.location).toBe('/login?timeout=1');
  });

  it('cross-site, or with no word on where it came from, the same dead cookie still meets the CSRF refusal', async () => {
    const s = await student();
    const token = await atReview(s);
    await expireSessionsOf(s.accountId);
    const tries = [
      s.c.agent.post('/pay/orders').type('form').set('Origin', 'https://evil.example').send({ _csrf: token }),
      s.c.agent.post('/pay/orders').type('form').set('Sec-Fetch-Site', 'cross-site').set('Origin', ORIGIN).send({ _csrf: token }),
      s.c.agent.post('/pay/orders').type('form').set('Referer', 'https://evil.example/pay').send({ _csrf: token }),
      s.c.agent.post('/pay/orders').type('form').send({ _csrf: token }),
    ];
    for (const res of await Promise.all(tries)) {
      expect(res.status).toBe(403);
      expect(text(res.text)).toContain(CSRF_REFUSAL);
    }
    expect(await count('orders', { person_id: s.personId })).toBe(0);
  });

  it('a session cookie we did not sign is not a timeout', async () => {
    const c = new Client(app);
    await c.get('/login');
    const res = await c.agent.post('/pay/orders').type('form').set('Origin', ORIGIN)
      .set('Cookie', 'cupp.sid=s:forged.c2lnbmF0dXJl').send({ _csrf: 'x' });
    expect(res.status).toBe(403);
  });
});
