// kill -9 in the middle of a burst: 500 payers pay at WeChat and Alipay (the sandbox's phone
// pages) and the channels notify the platform process at once. When half of the orders are
// credited the process is killed with SIGKILL — transactions half done, answers never sent,
// notifications in flight — and started again on the same port. The channels keep retrying on
// their own schedules (WeChat 15s/15s/30s/3m…, Alipay 4m/10m/10m/1h…, time-scaled), so every
// payment arrives again: the ones whose credit was committed before the kill are answered as
// duplicates, the rest are credited now. In the end each order is paid once, each bill holds its
// payment once to the fen, and the ledger check and the channels' statements agree.
import { describe, expect, it, onTestFailed, onTestFinished } from 'vitest';
import { testDatabase } from '../helpers/test-db';
import { until } from '../helpers/world';
import { childWorld, inParallel } from './child-world';

const N = 500;
const db = await testDatabase({ poolMax: 6 });
// The channels' schedules at a hundredth of real time: WeChat's 15s/15s/30s/3m/10m/20m/30m… retries
// come 0.15 s, 0.3 s, 0.6 s, 2.4 s, 8.4 s, 20 s, 38 s, 56 s… after the first attempt, Alipay's
// 4m/10m/10m/1h… at 2.4 s, 8.4 s, 14 s, 50 s, 122 s: a restart that takes as long as a loaded
// machine needs is still a small part of the schedule, as a real restart is of a real one.
const w = await childWorld({ databaseUrl: db.url, knex: db.knex, env: { SANDBOX_TIME_SCALE: '0.01' } });

describe('kill -9 of the platform during a burst of 500 notifications', () => {
  it('after the restart and the channels\' retries every payment is credited exactly once', { timeout: 420_000 }, async () => {
    onTestFailed(() => console.log(`the platform's errors:\n${w.output().split('\n').filter((l) => l.includes('"level":50')).join('\n').slice(-8000)}`));
    const t0 = Date.now();
    const lap = (what: string) => console.log(`${what}: ${Date.now() - t0} ms`);
    await w.start();
    lap('started');
    const payments = await w.payments(N);
    lap('orders sent');
    const orderNos = payments.map((p) => p.orderNo);
    expect(await w.paidCount(orderNos)).toBe(0);

    let paidAtKill = -1;
    let paying = true;
    let paid = 0;
    const progress = setInterval(() => {
      void w.paidCount(orderNos).then((n) => console.log(`${Date.now() - t0} ms: ${paid} paid at the channels, ${n} credited, ${w.sandbox.control.log.length} notification attempts`));
    }, 10_000);
    onTestFinished(() => clearInterval(progress));
    // The killer: SIGKILL as soon as half are credited, while the notifications keep coming.
    const killer = (async () => {
      await until(async () => !paying || (await w.paidCount(orderNos)) >= N / 2, 300_000, 20);
      await w.kill();
      paidAtKill = await w.paidCount(orderNos);
      lap(`killed with ${paidAtKill} credited`);
      // Restarted at once, as systemd or the cluster launcher would.
      await w.start();
      lap('restarted');
    })();
    try {
      await inParallel(payments, 8, async (p) => {
        await w.pay(p);
        paid++;
      });
    } finally {
      paying = false;
    }
    lap('all paid at the channels');
    await killer;

    // Mid-burst indeed: some were credited before the kill, not all.
    expect(paidAtKill).toBeGreaterThan(0);
    expect(paidAtKill).toBeLessThan(N);

    // The channels' retries bring the rest; the platform acknowledges every one.
    await until(() => w.allAcked(payments), 300_000, 250);
    lap('all acknowledged');
    expect(await w.paidCount(orderNos)).toBe(N);
    expect(w.alive()).toBe(true);

    // The kill cost deliveries: attempts that reached no platform or got no answer.
    const failed = w.sandbox.control.log.filter((r) => !r.acked && !r.lost);
    expect(failed.length).toBeGreaterThan(0);

    expect(await w.creditedOnce(payments)).toEqual([]);
    // No notification credited twice: one credit per order in the channel events, the rest duplicates.
    const credits = await db.knex('channel_events').whereIn('order_no', orderNos).where({ kind: 'notify', outcome: 'credited' })
      .select('order_no').count<{ order_no: string; n: string }[]>('* as n').groupBy('order_no');
    expect(credits.length).toBe(N);
    expect(credits.every((c) => Number(c.n) === 1)).toBe(true);
  });
});
