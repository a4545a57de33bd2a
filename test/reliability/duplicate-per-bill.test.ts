// A duplicate payment is refunded by itself (DUPLICATE_PAYMENT_AUTO_REFUND) only for what it paid
// twice: an order over bills X and Y paid after another order had paid X is a duplicate on X
// only; an excess Y shows later (a reduction made after paying) waits for finance, although it
// sits on the same order. Over HTTP to the WeChat and ICBC sandboxes, real PostgreSQL.
import { describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { reconcileWorld } from './reconcile-env';

const db = await testDatabase();
const w = await reconcileWorld(db);

describe('duplicate payments are decided per bill', () => {
  it('duplicate on X only, later reduction on Y: X\'s duplicate is refunded by itself, Y\'s excess waits for finance', async () => {
    await w.clearFaults();
    const p = await w.payer('代收', '100.00');
    const item = await f.feeItem(w.knex, { category: '代收' });
    const billY = await f.bill(w.knex, { personId: p.personId, periodId: p.periodId, feeItemId: item.id, due: '50.00' });
    const billX = p.billId;
    // Order A over X and Y: its ICBC page is shown (payable until its expiry), not yet paid.
    const a = await w.payment.confirmOrder(p.personId, { category: '代收', periods: [p.periodId], lines: [{ billId: billX, amount: '100.00' }, { billId: billY, amount: '50.00' }] });
    const orderA = a.orderNo;
    const pageA = await w.submit(p, orderA, 'icbc');
    // Order B pays X alone through WeChat, the payer having been warned of A's open page.
    const orderB = await w.order(p);
    const warned = await w.payment.submitToChannel(p.personId, orderB, 'wechat');
    expect(warned.kind).toBe('warning');
    const ack = (warned as { open: { attemptId: string }[] }).open.map((x) => x.attemptId);
    const b = await w.payment.submitToChannel(p.personId, orderB, 'wechat', new Date(), ack);
    expect(b.kind, JSON.stringify(b)).toBe('action');
    await w.payAt('wechat', (b as { action: Parameters<typeof w.payAt>[1] }).action);
    await expect.poll(() => w.statusOf(orderB), { timeout: 8000 }).toBe('paid');
    // Then A's page is paid too: X is paid twice, Y once.
    await w.payAt('icbc', pageA);
    await expect.poll(() => w.statusOf(orderA), { timeout: 8000 }).toBe('paid');
    // After paying, Y is reduced by 20.00: an excess that is not the duplicate's.
    await w.knex('bills').where({ id: billY }).update({ reduction: '20.00' });

    await w.m.service.overpaymentJob(false, true);
    const flags = await w.knex('overpayments').where({ kind: 'bill' }).whereIn('bill_id', [billX, billY]).select('bill_id', 'amount', 'status');
    expect(flags.find((x) => x.bill_id === billX)).toMatchObject({ amount: '100.00', status: 'refunded' });
    expect(flags.find((x) => x.bill_id === billY)).toMatchObject({ amount: '20.00', status: 'open' });
    expect(await w.knex('refunds').where({ bill_id: billY }).count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n))).toBe(0);
  });
});
