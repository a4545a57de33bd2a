// Key rotation drill: 100 UnionPay payments through the platform and the sandbox over real HTTP,
// the sandbox switching to a new signing certificate (new serial, same root → middle chain) half
// way (control fault rotate_key). Nothing is configured for the new certificate: each message
// carries it in signPubKeyCert and the adapter checks it against the root and middle. Every
// payment is credited exactly once (some notifications arrive twice, across the rotation), and
// the ledger check over the books and the day's statement is clean.
import { describe, expect, it } from 'vitest';
import { businessDate } from '../../src/domain/business-date';
import type { PaymentAction } from '../../src/gateways/types';
import { checkChannelStatements, checkLedger } from '../../src/modules/reconcile/ledger-check';
import { ledgerCheckRepo } from '../../src/modules/reconcile/ledger-check-repo';
import { becomes as until, count, orderOf, payAt, payEnv, sandboxControl, submitTo } from '../helpers/world';
import { unionpayCollects } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const env = await payEnv(db);
const knex = db.knex;
// The wizard offers UnionPay under 财政 only through the non-tax cashier; 代收 orders go to it directly here.
const { registry, payment } = unionpayCollects(env.config, db);

const control = sandboxControl(env).faults;

async function payOne(i: number) {
  const due = ['0.01', '249.99', '9099.95', '1.10'][i % 4]!;
  const p = await f.payerWithBill(knex, '代收', due);
  const { billId } = p;
  const orderNo = await orderOf(payment, { ...p, category: '代收' }, due);
  const action: PaymentAction = await submitTo(payment, p, orderNo, 'unionpay');
  if (action.kind !== 'form') throw new Error('front form expected');
  const r = await payAt(action);
  expect(r.nextStatus).toBe(200);
  expect(r.status).toBe(200);
  return { personId: p.personId, billId, due, orderNo };
}


describe('UnionPay signing certificate rotated mid-run', () => {
  it('100 payments, rotation after 50: all credited once, ledger check clean', { timeout: 240_000 }, async () => {
    const sim = env.sandbox.unionpay;
    const before = sim.pki.signing().certId;
    // Some notifications go out twice, on both sides of the rotation.
    expect((await control({ channel: 'unionpay', kind: 'duplicate', count: 30, n: 2 })).status).toBe(201);
    const paid: Awaited<ReturnType<typeof payOne>>[] = [];
    for (let batch = 0; batch < 10; batch++) {
      if (batch === 5) {
        expect((await control({ channel: 'unionpay', kind: 'rotate_key', count: 1 })).status).toBe(201);
      }
      paid.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => payOne(batch * 10 + k)))));
    }
    const after = sim.pki.signing().certId;
    expect(after).not.toBe(before);

    const orderNos = paid.map((x) => x.orderNo);
    const allPaid = await until(async () => (await count(knex('orders').whereIn('order_no', orderNos).where('status', 'paid'))) === 100, 60_000);
    expect(allPaid).toBe(true);
    // Asking again after the rotation (queries answered under the new certificate) changes nothing.
    for (const x of paid.slice(0, 10)) await payment.result(x.personId, x.orderNo);

    const ids = await knex('orders').whereIn('order_no', orderNos).pluck('id');
    expect(await count(knex('bill_ledger').whereIn('order_id', ids).where('kind', 'payment'))).toBe(100);
    expect(await count(knex('receipts').whereIn('order_id', ids))).toBe(100);
    const bills = await knex('bills').whereIn('id', paid.map((x) => x.billId)).select('id', 'paid');
    const dueOf = new Map(paid.map((x) => [x.billId, x.due]));
    for (const b of bills) expect(b.paid).toBe(dueOf.get(b.id));
    // Notifications signed by both certificates were accepted (the log holds acked ones after the rotation).
    const log = await sandboxControl(env).notifications('unionpay');
    expect(log.filter((r) => r.acked).length).toBeGreaterThanOrEqual(100);

    const repo = ledgerCheckRepo(knex);
    expect(await checkLedger(repo)).toEqual([]);
    expect(await checkChannelStatements(repo, registry, ['unionpay'], [businessDate()])).toEqual([]);
  });
});
