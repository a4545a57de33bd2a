// The non-tax simulator's faults go through the shared control (POST /_control/faults with
// channel "nontax"), like every other channel's: the sandbox on a real port, the school's side
// a bare HTTP server answering with the real non-tax adapter's parseNotification.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { nontaxAdapter } from '../../src/gateways/nontax/adapter';
import type { ChannelOrder, ParsedNotification } from '../../src/gateways/types';
import { createSandboxApp } from '../../src/sandbox/server';
import { testConfig } from '../helpers/app';
import { form, sandboxControl, until as untilWorld } from '../helpers/world';

const dataDir = mkdtempSync(path.join(tmpdir(), 'nontax-faults-'));
const listen = async (s: Server) => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};
const sbServer = createServer();
const schoolServer = createServer();
const sandboxUrl = await listen(sbServer);
const schoolUrl = await listen(schoolServer);
const config = testConfig({ url: 'postgres://unused' }, { DATA_DIR: dataDir, PUBLIC_URL: schoolUrl, SANDBOX_URL: sandboxUrl, SANDBOX_TIME_SCALE: '0.001' });
const sandbox = createSandboxApp({ config });
sbServer.on('request', sandbox);
const adapter = nontaxAdapter(config.nontax);

/** What the school received: every notification as parsed, by our order number. */
const received: { orderNo: string | null; parsed: ParsedNotification }[] = [];
const bodyOf = (req: IncomingMessage) => new Promise<string>((r) => {
  let s = '';
  req.setEncoding('utf8').on('data', (c: string) => (s += c)).on('end', () => r(s));
});
schoolServer.on('request', async (req, res) => {
  const rawBody = await bodyOf(req);
  const parsed = adapter.parseNotification({ method: req.method ?? 'POST', path: req.url ?? '/', headers: req.headers, rawBody });
  received.push({ orderNo: parsed.verified ? parsed.event.orderNo : parsed.claimedOrderNo ?? null, parsed });
  const a = parsed.verified ? parsed.ack : parsed.nack;
  res.writeHead(a.status, { 'content-type': a.contentType }).end(a.body);
});

afterAll(async () => {
  sandbox.stop();
  sbServer.closeAllConnections();
  schoolServer.closeAllConnections();
  await Promise.all([new Promise((r) => sbServer.close(r)), new Promise((r) => schoolServer.close(r))]);
  rmSync(dataDir, { recursive: true, force: true });
});
afterEach(async () => {
  await sandboxControl({ sandboxUrl }).clear('nontax');
});

let n = 0;
function order(amount = '300.00'): ChannelOrder {
  n += 1;
  const now = new Date();
  return {
    orderNo: `XF261201LUT${String(n).padStart(6, '0')}`, total: new Decimal(amount), category: '财政', createdAt: now, expiresAt: new Date(now.getTime() + 3600_000),
    payer: { number: '20190001', name: '张三', mobile: '17000000000' }, lines: [{ itemCode: '001', itemName: '学费', periodName: '2026', amount: new Decimal(amount) }],
    subject: '学费', notifyUrl: `${schoolUrl}/pay/notify/nontax`, returnUrl: `${schoolUrl}/pay/return`,
  };
}
const fault = async (body: object) => expect((await sandboxControl({ sandboxUrl }).faults({ channel: 'nontax', ...body })).status).toBe(201);

/** Pushes the bill and pays it at the cashier through 支付宝's checkout. */
async function paid(o: ChannelOrder) {
  const created = await adapter.createPayment(o);
  const o2 = { ...o, channelOrderId: created.channelOrderId };
  const cashier = (created.action as { url: string }).url;
  const toCheckout = await fetch(`${cashier}/pay`, form({ pay_channel: 'alipay' }));
  expect(toCheckout.status).toBe(303);
  expect((await fetch(`${toCheckout.headers.get('location')}/confirm`, form({}))).status).toBe(200);
  expect(sandbox.nontax.bills.get(created.channelOrderId)!.status).toBe('PAID');
  return o2;
}
const notices = (orderNo: string) => received.filter((r) => r.orderNo === orderNo);
const log = (orderNo: string) => sandboxControl({ sandboxUrl }).notifications('nontax', orderNo);
const until = (test: () => Promise<boolean> | boolean, ms = 8000) => untilWorld(test, ms, 20);

