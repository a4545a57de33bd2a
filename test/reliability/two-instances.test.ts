// Two instances of the platform (src/server.ts as child processes, each on its own port, one
// database) behind a real nginx running the shipped deploy/nginx/campus-pay.conf, with one
// standalone sandbox (src/sandbox/main.ts) for both. Where each request lands is forced by
// taking an instance out of the upstream and reloading nginx, as an operator drains one, and
// read back from the site's access log.
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../helpers/app';
import { Browser, startDeployment, waitUntil } from '../helpers/deploy';
import { testDatabase } from '../helpers/test-db';
import { payAtCashier } from '../helpers/world';
import * as f from '../factories';
import { ACCOUNT_CAPTCHA_AFTER } from '../../src/modules/auth/throttle';

const PW = 'Chosen@2026x';
const db = await testDatabase();
const d = await startDeployment({
  databaseUrl: db.url, count: 2,
  env: { NODE_ENV: 'test', SESSION_SECRET: TEST_SECRET, LOG_LEVEL: 'warn', COOKIE_SECURE: '1', SANDBOX_TIME_SCALE: '0.001' },
});
afterAll(() => d.stop());
const [A, B] = d.instances as [typeof d.instances[0], typeof d.instances[0]];

const browser = (clientAddress = '127.0.0.5') => new Browser({ base: d.nginx.url, ca: d.nginx.cert, clientAddress });

/** Where the requests logged since `from` landed, as "METHOD /path upstream". */
function landed(from: number, match: (path: string) => boolean) {
  return d.nginx.accessLog().slice(from).filter((l) => match(l.path)).map((l) => ({ what: `${l.method} ${l.path.split('?')[0]}`, upstream: l.upstream, status: l.status }));
}

/** Waits for nginx to have logged the requests answered so far (it logs just after answering). */
const logged = async (n: number) => waitUntil(() => d.nginx.accessLog().length >= n, 5_000, () => 'access log behind');

async function student(due = '250.00', category: '财政' | '代收' = '财政') {
  const p = await f.person(db.knex, { password: PW });
  const b = await f.buildBill(db.knex, { personId: p.personId, category, due });
  return { ...p, billId: b.id, periodId: b.periodId, due };
}

/** 缴费信息修改 → 交费信息显示 → 下一步 (to `at`, or through nginx): the new order's number. */
async function buildOrder(br: Browser, s: Awaited<ReturnType<typeof student>>, category: '财政' | '代收', at?: string) {
  expect((await br.get(`/pay/items?category=${encodeURIComponent(category)}&period=${s.periodId}`, at)).status).toBe(200);
  const chosen = await br.post('/pay/items', { category, period: String(s.periodId), bill: [String(s.billId)], [`amount_${s.billId}`]: s.due }, at);
  expect(chosen.status, chosen.text.slice(0, 300)).toBe(303);
  expect((await br.get('/pay/review', at)).status).toBe(200);
  return br;
}

async function nextStep(br: Browser, at?: string): Promise<string> {
  const res = await br.post('/pay/orders', {}, at);
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  return /\/pay\/orders\/(XF\d{6}LUT\d{6})/.exec(String(res.headers.location))![1]!;
}

async function credits(orderNo: string) {
  const o = await db.knex('orders').where({ order_no: orderNo }).first('id', 'status');
  const [entries] = await db.knex('bill_ledger').where({ order_id: o.id, kind: 'payment' }).count<{ n: string }[]>('* as n');
  const [receipts] = await db.knex('receipts').where({ order_id: o.id }).count<{ n: string }[]>('* as n');
  return { status: o.status as string, entries: Number(entries!.n), receipts: Number(receipts!.n) };
}

const paid = (orderNo: string) => waitUntil(async () => (await credits(orderNo)).status === 'paid', 30_000, () => `${orderNo} not credited`);

