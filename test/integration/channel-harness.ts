// A real sandbox and a stand-in merchant over real HTTP, for the channel tests. The payment
// module's crediting service (issue 4) was not landed when these were written, so the merchant
// here does what its notify endpoint is specified to do, in memory: parse through the adapter,
// check order number, amount and merchant, credit once per order (compare-and-set), answer in
// the channel's dialect. Swap `credit` for the real service once it exists.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll } from 'vitest';
import { loadConfig } from '../../src/config';
import { Decimal } from '../../src/domain/money';
import type { ChannelAdapter, ChannelEvent, ChannelOrder } from '../../src/gateways/types';
import { createSandboxApp } from '../../src/sandbox/server';

const listen = (app: express.Express) => new Promise<{ server: Server; url: string }>((resolve) => {
  const server = app.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});

export interface StandInOrder { order: ChannelOrder; status: 'paying' | 'paid' | 'closed'; credits: number; overpayment: boolean; billSettled: boolean }

export async function channelWorld(make: (cfg: ReturnType<typeof loadConfig>) => ChannelAdapter) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chan-'));
  const base = { NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SANDBOX_TIME_SCALE: '0.0005', CHANNEL_TIMEOUT_MS: '1500' };
  const sandbox = createSandboxApp({ config: loadConfig(base) });
  const sb = await listen(sandbox);
  const config = loadConfig({ ...base, SANDBOX_URL: sb.url });
  const adapter = make(config);

  const orders = new Map<string, StandInOrder>();
  const refusals: { reason: string; orderNo: string | null | undefined }[] = [];
  const lock = new Map<string, Promise<void>>();

  /** The crediting rule: once per order; a payment after close is credited and flagged. */
  async function credit(e: ChannelEvent): Promise<boolean> {
    const o = e.orderNo ? orders.get(e.orderNo) : undefined;
    if (!o || e.kind !== 'paid') return false;
    if (!e.amount.eq(o.order.total)) {
      refusals.push({ reason: 'amount', orderNo: e.orderNo });
      return false;
    }
    const prev = lock.get(o.order.orderNo) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    lock.set(o.order.orderNo, prev.then(() => mine));
    await prev;
    try {
      if (o.status === 'paid') return true;
      if (o.status === 'closed' && o.billSettled) o.overpayment = true;
      o.status = 'paid';
      o.credits += 1;
      return true;
    } finally {
      release();
    }
  }

  const merchant = express();
  merchant.post('/notify/:channel', express.text({ type: () => true }), async (req, res) => {
    const parsed = adapter.parseNotification({ method: req.method, path: req.path, headers: req.headers, rawBody: typeof req.body === 'string' ? req.body : '' });
    if (!parsed.verified) {
      refusals.push({ reason: parsed.reason, orderNo: parsed.claimedOrderNo });
      return res.status(parsed.nack.status).type(parsed.nack.contentType).send(parsed.nack.body);
    }
    const ok = await credit(parsed.event);
    const a = ok ? parsed.ack : parsed.nack;
    res.status(a.status).type(a.contentType).send(a.body);
  });
  merchant.get('/return', (_req, res) => res.type('text/plain; charset=utf-8').send('返回商户'));
  const me = await listen(merchant);

  afterAll(async () => {
    sandbox.stop();
    await Promise.all([sb, me].map((x) => new Promise<void>((r) => { x.server.closeAllConnections(); x.server.close(() => r()); })));
  });

  let serial = 0;
  function newOrder(channel: string, total: string, subject = '兰州理工大学 2019年度 医疗保险'): StandInOrder {
    const now = new Date();
    serial += 1;
    const orderNo = `XF${String(Date.now()).slice(-6)}LUT${String(serial).padStart(6, '0')}`;
    const order: ChannelOrder = {
      orderNo, total: new Decimal(total), category: '代收', createdAt: now, expiresAt: new Date(now.getTime() + 7200_000),
      payer: { number: '18', name: '张三', mobile: '13800000000' }, lines: [{ itemCode: 'YB', itemName: '医疗保险', periodName: '2019年度', amount: new Decimal(total) }],
      subject, notifyUrl: `${me.url}/notify/${channel}`, returnUrl: `${me.url}/return`,
    };
    const o: StandInOrder = { order, status: 'paying', credits: 0, overpayment: false, billSettled: false };
    orders.set(orderNo, o);
    return o;
  }

  const control = (body: object) => fetch(`${sb.url}/_control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const clearFaults = () => fetch(`${sb.url}/_control/faults`, { method: 'DELETE' });
  const notifications = async (orderNo: string) => (await (await fetch(`${sb.url}/_control/notifications?orderNo=${orderNo}`)).json()) as { acked: boolean; copies: number; mutation: string | null; lost: boolean }[];

  async function until(f: () => boolean | Promise<boolean>, ms = 8000) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await f()) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('timed out waiting');
  }

  return { sandbox, sandboxUrl: sb.url, merchantUrl: me.url, config, adapter, orders, refusals, newOrder, control, clearFaults, notifications, until };
}

export const AMOUNTS = ['0.01', '249.99', '9099.95', '99999999.99'];
