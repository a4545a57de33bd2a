// A channel taken off the configured lists (CHANNELS_COLLECTED) still has money to account for:
// payments made before it was removed may arrive on its statements, and a lost notification is
// found only there. The daily job and the console reconcile it while it has payment attempts in
// the catch-up window; the CLI takes any registered channel. Over HTTP to the sandbox.
import { describe, expect, it } from 'vitest';
import { businessDate } from '../../src/domain/business-date';
import { reconcileCommand } from '../../src/cli/commands/reconcile';
import { addDays } from '../../src/modules/reconcile/channels';
import { testServices } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import { reconcileWorld } from './reconcile-env';

const db = await testDatabase();
const w = await reconcileWorld(db);

describe('a channel removed from the configuration', () => {
  it('the daily job still reconciles WeChat after it was taken off the lists, and restores a lost payment', async () => {
    const yesterday = addDays(businessDate(), -1);
    await w.fault('wechat', 'lose', 1000);
    const p = await w.payer('代收', '88.00');
    const orderNo = await w.order(p);
    await w.payAt('wechat', await w.submit(p, orderNo, 'wechat'));
    w.sandbox.wechat.trades.get(orderNo)!.paidAt = new Date(`${yesterday}T10:15:00+08:00`);
    expect(await w.statusOf(orderNo)).toBe('paying');
    await w.clearFaults();

    // The school then takes WeChat off: the deployment offers ICBC only.
    const config = { ...w.config, channelsByCategory: { 财政: ['nontax'], 代收: ['icbc'] } } as typeof w.config;
    const m = testServices({ config, db });
    expect(m.gateways.isConfigured('wechat')).toBe(false);
    expect((await m.reconcile.page()).channels).toContain('wechat');
    const runs = await m.reconcile.reconcileDue(yesterday);
    expect(runs.map((r) => r.channel)).toContain('wechat');
    expect(await w.statusOf(orderNo)).toBe('paid');
    expect(await w.creditsOf(orderNo)).toEqual({ entries: 1, receipts: 1 });
    // A channel with no attempts in the window and not configured is not fetched.
    expect(runs.map((r) => r.channel)).not.toContain('unionpay');

    // And by hand, from the CLI, under the same configuration.
    const out: string[] = [];
    expect(await reconcileCommand(w.knex, config, ['--channel', 'wechat', '--date', yesterday], (s) => out.push(s))).toBe(0);
  });
});
