// The UnionPay simulator's refunds on the sandbox kit, over real HTTP through the adapter: a refund
// is a transaction named by orderId + txnTime (the kit's refund number is that pair), the same
// pair again is the same refund, never a second; the same orderId at another txnTime is another
// transaction (UnionPay identifies a transaction by orderId + txnTime, and the sandbox must not
// be easier than that); more than is left is respCode 36; the day's ZM file lists each once.
// No database: only the sandbox app and the adapter the platform uses.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { businessDate } from '../../src/domain/business-date';
import { Decimal } from '../../src/domain/money';
import type { ChannelOrder } from '../../src/gateways/types';
import { unionpayAdapter } from '../../src/gateways/unionpay/adapter';
import { createSandboxApp } from '../../src/sandbox/server';
import { testConfig } from '../helpers/app';

const dataDir = mkdtempSync(path.join(tmpdir(), 'unionpay-sandbox-'));
const server: Server = createServer();
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const sandboxUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
// The notification has nowhere to go (port 9): this file is about refunds.
const config = testConfig({ url: 'postgres://unused@127.0.0.1:5432/unused' }, { DATA_DIR: dataDir, SANDBOX_URL: sandboxUrl, SANDBOX_TIME_SCALE: '0.001' });
const sandbox = createSandboxApp({ config });
server.on('request', sandbox);
afterAll(async () => {
  sandbox.stop();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dataDir, { recursive: true, force: true });
});
const sim = sandbox.unionpay;
const adapter = unionpayAdapter(config.channels!.unionpay);

async function paidOrder(orderNo: string, total: string): Promise<ChannelOrder> {
  const order: ChannelOrder = {
    orderNo, total: new Decimal(total), category: '代收', createdAt: new Date(Date.now() - 1000), expiresAt: new Date(Date.now() + 15 * 60_000),
    payer: { number: '1', name: '张三', mobile: '13800000000' }, lines: [], subject: '学费', channelOrderId: orderNo,
    notifyUrl: 'http://127.0.0.1:9/pay/notify/unionpay', returnUrl: 'http://127.0.0.1:9/transactions',
  };
  const { action } = await adapter.createPayment(order);
  if (action.kind !== 'form') throw new Error('front form expected');
  const page = await fetch(action.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(action.fields).toString() });
  expect(page.status).toBe(200);
  sim.pay(sim.trades.get(orderNo)!);
  expect((await adapter.query(order)).status).toBe('paid');
  return order;
}

describe('UnionPay sandbox refunds: one per orderId + txnTime', () => {
  it('the same request again is the same refund; another txnTime is another; more than is left is refused; the statement lists each once', async () => {
    const orderNo = `XF${Date.now()}UP01`;
    const order = await paidOrder(orderNo, '249.99');
    const t1 = new Date();
    const first = await adapter.refund(order, new Decimal('100.00'), 'RUP0000000001', t1);
    expect(first.status).toBe('pending');
    expect(await adapter.refund(order, new Decimal('100.00'), 'RUP0000000001', t1)).toEqual(first);
    const trade = sim.trades.get(orderNo)!;
    expect(trade.refundedFen).toBe(10_000n);
    expect(await adapter.queryRefund(order, { refundNo: 'RUP0000000001', amount: new Decimal('100.00'), requestedAt: t1 })).toMatchObject({ status: 'succeeded', amount: new Decimal('100.00') });

    const t2 = new Date(t1.getTime() + 1000);
    expect((await adapter.refund(order, new Decimal('100.00'), 'RUP0000000001', t2)).status).toBe('pending');
    expect(trade.refundedFen).toBe(20_000n);
    const refused = await adapter.refund(order, new Decimal('50.00'), 'RUP0000000002', t2);
    expect(refused).toMatchObject({ status: 'failed', reason: expect.stringContaining('36') });
    expect(trade.refundedFen).toBe(20_000n);
    const atChannel = [...sim.refundTxns.values()].filter((r) => r.trade.orderNo === orderNo);
    expect(atChannel.map((r) => [r.refundNo, r.fen])).toEqual([['RUP0000000001', 10_000n], ['RUP0000000001', 10_000n]]);

    const st = await adapter.downloadStatement(businessDate(new Date()));
    // A refund line names the payment it returns (原始交易订单号).
    const mine = st.lines.filter((l) => l.orderNo === orderNo);
    expect(mine.map((l) => [l.kind, l.amount.toFixed(2)])).toEqual([['payment', '249.99'], ['refund', '100.00'], ['refund', '100.00']]);
  });
});
