// What the payment service makes of a channel's answer to its close: a payment the channel
// reports but we refuse (its amount is not the attempt's) is not "paid" for the payer, who would
// otherwise be told the order was paid elsewhere. Over HTTP to the sandbox, real PostgreSQL.
import { describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/test-db';
import { cancelOf } from '../helpers/world';
import { reconcileWorld } from './reconcile-env';

const db = await testDatabase();
const w = await reconcileWorld(db);

describe('a close answered "paid" with a payment we refuse', () => {
  it('取消交费 does not say the order was paid, nothing is credited, the refusal is recorded', async () => {
    await w.clearFaults();
    await w.fault('wechat', 'lose', 1000);
    const p = await w.payer('代收', '50.00');
    const orderNo = await w.order(p);
    const qr = await w.submit(p, orderNo, 'wechat');
    await w.payAt('wechat', qr);
    // The attempt we hold asks for another amount than the one the channel took.
    const o = await w.knex('orders').where({ order_no: orderNo }).first('id');
    await w.knex('payment_attempts').where({ order_id: o.id }).update({ amount: '49.00' });
    const r = await cancelOf(w.payment, p.personId, orderNo);
    expect(r).toMatchObject({ ok: false });
    expect((r as { paid?: true }).paid).toBeUndefined();
    expect(await w.statusOf(orderNo)).not.toBe('paid');
    expect(await w.knex('channel_events').where({ order_no: orderNo }).pluck('outcome')).toContain('rejected:amount');
    await w.clearFaults();
  });
});

describe('the expiry job and errors that are not the channel\'s', () => {
  it('a database error while closing a lapsed order fails the run instead of passing for "the channel did not answer"', async () => {
    const p = await w.payer('代收', '20.00');
    const orderNo = await w.order(p);
    await w.submit(p, orderNo, 'wechat');
    await w.knex('orders').where({ order_no: orderNo }).update({ expires_at: new Date(Date.now() - 60_000) });
    await w.knex('payment_attempts as a').whereIn('a.order_id', w.knex('orders').where({ order_no: orderNo }).select('id')).update({ expires_at: new Date(Date.now() - 60_000) });
    // The close is recorded in channel_events: without that table the database refuses.
    await w.knex.raw('ALTER TABLE channel_events RENAME TO channel_events_away');
    try {
      await expect(w.payment.expireDue()).rejects.toThrow(/channel_events/);
    } finally {
      await w.knex.raw('ALTER TABLE channel_events_away RENAME TO channel_events');
    }
    expect(await w.payment.expireDue()).toBeGreaterThanOrEqual(1);
    expect(await w.statusOf(orderNo)).toBe('closed');
  });
});