describe('two instances behind nginx', () => {
  it('login lands on A, the order is built and sent to the channel on B, the notifications on A: credited once, the session good on both', async () => {
    const s = await student();
    const br = browser();

    await d.nginx.reload([{ address: A.address }, { address: B.address, down: true }]);
    let mark = d.nginx.accessLog().length;
    expect((await br.get('/login')).status).toBe(200);
    const login = await br.post('/login', { username: s.number, password: PW });
    expect(login.status).toBe(303);
    expect(String(login.headers['set-cookie'])).toMatch(/cupp\.sid=.*; Secure/i);
    await logged(mark + 2);
    expect(landed(mark, (p) => p === '/login')).toEqual([
      { what: 'GET /login', upstream: A.address, status: 200 }, { what: 'POST /login', upstream: A.address, status: 303 },
    ]);
    // The session is in PostgreSQL: either instance knows the student.
    for (const at of [A.url, B.url]) {
      const home = await br.get('/', at);
      expect(home.status).toBe(200);
      expect(home.text).toContain(s.name);
    }

    await d.nginx.reload([{ address: A.address, down: true }, { address: B.address }]);
    mark = d.nginx.accessLog().length;
    const fees = await br.get('/fees');
    expect(fees.status).toBe(200);
    expect(fees.text).toContain('250.00');
    await buildOrder(br, s, '财政');
    const orderNo = await nextStep(br);
    expect((await br.get(`/pay/orders/${orderNo}`)).status).toBe(200);
    const submit = await br.post(`/pay/orders/${orderNo}/submit`, { channel: 'nontax' });
    expect(submit.status, submit.text.slice(0, 300)).toBe(303);
    const cashierUrl = String(submit.headers.location);
    expect(cashierUrl.startsWith(`${d.sandboxUrl}/nontax/cashier/`)).toBe(true);
    await logged(mark + 7);
    const onB = landed(mark, (p) => !p.startsWith('/healthz'));
    expect(onB.map((x) => x.what)).toEqual(['GET /fees', 'GET /pay/items', 'POST /pay/items', 'GET /pay/review', 'POST /pay/orders', `GET /pay/orders/${orderNo}`, `POST /pay/orders/${orderNo}/submit`]);
    expect(new Set(onB.map((x) => x.upstream))).toEqual(new Set([B.address]));

    // The channel notifies three copies at once, through nginx, which now sends everything to A.
    await d.nginx.reload([{ address: A.address }, { address: B.address, down: true }]);
    const fault = await fetch(`${d.sandboxUrl}/_control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'nontax', kind: 'duplicate', count: 1, n: 3 }) });
    expect(fault.status).toBe(201);
    mark = d.nginx.accessLog().length;
    const back = await payAtCashier(cashierUrl, 'alipay');
    await paid(orderNo);
    await waitUntil(() => landed(mark, (p) => p === '/pay/notify/nontax').length >= 3, 10_000, () => 'notifications not logged');
    const notes = landed(mark, (p) => p === '/pay/notify/nontax');
    expect(notes.every((n) => n.upstream === A.address && n.status === 200), JSON.stringify(notes)).toBe(true);
    expect(await credits(orderNo)).toEqual({ status: 'paid', entries: 1, receipts: 1 });

    // Back at the school, through nginx on both instances again: the result page, on either.
    await d.nginx.reload([{ address: A.address }, { address: B.address }]);
    const result = await br.get(new URL(back).pathname);
    expect(result.status).toBe(200);
    expect(result.text).toContain('支付成功');
    for (const at of [A.url, B.url]) expect((await br.get(`/pay/orders/${orderNo}/result`, at)).text).toContain('支付成功');
    expect(await credits(orderNo)).toEqual({ status: 'paid', entries: 1, receipts: 1 });
  }, 120_000);

  it('a sign-in throttle earned on A is met on B, and the 验证码 shown by A is accepted by B', async () => {
    const s = await student();
    const guesser = browser('127.0.0.6');
    await guesser.get('/login', A.url);
    for (let i = 0; i < ACCOUNT_CAPTCHA_AFTER; i++) {
      expect((await guesser.post('/login', { username: s.number, password: `wrong-${i}` }, A.url)).status).toBe(401);
    }
    // The owner, from another address, at B: the account now asks for a 验证码.
    const owner = browser('127.0.0.7');
    await owner.get('/login', B.url);
    const refused = await owner.post('/login', { username: s.number, password: PW }, B.url);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('name="captcha"');
    // The image comes from A, the answer goes to B: the captcha is the session's row in PostgreSQL.
    const image = await owner.get('/captcha.svg', A.url);
    expect(image.status).toBe(200);
    const signed = decodeURIComponent(owner.jar.get('cupp.sid')!);
    const sid = signed.slice(2, signed.lastIndexOf('.'));
    const { answer } = await db.knex('captchas').where({ session_id: sid }).first('answer');
    const ok = await owner.post('/login', { username: s.number, password: PW, captcha: answer }, B.url);
    expect(ok.status, ok.text.slice(0, 300)).toBe(303);
  }, 120_000);

  it('orders built on A and B at the same moment get distinct numbers; their payments are notified through nginx to both, each credited once', async () => {
    const students = await Promise.all(Array.from({ length: 8 }, () => student('80.00')));
    const browsers = await Promise.all(students.map(async (s, i) => {
      const at = i % 2 ? B.url : A.url;
      const br = browser();
      await br.get('/login', at);
      expect((await br.post('/login', { username: s.number, password: PW }, at)).status).toBe(303);
      return buildOrder(br, s, '财政', at);
    }));
    // Every 下一步 at once, half on each instance.
    const orderNos = await Promise.all(browsers.map((br, i) => nextStep(br, i % 2 ? B.url : A.url)));
    expect(new Set(orderNos).size).toBe(students.length);
    const rows = await db.knex('orders').whereIn('order_no', orderNos).pluck('person_id');
    expect(new Set(rows)).toEqual(new Set(students.map((s) => s.personId)));

    const mark = d.nginx.accessLog().length;
    await Promise.all(browsers.map(async (br, i) => {
      const submit = await br.post(`/pay/orders/${orderNos[i]}/submit`, { channel: 'nontax' });
      expect(submit.status).toBe(303);
      await payAtCashier(String(submit.headers.location), 'alipay');
    }));
    for (const no of orderNos) await paid(no);
    await waitUntil(() => landed(mark, (p) => p === '/pay/notify/nontax').length >= orderNos.length, 10_000, () => 'notifications not logged');
    const notes = landed(mark, (p) => p === '/pay/notify/nontax');
    expect(notes.every((n) => n.status === 200)).toBe(true);
    // least_conn falls back to round robin between idle instances: both took notifications.
    expect(new Set(notes.map((n) => n.upstream))).toEqual(new Set([A.address, B.address]));
    for (const no of orderNos) expect(await credits(no)).toEqual({ status: 'paid', entries: 1, receipts: 1 });
  }, 120_000);
});
