// The world of the crash and outage tests: the platform as a real process (src/server.ts, as
// `npm start` runs it, so it can be killed and its database taken away), the sandbox channels in
// this test process on their own port calling it back, and this process's payment service to
// build orders and send them to the sandbox as the wizard's pages would. Payers pay at the
// sandbox's pages over HTTP; the sandbox then notifies the platform process on each channel's
// retry schedule (src/sandbox/control.ts), time-scaled by SANDBOX_TIME_SCALE.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Knex } from 'knex';
import { afterAll } from 'vitest';
import { loadConfig } from '../../src/config';
import { Decimal } from '../../src/domain/money';
import type { PaymentAction } from '../../src/gateways/types';
import { ledgerCheckRepo } from '../../src/modules/reconcile/ledger-check-repo';
import { checkChannelStatements, checkLedger } from '../../src/modules/reconcile/ledger-check';
import { poolOver } from '../../src/db/connection';
import { testServices } from '../helpers/services';
import { createSandboxApp } from '../../src/sandbox/server';
import { TEST_SECRET } from '../helpers/app';
import { freePort, startServer } from '../helpers/process';
import { count, orderOf, payAt, submitTo, until } from '../helpers/world';
import * as f from '../factories';

export type WalletChannel = 'wechat' | 'alipay';

export interface Payment {
  orderNo: string;
  billId: number;
  due: string;
  channel: WalletChannel;
  action: PaymentAction;
}

/** Runs `fn` over `items`, `width` at a time; resolves to the results in order. */
export async function inParallel<T, R>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return out;
}

