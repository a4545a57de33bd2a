// The daily reconciliation after an outage: the platform was down for four days (job_runs shows
// the reconcile job last ran four days ago, reconcile_runs has nothing after the day before the
// outage), and a WeChat payment made during it was never notified. When the scheduler runs the
// job again it reconciles every missed day of every channel, oldest first — a week back at most,
// and only from the channel's first successful run (a channel never reconciled starts with
// yesterday) — so the lost payment is restored from its own day's statement. An hour later the
// job has nothing left to do for the days that were reconciled.
import { describe, expect, it } from 'vitest';
import { businessDate } from '../../src/domain/business-date';
import { platformJobs } from '../../src/jobs';
import { createScheduler } from '../../src/jobs/scheduler';
import { createLogger } from '../../src/logger';
import { addDays, channelsOf } from '../../src/modules/reconcile/channels';
import { testDatabase } from '../helpers/test-db';
import { reconcileWorld } from './reconcile-env';

const db = await testDatabase();
// Every channel configured: the job reconciles only the channels the deployment offers.
const w = await reconcileWorld(db, { CHANNELS_COLLECTED: 'icbc,wechat,alipay,unionpay' });
const logger = createLogger('silent');

const runsOf = async (channel: string) =>
  (await w.knex('reconcile_runs').where({ channel }).orderBy('id').select(w.knex.raw(`to_char(day, 'YYYY-MM-DD') AS day`), 'status', 'restored', 'trigger'))
    .map((r) => ({ day: r.day as string, status: r.status as string, restored: r.restored as number, trigger: r.trigger as string }));

describe('reconciliation catches up on the days missed during an outage', () => {
  it('every missed day since the last successful run, bounded to a week, and the lost payment restored on its day', async () => {
    const today = businessDate();
    const day = (n: number) => addDays(today, -n);
    const channels = channelsOf(w.m.registry);
    expect(channels).toEqual(expect.arrayContaining(['nontax', 'wechat', 'icbc', 'alipay', 'unionpay']));

    // History: nontax, WeChat and ICBC reconciled up to D-5; Alipay last reconciled at D-20 (its
    // days before D-7 are out of reach); UnionPay never reconciled. The job last ran 4 days ago.
    const history: Record<string, number[]> = { nontax: [9, 8, 7, 6, 5], wechat: [9, 8, 7, 6, 5], icbc: [9, 8, 7, 6, 5], alipay: [21, 20] };
    for (const [channel, days] of Object.entries(history)) {
      await w.knex('reconcile_runs').insert(days.map((n) => ({ channel, day: day(n), status: 'done', trigger: 'job', finished_at: new Date() })));
    }
    const fourDaysAgo = new Date(Date.now() - 4 * 24 * 3600_000);
    await w.knex('job_runs').insert({ name: 'reconcile', last_started_at: fourDaysAgo, last_finished_at: fourDaysAgo, last_instance: 'a', runs: 30 });

    // During the outage (D-3) a payer paid by WeChat; the notification was lost and nobody asked.
    await w.fault('wechat', 'lose', 1000);
    const p = await w.payer('代收', '360.50');
    const orderNo = await w.order(p);
    await w.payAt('wechat', await w.submit(p, orderNo, 'wechat'));
    const trade = w.sandbox.wechat.trades.get(orderNo)!;
    trade.paidAt = new Date(`${day(3)}T10:15:00+08:00`);
    expect(await w.statusOf(orderNo)).toBe('paying');

    const jobs = platformJobs({ config: w.config, knex: w.knex, logger }).filter((j) => j.name === 'reconcile');
    const scheduler = createScheduler({ db, jobs, logger, instance: 'a' });
    expect(await scheduler.tick(new Date())).toEqual(['reconcile']);

    const missed = [4, 3, 2, 1].map(day);
    for (const ch of ['nontax', 'wechat']) {
      const runs = (await runsOf(ch)).slice(history[ch]!.length);
      expect(runs.map((r) => [r.day, r.status, r.trigger]), ch).toEqual(missed.map((d) => [d, 'done', 'job']));
    }
    // ICBC's statements come as files finance uploads: the job fetches nothing and records no
    // failed run for the days it cannot have.
    expect(await runsOf('icbc')).toHaveLength(history.icbc!.length);
    // Alipay: bounded to the week before today, D-7 … D-1.
    expect((await runsOf('alipay')).slice(2).map((r) => r.day)).toEqual([7, 6, 5, 4, 3, 2, 1].map(day));
    // UnionPay, never reconciled: yesterday only.
    expect((await runsOf('unionpay')).map((r) => r.day)).toEqual([day(1)]);

    // The lost payment came back from D-3's statement, credited once.
    const wechat = (await runsOf('wechat')).slice(5);
    expect(wechat.map((r) => r.restored)).toEqual([0, 1, 0, 0]);
    expect(await w.statusOf(orderNo)).toBe('paid');
    expect(await w.creditsOf(orderNo)).toEqual({ entries: 1, receipts: 1 });
    expect((await w.knex('bills').where({ id: p.billId }).first('paid')).paid).toBe('360.50');
    expect(await w.ledgerDifferences([day(3)], ['wechat'])).toEqual([]);

    // An hour later: the caught-up days are not fetched again.
    const before = await w.knex('reconcile_runs').whereIn('channel', ['nontax', 'wechat', 'icbc', 'alipay']).count<{ n: string }[]>('* as n');
    expect(await scheduler.tick(new Date(Date.now() + 3600_000 + 1000))).toEqual(['reconcile']);
    const after = await w.knex('reconcile_runs').whereIn('channel', ['nontax', 'wechat', 'icbc', 'alipay']).count<{ n: string }[]>('* as n');
    expect(after[0]!.n).toBe(before[0]!.n);
    expect(await w.creditsOf(orderNo)).toEqual({ entries: 1, receipts: 1 });
    await scheduler.stop();
  });
});
