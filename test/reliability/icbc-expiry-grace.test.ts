// ICBC e-pay has no close: the signed form the payer holds stays payable until its expire_time,
// also after a failed try (pay_status 1, e.g. a declined card). The platform takes such a page as
// closed only after its expiry plus the clock grace (EXPIRY_GRACE_MS), in every path that asks:
// the expiry job, 取消交费 and the adapter itself. Over HTTP to the sandbox, real PostgreSQL.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import type { PaymentAction } from '../../src/gateways/types';
import { testDatabase } from '../helpers/test-db';
import { cancelOf, form, openBankPage } from '../helpers/world';
import { reconcileWorld } from './reconcile-env';

const db = await testDatabase();
const w = await reconcileWorld(db);


/** The payer opens the ICBC page (ICBC now knows the order); returns how to finish paying. */
async function openPage(action: PaymentAction) {
  const { at: base } = await openBankPage(action);
  return async () => {
    expect((await fetch(`${base}/next`, form({ mobile: '13800000000', card: '123456' }))).status).toBe(200);
    expect((await fetch(`${base}/confirm`, form({}))).status).toBe(200);
  };
}

const attemptOf = (orderNo: string) => w.knex('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id').where('o.order_no', orderNo).first('a.id', 'a.status');

describe('ICBC: a page is not closed while it may still be paid', () => {
  it('an attempt just past its expiry, ICBC says processing: the expiry job keeps it; paid after → credited once', async () => {
    await w.clearFaults();
    const p = await w.payer('代收', '120.00');
    const orderNo = await w.order(p);
    const finish = await openPage(await w.submit(p, orderNo, 'icbc'));
    // Our clock says the page lapsed a few seconds ago; ICBC's page is still being paid.
    const justPast = new Date(Date.now() - 5_000);
    const o = await w.knex('orders').where({ order_no: orderNo }).first('id');
    await w.knex('payment_attempts').where({ order_id: o.id }).update({ expires_at: justPast });
    await w.knex('orders').where({ id: o.id }).update({ expires_at: justPast });
    await w.payment.expireDue();
    expect(await w.statusOf(orderNo)).not.toBe('closed');
    expect((await attemptOf(orderNo)).status).toBe('sent');
    await finish();
    await expect.poll(() => w.statusOf(orderNo), { timeout: 8000 }).toBe('paid');
    expect(await w.creditsOf(orderNo)).toEqual({ entries: 1, receipts: 1 });
    await w.payment.expireDue();
    expect(await w.creditsOf(orderNo)).toEqual({ entries: 1, receipts: 1 });
  });

  it('a declined try (pay_status 1) before the expiry: query says unpaid, 取消交费 does not close the page; paid after → credited once', async () => {
    await w.clearFaults();
    const p = await w.payer('代收', '130.00');
    const orderNo = await w.order(p);
    const finish = await openPage(await w.submit(p, orderNo, 'icbc'));
    const icbc = w.m.registry.get('icbc')!;
    const o = await w.knex('orders').where({ order_no: orderNo }).first('created_at', 'expires_at', 'total');
    const a = await w.knex('payment_attempts').where({ id: (await attemptOf(orderNo)).id }).first('expires_at');
    const channelOrder = {
      orderNo, channelOrderId: orderNo, total: new Decimal(o.total), category: '代收' as const, createdAt: new Date(o.created_at), expiresAt: new Date(a.expires_at ?? o.expires_at),
      payer: { number: '1', name: '张三', mobile: '13800000000' }, lines: [], subject: 'x', notifyUrl: `${w.appUrl}/pay/notify/icbc`, returnUrl: `${w.appUrl}/transactions`,
    };
    await w.fault('icbc', 'declined');
    expect(await icbc.query(channelOrder)).toEqual({ status: 'unpaid' });
    await w.fault('icbc', 'declined', 2);
    const r = await cancelOf(w.payment, p.personId, orderNo);
    expect(r.ok).toBe(false);
    expect((await attemptOf(orderNo)).status).toBe('sent');
    expect(await w.statusOf(orderNo)).not.toBe('closed');
    await w.clearFaults();
    await finish();
    await expect.poll(() => w.statusOf(orderNo), { timeout: 8000 }).toBe('paid');
    expect(await w.creditsOf(orderNo)).toEqual({ entries: 1, receipts: 1 });
  });
});