async function listenRaw(): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function childWorld(o: { databaseUrl: string; knex: Knex; env?: Record<string, string> }) {
  const { knex } = o;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cupp-child-'));
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const sb = await listenRaw();
  // Longer than undici's keep-alive, so a connection the payer reuses is never closed under it.
  sb.server.keepAliveTimeout = 65_000;
  const env: Record<string, string> = {
    NODE_ENV: 'test', DATABASE_URL: o.databaseUrl, SESSION_SECRET: TEST_SECRET, LOG_LEVEL: 'warn', SANDBOX: '0', SANDBOX_URL: sb.url,
    DATA_DIR: dataDir, PUBLIC_URL: appUrl, PORT: String(port), HOST: '127.0.0.1', SANDBOX_TIME_SCALE: '0.001',
    CHANNELS_COLLECTED: 'icbc,wechat,alipay', ...o.env,
  };
  const config = loadConfig(env);
  // The sandbox first: it writes the channel keys under DATA_DIR that the platform reads.
  const sandbox = createSandboxApp({ config });
  sb.server.on('request', sandbox);
  const services = testServices({ config, db: { knex, pool: poolOver(knex) } });
  const payment = services.payment;
  const registry = services.gateways;

  let proc: { child: ChildProcess; output: () => string } | null = null;
  let earlier = '';
  const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

  /** Starts the platform process and waits until /healthz answers 200. */
  async function start(timeoutMs = 90_000) {
    if (proc) earlier += proc.output();
    proc = startServer(env);
    const p = proc;
    await until(async () => {
      if (exited(p.child)) throw new Error(`platform exited during start-up:\n${p.output()}`);
      return fetch(`${appUrl}/healthz`).then((r) => r.ok, () => false);
    }, timeoutMs, 100).catch((e: unknown) => {
      throw new Error(`platform not healthy after ${timeoutMs} ms (${String(e)}):\n${p.output().slice(-4000)}`);
    });
  }

  /** kill -9: the process gets no chance to finish anything. */
  async function kill() {
    const c = proc!.child;
    if (exited(c)) return;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill('SIGKILL');
    });
  }

  const alive = () => !!proc && !exited(proc.child);
  const pid = () => proc?.child.pid ?? null;

  afterAll(async () => {
    if (proc && !exited(proc.child)) await kill();
    sandbox.stop();
    sb.server.closeAllConnections();
    await new Promise((r) => sb.server.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** `n` payers, each with one 代收 bill of a different amount, their orders sent to the channels in turn. */
  async function payments(n: number, channels: readonly WalletChannel[] = ['wechat', 'alipay']): Promise<Payment[]> {
    // One period and one 代收 item for all: each payer has one bill in them.
    const periodId = (await f.period(knex)).id;
    const feeItemId = (await f.feeItem(knex, { category: '代收' })).id;
    return inParallel(Array.from({ length: n }, (_, i) => i), 8, async (i) => {
      // Amounts to the fen, all different: none may pass through a float.
      const due = new Decimal(i + 1).times('1.37').plus(`0.${String(i % 100).padStart(2, '0')}`).toFixed(2);
      const { personId } = await f.person(knex);
      const billId = await f.bill(knex, { personId, periodId, feeItemId, due });
      const p = { personId, periodId, billId, due, category: '代收' as const };
      const channel = channels[i % channels.length]!;
      const orderNo = await orderOf(payment, p);
      return { orderNo, billId: p.billId, due, channel, action: await submitTo(payment, p, orderNo, channel) };
    });
  }

  /** The payer scans the QR code and presses 确认支付 on the channel's phone page. */
  async function pay(p: Payment) {
    // A payer whose page did not load presses again; 确认支付 on a paid trade only shows it paid.
    const res = await payAt(p.action, { look: true }).catch(() => payAt(p.action, { look: true }));
    if (res.status !== 200 || !res.done.includes('支付成功')) throw new Error(`paying ${p.orderNo}: ${res.status} ${res.done.slice(0, 200)}`);
  }

  const paidCount = (orderNos: string[]) => count(knex('orders').whereIn('order_no', orderNos).where({ status: 'paid' }));

  /** Every order acknowledged by the platform at its channel: the sandbox sends nothing more. */
  function allAcked(ps: Payment[]) {
    const acked = new Set(sandbox.control.log.filter((r) => r.acked).map((r) => `${r.channel}:${r.orderNo}`));
    return ps.every((p) => acked.has(`${p.channel}:${p.orderNo}`));
  }

  /**
   * Each order paid once, each bill credited once to the fen, the ledger check and the channels'
   * statements clean: the differences found (an empty list when all is well).
   */
  async function creditedOnce(ps: Payment[]): Promise<string[]> {
    const problems: string[] = [];
    const orders = await knex('orders').whereIn('order_no', ps.map((p) => p.orderNo)).select('id', 'order_no', 'status');
    const byNo = new Map(orders.map((r) => [r.order_no as string, r]));
    const entries = await knex('bill_ledger').whereIn('bill_id', ps.map((p) => p.billId)).where({ kind: 'payment' }).select('bill_id', 'order_id', 'amount');
    const receipts = await knex('receipts').whereIn('order_id', orders.map((r) => r.id)).select('order_id');
    const bills = await knex('bills').whereIn('id', ps.map((p) => p.billId)).select('id', 'due', 'paid');
    const billById = new Map(bills.map((b) => [b.id as number, b]));
    for (const p of ps) {
      const order = byNo.get(p.orderNo);
      if (order?.status !== 'paid') problems.push(`${p.orderNo}: ${order?.status ?? 'missing'}`);
      const mine = entries.filter((e) => e.bill_id === p.billId);
      if (mine.length !== 1 || String(mine[0]!.order_id) !== String(order?.id) || mine[0]!.amount !== p.due) {
        problems.push(`${p.orderNo}: bill ${p.billId} payment entries ${JSON.stringify(mine)}`);
      }
      const n = receipts.filter((r) => String(r.order_id) === String(order?.id)).length;
      if (n !== 1) problems.push(`${p.orderNo}: ${n} receipts`);
      const b = billById.get(p.billId);
      if (b?.paid !== p.due || b?.due !== p.due) problems.push(`${p.orderNo}: bill due ${b?.due} paid ${b?.paid}, paid ${p.due}`);
    }
    const total = ps.reduce((t, p) => t.plus(p.due), new Decimal(0));
    const credited = entries.reduce((t, e) => t.plus(e.amount as string), new Decimal(0));
    if (!credited.eq(total)) problems.push(`credited ${credited.toFixed(2)}, paid ${total.toFixed(2)}`);
    const repo = ledgerCheckRepo(knex);
    const days = (await knex('payment_attempts').where({ status: 'paid' }).select(knex.raw(`DISTINCT to_char(paid_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day`))).map((r) => r.day as string);
    const channels = [...new Set(ps.map((p) => p.channel))];
    for (const d of [...(await checkLedger(repo)), ...(await checkChannelStatements(repo, registry, channels, days))]) problems.push(`${d.rule} ${d.ref}: ${d.detail}`);
    return problems;
  }

  return {
    config, env, sandbox, payment, appUrl, sandboxUrl: sb.url, dataDir, start, kill, alive, pid, payments, pay, paidCount, allAcked, creditedOnce,
    output: () => earlier + (proc?.output() ?? ''),
  };
}

export { Browser } from '../helpers/fetch-browser';
