// Reconciliation against the Alipay bill (a zip of GBK CSV files with summary lines) and the
// UnionPay statement, from their sandboxes over real HTTP. The wizard does not offer these two
// channels (under 财政 the payer reaches them through the non-tax cashier), so the registry here
// lets 代收 orders through them, as the channels' own tests do.
import { describe, expect, it } from 'vitest';
import { createGatewayRegistry } from '../../src/gateways/registry';
import type { PaymentAction } from '../../src/gateways/types';
import { checkChannelStatements, checkLedger } from '../../src/modules/reconcile/ledger-check';
import { ledgerCheckRepo } from '../../src/modules/reconcile/ledger-check-repo';
import { businessDate } from '../../src/domain/business-date';
import { orderOf, payAt, payEnv, sandboxControl, submitTo } from '../helpers/world';
import { testServices } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const env = await payEnv(db);
const knex = db.knex;
const base = createGatewayRegistry(env.config);
const registry = { ...base, serves: (id: string, c: '财政' | '代收') => base.serves(id, c) || (c === '代收' && ['alipay', 'unionpay'].includes(id)) };
const services = testServices({ config: env.config, db, registry });
const payment = services.payment;
const m = services.reconcile;

type Ch = 'alipay' | 'unionpay';

async function payer(due: string) {
  const b = await f.buildBill(knex, { category: '代收', due });
  return { personId: b.personId, periodId: b.periodId, billId: b.id, due };
}

async function pay(channel: Ch, due: string) {
  const p = await payer(due);
  const orderNo = await orderOf(payment, { ...p, category: '代收' }, due);
  const action: PaymentAction = await submitTo(payment, p, orderNo, channel);
  if (action.kind === 'qrCode') {
    expect((await payAt(action)).status).toBe(200);
  } else if (action.kind === 'form') {
    const r = await payAt(action);
    expect(r.nextStatus).toBe(200);
    expect(r.status).toBe(200);
  } else throw new Error(`unexpected action ${action.kind}`);
  return { p, orderNo };
}

const statusOf = async (orderNo: string) => (await knex('orders').where({ order_no: orderNo }).first('status')).status as string;

describe.each(['alipay', 'unionpay'] as const)('reconciling %s', (channel) => {
  it('restores the payments whose notifications were lost and reports an amount the channel changed', async () => {
    await sandboxControl(env).faults({ channel, kind: 'lose', count: 1000 });
    const lost = [];
    for (const due of ['0.01', '9099.95', '99999999.99']) lost.push(await pay(channel, due));
    const changed = await pay(channel, '250.00');
    await payment.result(changed.p.personId, changed.orderNo);
    expect(await statusOf(changed.orderNo)).toBe('paid');
    const trades = (channel === 'alipay' ? env.sandbox.alipay.trades : env.sandbox.unionpay.trades) as Map<string, { orderNo: string; fen: bigint }>;
    const t = [...trades.values()].find((x) => x.orderNo === changed.orderNo)!;
    t.fen += 100n;

    const run = await m.reconcile(channel, businessDate(), 'cli');
    expect(run.status, run.error).toBe('done');
    expect(run.lines).toBe(4);
    expect(run.restored).toBe(3);
    expect(run.differences.map((d) => [d.kind, d.orderNo, d.action]).sort()).toEqual([
      ...lost.map((x) => ['paid_not_credited', x.orderNo, 'restored']),
      ['amount_mismatch', changed.orderNo, 'proposed'],
    ].sort());
    for (const x of lost) expect(await statusOf(x.orderNo)).toBe('paid');
    const bills = await knex('bills').whereIn('id', lost.map((x) => x.p.billId)).orderBy('id').pluck('paid');
    expect(bills).toEqual(['0.01', '9099.95', '99999999.99']);

    const repo = ledgerCheckRepo(knex);
    expect(await checkLedger(repo)).toEqual([]);
    const diffs = await checkChannelStatements(repo, registry, [channel], [businessDate()]);
    expect(diffs).toEqual([expect.objectContaining({ rule: 'channel-statement', detail: expect.stringContaining(changed.orderNo) })]);
    t.fen -= 100n;
    expect(await checkChannelStatements(repo, registry, [channel], [businessDate()])).toEqual([]);
    expect((await m.reconcile(channel, businessDate(), 'cli')).differences).toEqual([]);
  });
});
