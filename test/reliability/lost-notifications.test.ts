// 四.6 "debited but still unpaid": 50 payers pay at their channels and every notification is lost
// (the non-tax platform holds them, the WeChat and ICBC sandboxes drop every attempt). Half are
// settled by the active query, the other half by the day's reconciliation; each is credited
// exactly once, late notifications change nothing, and the ledger check is clean.
import { describe, expect, it } from 'vitest';
import { runActiveQuery } from '../../src/jobs/active-query';
import { paymentRepo } from '../../src/modules/payment/repo';
import { testDatabase } from '../helpers/test-db';
import { countRows, sandboxControl } from '../helpers/world';
import { reconcileWorld, type Channel } from './reconcile-env';

const db = await testDatabase();
const w = await reconcileWorld(db, { ACTIVE_QUERY_AFTER_MINUTES: '5' });

const CHANNELS: Channel[] = ['nontax', 'wechat', 'icbc'];
const categoryOf = (c: Channel) => (c === 'nontax' ? '财政' : '代收') as '财政' | '代收';

/** n payers on a channel pay; returns their order numbers. Notifications are already lost. */
async function payMany(channel: Channel, n: number, amountOf: (i: number) => string) {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = await w.payer(categoryOf(channel), amountOf(i));
    const orderNo = await w.order(p);
    await w.payAt(channel, await w.submit(p, orderNo, channel));
    out.push(orderNo);
  }
  return out;
}

describe('50 payments whose notifications are all lost', () => {
  it('are all settled by the active query or the reconciliation, each credited exactly once', async () => {
    await w.nontaxFault('hold');
    await w.fault('wechat', 'lose', 1000);
    await w.fault('icbc', 'lose', 1000);
    // Amounts from one fen to the ten-million range: none of them may pass through a float.
    const amounts = ['0.01', '249.99', '9099.95', '1100.00', '99999999.99'];
    const amount = (i: number) => amounts[i % amounts.length]!;

    // First 25 (9 + 8 + 8): nobody comes back, the active query finds them after 5 minutes.
    const byQuery: string[] = [];
    for (const [c, n] of [['nontax', 9], ['wechat', 8], ['icbc', 8]] as const) byQuery.push(...(await payMany(c, n, amount)));
    for (const no of byQuery) expect(await w.statusOf(no)).toBe('paying');

    // Too early: nothing is asked.
    const deps = { payment: w.m.payment, paymentRepo: paymentRepo(w.knex), reconcileRepo: w.m.repo, registry: w.m.registry, afterMinutes: 5 };
    expect((await runActiveQuery({ ...deps, now: () => new Date() })).asked).toBe(0);
    const mid = new Date();
    await new Promise((r) => setTimeout(r, 20));

    // The second 25 (8 + 9 + 8) are paid after `mid`: at mid + 5 minutes they are still too young
    // for the query, and nobody asks about them until the day's statement.
    const byReconcile: string[] = [];
    for (const [c, n] of [['nontax', 8], ['wechat', 9], ['icbc', 8]] as const) byReconcile.push(...(await payMany(c, n, (i) => amount(i + 2))));

    const q = await runActiveQuery({ ...deps, now: () => new Date(mid.getTime() + 5 * 60_000) });
    expect(q).toEqual({ asked: 25, credited: 25, closed: 0, unanswered: 0 });
    for (const no of byQuery) expect(await w.statusOf(no)).toBe('paid');
    for (const no of byReconcile) expect(await w.statusOf(no)).toBe('paying');

    const runs = [];
    for (const c of CHANNELS) runs.push(await w.m.service.reconcile(c, w.today(), 'cli'));
    expect(runs.reduce((t, r) => t + r.restored, 0)).toBe(25);
    for (const r of runs) {
      expect(r.status).toBe('done');
      // The only differences are the restored ones; nothing is left for finance.
      expect(r.differences.every((d) => d.kind === 'paid_not_credited' && d.action === 'restored' && d.outcome === 'credited')).toBe(true);
    }
    expect(runs.reduce((t, r) => t + r.lines, 0)).toBe(50);

    for (const no of [...byQuery, ...byReconcile]) {
      expect(await w.statusOf(no)).toBe('paid');
      expect(await w.creditsOf(no)).toEqual({ entries: 1, receipts: 1 });
    }

    // Lost indeed: the sandboxes tried, and not one attempt reached the platform.
    for (const c of ['wechat', 'icbc']) {
      const log = await sandboxControl(w).notifications(c);
      expect(new Set(log.map((r) => r.orderNo)).size).toBe(c === 'wechat' ? 17 : 16);
      expect(log.every((r) => r.lost && !r.acked)).toBe(true);
    }
    expect(await countRows(w.knex, 'channel_events', { kind: 'notify' })).toBe(0);

    // The late notifications arrive after all: acknowledged, nothing credited twice.
    await w.nontaxFault('none');
    await w.clearFaults();
    for (const no of byReconcile.slice(0, 8)) {
      const code = (await w.knex('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id').where('o.order_no', no).first('a.channel_order_id')).channel_order_id;
      const r = await fetch(`${w.sandboxUrl}/nontax/control/notify/${code}`, { method: 'POST' });
      expect((await r.json()).acked).toBe(true);
    }
    const dup = await w.knex('channel_events').where({ kind: 'notify', outcome: 'duplicate' }).count<{ n: string }[]>('* as n');
    expect(Number(dup[0]!.n)).toBeGreaterThanOrEqual(8);

    // A second run of the day finds everything matched.
    for (const c of CHANNELS) {
      const again = await w.m.service.reconcile(c, w.today(), 'cli');
      expect(again.differences).toEqual([]);
      expect(again.restored).toBe(0);
    }
    for (const no of [...byQuery, ...byReconcile]) expect(await w.creditsOf(no)).toEqual({ entries: 1, receipts: 1 });
    expect(await w.ledgerDifferences()).toEqual([]);
    expect(await countRows(w.knex, 'orders', { status: 'paid' })).toBe(50);
  });
});
