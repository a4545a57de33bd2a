// /metrics after a real payment through the sandbox's non-tax platform: requests and latency by
// route pattern, credits and refusals per channel, the e-bill and SMS queues, job ages. Only for
// METRICS_ALLOW, judged by the socket's address (a second loopback address is another peer), and
// never for a request that came through a proxy. Every log line of a money event names its order.
import { request } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/test-db';
import { makeOrder, notification, payAtCashier, payEnv, postNotify, signedIn, submitNontax, waitForStatus, PASSWORD } from '../helpers/world';
import * as f from '../factories';

const lines: Record<string, unknown>[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});

const db = await testDatabase();
// No e-bill kick after the credit: the payment's e-bill stays queued for /metrics to count.
const env = await payEnv(db, { METRICS_ALLOW: '127.0.0.1' }, { logger: pino({ level: 'info', base: undefined }, capture), afterCredit: () => {} });
const knex = db.knex;

/** GET from a chosen local address (127.0.0.2 is loopback too, but not the allowed 127.0.0.1). */
function get(path: string, o: { from?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = request(`${env.appUrl}${path}`, { localAddress: o.from ?? '127.0.0.1', headers: { accept: 'text/plain', ...o.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of one series (labels in the order prom-client writes them), or undefined. */
function value(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics and the money events in the log', () => {
  let orderNo = '';

  it('after a payment, shows requests by route, the credit and a refusal per channel, the queues and job ages', async () => {
    const p = await f.person(knex, { password: PASSWORD });
    const period = await f.period(knex);
    const item = await f.feeItem(knex, { category: '财政' });
    const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '120.00' });
    const c = await signedIn(env, p.number);
    orderNo = await makeOrder(c, '财政', period.id, { [billId]: '120.00' });
    const s = await submitNontax(c, orderNo);
    await payAtCashier(s.cashierUrl, 'alipay');
    await waitForStatus(knex, orderNo, 'paid');
    // A forged notification for the same bill: refused, and counted as the channel's refusal.
    expect((await postNotify(env, notification(env, s.payCode, { tamper: true }))).text).toBe('FAIL');
    await knex('job_runs').insert({ name: 'ebills', last_started_at: new Date(Date.now() - 30_000), last_instance: 'test', runs: 1 }).onConflict('name').merge();

    const m = await get('/metrics');
    expect(m.status).toBe(200);
    expect(m.type).toContain('text/plain');
    expect(value(m.body, 'payment_credits_total{channel="nontax",via="notify"}')).toBe(1);
    expect(value(m.body, 'payment_refusals_total{channel="nontax",reason="signature"}')).toBe(1);
    // By route pattern, never by the order's own URL.
    expect(value(m.body, 'http_requests_total{method="GET",route="/pay/orders/:orderNo",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(value(m.body, 'http_requests_total{method="POST",route="/login",status="303"}')).toBeGreaterThanOrEqual(1);
    expect(m.body).not.toContain(orderNo);
    expect(m.body).toMatch(/^http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/pay\/orders\/:orderNo"\} \d+/m);
    // The payment's e-bill waits (no job or kick runs in this test) and its SMS is queued.
    expect(value(m.body, 'queue_depth{queue="ebills_pending"}')).toBe(1);
    expect(value(m.body, 'queue_depth{queue="sms_pending"}')).toBeGreaterThanOrEqual(1);
    expect(value(m.body, 'job_seconds_since_start{job="ebills"}')).toBeGreaterThanOrEqual(29);
    expect(value(m.body, 'job_last_run_failed{job="ebills"}')).toBe(0);
    expect(value(m.body, 'gate_active{gate="bcrypt"}')).toBe(0);
    expect(m.body).toContain('process_resident_memory_bytes');
  });

  it('is not there for another address, nor for anyone through a proxy', async () => {
    // 127.0.0.2 reaches the app like any client; only 127.0.0.1 is METRICS_ALLOW here.
    expect((await get('/metrics', { from: '127.0.0.2' })).status).toBe(404);
    // nginx on this host connects from 127.0.0.1: a forwarded request is a client's, whoever the peer.
    expect((await get('/metrics', { headers: { 'x-forwarded-for': '127.0.0.1' } })).status).toBe(404);
    expect((await get('/metrics', { headers: { forwarded: 'for=127.0.0.1' } })).status).toBe(404);
    expect((await get('/metrics')).status).toBe(200);
  });

  it('logs every money event with its order number: the credit and the refusal', () => {
    const credited = lines.filter((l) => l.msg === 'payment credited');
    expect(credited).toHaveLength(1);
    expect(credited[0]).toMatchObject({ orderNo, channel: 'nontax', via: 'notify', amount: '120.00' });
    const refused = lines.filter((l) => l.msg === 'notification refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ orderNo, channel: 'nontax', reason: 'signature' });
    const money = lines.filter((l) => /payment|refund|order closed|notification/.test(String(l.msg)));
    expect(money.length).toBeGreaterThanOrEqual(2);
    for (const l of money) expect(l, JSON.stringify(l)).toHaveProperty('orderNo');
  });
});