describe('non-tax faults through /_control/faults', () => {
  it('without a fault: one notification, verified, acknowledged', async () => {
    const o = await paid(order());
    await until(() => notices(o.orderNo).length === 1);
    expect(notices(o.orderNo)[0]!.parsed).toMatchObject({ verified: true, event: { kind: 'paid', channelOrderId: o.channelOrderId } });
    await until(async () => (await log(o.orderNo)).some((r) => r.acked));
    expect(sandbox.nontax.bills.get(o.channelOrderId!)).toMatchObject({ acked: true, notifyAttempts: 1 });
  });

  it('hold: never notified, and the query finds the payment', async () => {
    await fault({ kind: 'hold' });
    const o = await paid(order());
    await new Promise((r) => setTimeout(r, 300));
    expect(notices(o.orderNo)).toHaveLength(0);
    expect(await log(o.orderNo)).toMatchObject([{ held: true, copies: 0, acked: false }]);
    expect(await adapter.query(o)).toMatchObject({ status: 'paid', event: { channelOrderId: o.channelOrderId } });
  });

  it('lose twice: the third attempt, on the schedule, is the one acknowledged', async () => {
    await fault({ kind: 'lose', count: 2 });
    const o = await paid(order());
    await until(async () => (await log(o.orderNo)).some((r) => r.acked));
    expect((await log(o.orderNo)).map((r) => [r.attempt, r.lost, r.acked])).toEqual([[1, true, false], [2, true, false], [3, false, true]]);
    expect(notices(o.orderNo)).toHaveLength(1);
  });

  it('duplicate: n copies of one attempt, each verified', async () => {
    await fault({ kind: 'duplicate', n: 3 });
    const o = await paid(order());
    await until(() => notices(o.orderNo).length === 3);
    expect(notices(o.orderNo).every((r) => r.parsed.verified)).toBe(true);
    expect((await log(o.orderNo))[0]).toMatchObject({ copies: 3, acked: true });
  });

  it('tamper, wrong_merchant: refused (FAIL), then retried until a genuine one is acknowledged', async () => {
    await fault({ kind: 'tamper' });
    await fault({ kind: 'wrong_merchant' });
    const o = await paid(order());
    await until(async () => (await log(o.orderNo)).some((r) => r.acked));
    expect(notices(o.orderNo).map((r) => (r.parsed.verified ? 'ok' : r.parsed.reason))).toEqual(['signature', 'merchant', 'ok']);
    expect((await log(o.orderNo)).map((r) => r.mutation)).toEqual(['tamper', 'wrong_merchant', null]);
  });

  it('wrong_amount: validly signed for another amount (the payment service refuses it by amount)', async () => {
    await fault({ kind: 'wrong_amount' });
    const o = await paid(order('300.00'));
    await until(() => notices(o.orderNo).length >= 1);
    const first = notices(o.orderNo)[0]!.parsed;
    expect(first.verified && first.event.kind === 'paid' && first.event.amount.toFixed(2)).toBe('300.01');
  });

  it('reorder: the close overtakes the payment — answered closed, then the paid notification comes', async () => {
    await fault({ kind: 'reorder' });
    const o = await paid(order());
    await new Promise((r) => setTimeout(r, 200));
    expect(notices(o.orderNo)).toHaveLength(0);
    expect(await adapter.query(o)).toEqual({ status: 'unpaid' });
    expect(await adapter.close(o)).toEqual({ status: 'closed' });
    await until(() => notices(o.orderNo).length === 1);
    expect(notices(o.orderNo)[0]!.parsed).toMatchObject({ verified: true, event: { kind: 'paid' } });
  });

  it('query_error, query_timeout: the query is uncertain, the next one answers', async () => {
    await fault({ kind: 'hold' });
    const o = await paid(order());
    await fault({ kind: 'query_error' });
    await expect(adapter.query(o)).rejects.toMatchObject({ uncertain: true });
    await fault({ kind: 'query_timeout', ms: 2000 });
    const quick = nontaxAdapter({ ...config.nontax, timeoutMs: 300 });
    await expect(quick.query(o)).rejects.toMatchObject({ uncertain: true });
    expect(await adapter.query(o)).toMatchObject({ status: 'paid' });
  });
});
