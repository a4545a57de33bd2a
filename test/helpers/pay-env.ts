// 学费缴费 end to end: the platform and the non-tax sandbox each on a real port (port 0), the
// config pointing each at the other, the sandbox's keys in a temporary folder.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, expect } from 'vitest';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/logger';
import { paymentModule } from '../../src/modules/payment';
import { createSandboxApp } from '../../src/sandbox/server';
import { encodeForm, signedEnvelope } from '../../src/gateways/nontax/codec';
import { businessDateTime } from '../../src/domain/business-date';
import { testConfig } from './app';
import type { TestDatabase } from './test-db';
import { Client } from './client';
import { setPassword as setUserPassword } from './users';

export const PASSWORD = 'Abc12345!x';

async function listenRaw(): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function payEnv(db: TestDatabase, env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cupp-pay-'));
  const platform = await listenRaw();
  const sb = await listenRaw();
  const config = testConfig(db, { DATA_DIR: dataDir, PUBLIC_URL: platform.url, SANDBOX_URL: sb.url, SANDBOX_TIME_SCALE: '0.001', ...env });
  const sandbox = createSandboxApp({ config });
  sb.server.on('request', sandbox);
  const app = createApp({ config, db, logger: createLogger('silent') });
  platform.server.on('request', app);
  const payment = paymentModule({ config, knex: db.knex }).service;
  afterAll(async () => {
    sandbox.stop();
    platform.server.closeAllConnections();
    sb.server.closeAllConnections();
    await Promise.all([new Promise((r) => platform.server.close(r)), new Promise((r) => sb.server.close(r))]);
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { app, config, sandbox, payment, appUrl: platform.url, sandboxUrl: sb.url, dataDir };
}

export type PayEnv = Awaited<ReturnType<typeof payEnv>>;

/** 张三 (or anyone) past the initial-password gate. */
export const setPassword = (knex: Knex, number: string, password = PASSWORD) => setUserPassword(knex, number, password);

export async function signedIn(env: PayEnv, number: string, password = PASSWORD) {
  const c = new Client(env.app);
  const res = await c.login(number, password);
  expect(res.status).toBe(303);
  return c;
}

export async function billIds(knex: Knex, number: string) {
  const rows = await knex('bills as b').join('people as p', 'p.id', 'b.person_id').join('fee_items as i', 'i.id', 'b.fee_item_id')
    .where('p.number', number).select('b.id', 'b.period_id', 'i.name');
  return Object.fromEntries(rows.map((r) => [r.name as string, { id: r.id as number, periodId: r.period_id as number }]));
}

/** 缴费信息修改 → 交费信息显示 → 下一步: returns the new order's number. */
export async function makeOrder(c: Client, category: '财政' | '代收', periodId: number, lines: Record<number, string>) {
  await c.get(`/pay/items?category=${encodeURIComponent(category)}&period=${periodId}`);
  const fields: Record<string, string | string[]> = { category, period: String(periodId), bill: Object.keys(lines) };
  for (const [id, amount] of Object.entries(lines)) fields[`amount_${id}`] = amount;
  const chosen = await c.post('/pay/items', fields);
  expect(chosen.status, chosen.text).toBe(303);
  await c.get('/pay/review');
  const res = await c.post('/pay/orders', {});
  expect(res.status).toBe(303);
  const m = /\/pay\/orders\/(XF\d{6}LUT\d{6})/.exec(res.headers.location ?? '');
  expect(m).toBeTruthy();
  return m![1]!;
}

/** 确定缴费 with 非税支付: returns the cashier URL and the 缴款码. */
export async function submitNontax(c: Client, orderNo: string) {
  await c.get(`/pay/orders/${orderNo}`);
  const res = await c.post(`/pay/orders/${orderNo}/submit`, { channel: 'nontax' });
  expect(res.status, res.text).toBe(303);
  const url = res.headers.location!;
  const code = /\/nontax\/cashier\/(\d{20})$/.exec(url)?.[1];
  expect(code).toBeTruthy();
  return { cashierUrl: url, payCode: code! };
}

/** The payer presses 确认支付 (or 取消支付) on the sandbox cashier. */
export async function payAtCashier(cashierUrl: string, method: 'alipay' | 'wechat' | 'unionpay' = 'alipay', action: 'pay' | 'cancel' = 'pay') {
  const res = await fetch(`${cashierUrl}/${action}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `pay_channel=${method}`, redirect: 'manual',
  });
  expect(res.status).toBe(303);
  return res.headers.get('location')!;
}

export async function orderStatus(knex: Knex, orderNo: string): Promise<string> {
  return (await knex('orders').where({ order_no: orderNo }).first('status')).status;
}

export async function waitForStatus(knex: Knex, orderNo: string, status: string, ms = 8000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if ((await orderStatus(knex, orderNo)) === status) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`order ${orderNo} did not become ${status} (is ${await orderStatus(knex, orderNo)})`);
}

/** A bill.notify as the platform would sign it, with optional changes for forgeries. */
export function notification(env: PayEnv, payCode: string, o: { amount?: string; merchantId?: string; tamper?: boolean; tradeNo?: string } = {}) {
  const b = env.sandbox.nontax.bills.get(payCode)!;
  const biz = {
    pay_code: b.payCode, out_bill_no: b.outBillNo, amount: o.amount ?? b.amount, status: 'PAID',
    trade_no: o.tradeNo ?? b.tradeNo ?? 'NT2026000000000001', paid_time: businessDateTime(b.paidAt ?? new Date()), pay_channel: b.payMethod ?? 'alipay',
  };
  const fields = signedEnvelope({ merchantId: o.merchantId ?? b.merchantId, method: 'bill.notify', biz, privateKeyPem: env.sandbox.nontax.platformKeys.privateKey });
  if (o.tamper) fields.biz_content = fields.biz_content!.replace('"status":"PAID"', '"status":"PAID","x":1').replace(`"amount":"${b.amount}"`, `"amount":"0.01"`);
  return encodeForm(fields);
}

export async function postNotify(env: PayEnv, body: string) {
  const res = await fetch(`${env.appUrl}/pay/notify/nontax`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
  return { status: res.status, text: await res.text() };
}
