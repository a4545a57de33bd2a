// The non-tax platform down for a week (sandbox time, scaled): 500 payments. 财政 payments
// credited before the outage wait for their e-bills; the platform's failures open the breaker,
// finance announces the maintenance with its expected end, and students see 非税平台维护中 on
// 财政 payments and cannot build a 财政 order, while 代收 payments go on over HTTP. Payments
// confirmed during the outage (财政 and 代收 alike: the platform issues the 资金往来结算票据 too),
// and one paid at the cashier whose notification the platform only sends once it is back, all get
// their e-bills once it returns: every receipt exactly one bill, every bill requested from the
// platform once, every e-bill SMS queued and sent once.
import { describe, expect, it } from 'vitest';
import { poolOver } from '../../src/db/connection';
import { createLogger } from '../../src/logger';
import { drainEbills } from '../../src/modules/ebills/issuing';
import { drainSmsOutbox } from '../../src/modules/sms/outbox';
import { buildServices } from '../../src/services';
import { text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import {
  count, countRows, makeOrder, pageAction, payAt, payAtCashier, payEnv, sandboxControl, signedIn, submitNontax, until, PASSWORD,
} from '../helpers/world';
import * as f from '../factories';
import { paidOrder } from '../factories-payments';

const WEEK_MS = 7 * 24 * 3600_000;
const db = await testDatabase();
const knex = db.knex;
// A week of sandbox time is about six real minutes: the test recovers the platform itself long before.
const env = await payEnv(db, { SANDBOX: '1', SANDBOX_TIME_SCALE: '0.0006' });
const logger = createLogger('silent');
// A second instance's services: its jobs drain what the app's own kicks leave.
const s = buildServices({ config: env.config, db: { knex, pool: poolOver(knex) }, logger });
const control = sandboxControl(env);

async function payers(n: number, category: '财政' | '代收', o: { password?: string } = {}) {
  const period = await f.period(knex);
  const item = await f.feeItem(knex, { category });
  const out = [];
  for (let i = 0; i < n; i++) {
    const p = await f.person(knex, o.password ? { password: o.password } : {});
    const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '100.00' });
    out.push({ ...p, billId, periodId: period.id });
  }
  return out;
}

/** Credited as a verified confirmation would be, ten at a time. */
async function creditAll(list: { personId: number; billId: number }[], channel: 'nontax' | 'wechat', category: '财政' | '代收') {
  for (let i = 0; i < list.length; i += 10) {
    await Promise.all(list.slice(i, i + 10).map((p) => paidOrder(knex, { personId: p.personId, channel, category, lines: [{ billId: p.billId, amount: '100.00' }] })));
  }
}

describe('a week-long non-tax outage', () => {
  it('keeps 代收 paying, shows 财政 the notice, and issues every e-bill exactly once after recovery', { timeout: 240_000 }, async () => {
    // Before: 200 财政 payments credited at term start, their e-bills not yet requested.
    await creditAll(await payers(200, '财政'), 'nontax', '财政');
    // A student pays 财政 at the cashier; the platform goes down before its notification is out.
    const [late] = await payers(1, '财政', { password: PASSWORD });
    const lc = await signedIn(env, late!.number);
    const lateNo = await makeOrder(lc, '财政', late!.periodId, { [late!.billId]: '100.00' });
    const { cashierUrl } = await submitNontax(lc, lateNo);
    expect((await control.faults({ channel: 'nontax', kind: 'delay', ms: 1500 })).status).toBe(201);
    await payAtCashier(cashierUrl, 'alipay');
    expect((await control.faults({ channel: 'nontax', kind: 'down', ms: WEEK_MS })).status).toBe(201);

    // The platform learns it is down from its own failures: the breaker opens.
    const t0 = new Date();
    const first = await drainEbills({ ...s.ebillIssuing, now: () => t0 });
    expect(first.issued).toBe(0);
    expect((await s.nontaxStatus.outage(t0))?.source).toBe('breaker');
    // Finance announces the maintenance with its expected end.
    const expected = new Date(t0.getTime() + WEEK_MS);
    const mid = await s.nontaxStatus.announce({ accountId: null }, { startsAt: t0, endsAt: expected, note: '省非税平台升级' });

    // Students: 财政 shows the notice and builds nothing; 代收 is paid through the channel.
    const during = await payers(3, '代收', { password: PASSWORD });
    for (const p of during) {
      const c = await signedIn(env, p.number);
      // Each instance reads the status at most once a second: the app may show the old one that long.
      await until(async () => text((await c.get('/pay')).text).includes('非税平台维护中，预计'));
      const ordersBefore = await countRows(knex, 'orders');
      const fiscal = await c.get(`/pay/items?category=${encodeURIComponent('财政')}&period=${p.periodId}`);
      expect(fiscal.status).toBe(409);
      expect(text(fiscal.text)).toContain('非税平台维护中');
      expect(await countRows(knex, 'orders')).toBe(ordersBefore);
      const orderNo = await makeOrder(c, '代收', p.periodId, { [p.billId]: '100.00' });
      await c.get(`/pay/orders/${orderNo}`);
      const submitted = await c.post(`/pay/orders/${orderNo}/submit`, { channel: 'wechat' });
      expect(submitted.status, submitted.text.slice(0, 300)).toBe(200);
      await payAt(pageAction(submitted.text));
      await until(async () => (await knex('orders').where({ order_no: orderNo }).first('status')).status === 'paid');
    }
    // The cashier's student's order is still 支付中 and may not be sent to the platform again.
    const again = await lc.post(`/pay/orders/${lateNo}/submit`, { channel: 'nontax' });
    expect(again.status).toBe(409);
    // 246 more 代收 payments and 50 财政 confirmations (reconciliation, queries) during the outage.
    await creditAll(await payers(246, '代收'), 'wechat', '代收');
    await creditAll(await payers(50, '财政'), 'nontax', '财政');
    expect(await countRows(knex, 'receipts')).toBe(499);

    // The week goes by, the jobs tick every six hours (their clock runs ahead; what they claim they
    // finish in the same pass): no e-bill request goes out, 代收 receipts wait with the 财政 ones.
    const requestsBefore = env.sandbox.ebill.requests;
    for (let h = 6; h < 7 * 24; h += 6) {
      const at = new Date(t0.getTime() + h * 3600_000);
      await drainEbills({ ...s.ebillIssuing, now: () => at });
    }
    expect(env.sandbox.ebill.requests).toBe(requestsBefore);
    expect(await count(knex('receipts').where({ category: '代收', ebill_status: '待生成' }))).toBe(249);
    expect(await count(knex('receipts').where({ category: '财政', ebill_status: '待生成' }))).toBe(250);

    // Back: the platform returns, finance ends the maintenance, the queued work drains.
    expect((await control.clear('nontax')).status).toBe(204);
    expect(await s.nontaxStatus.end({ accountId: null }, mid)).toBe(true);
    await until(async () => (await knex('orders').where({ order_no: lateNo }).first('status')).status === 'paid', 30_000);
    expect(await countRows(knex, 'receipts')).toBe(500);
    // This instance's clock two minutes on: the first failures' retries (a minute) are due. Still
    // within the five-minute lease, so it and the app's own kicks never take one another's receipts.
    await until(async () => {
      await drainEbills({ ...s.ebillIssuing, now: () => new Date(Date.now() + 2 * 60_000) });
      return (await countRows(knex, 'receipts', { ebill_status: '待生成' })) === 0;
    }, 60_000, 200);

    // Every receipt has exactly one bill, each asked of the platform once.
    expect(await countRows(knex, 'receipts', { ebill_status: '待生成' })).toBe(0);
    expect(await countRows(knex, 'ebills')).toBe(500);
    expect(Number((await knex('ebills').countDistinct<{ n: string }[]>('receipt_id as n'))[0]!.n)).toBe(500);
    expect(env.sandbox.ebill.issued()).toHaveLength(500);
    expect(env.sandbox.ebill.issued().filter((b) => b.billType === '0401')).toHaveLength(249);
    expect(env.sandbox.ebill.maxRequestsPerId()).toBe(1);
    expect((await s.nontaxStatus.breaker())?.openUntil ?? null).toBeNull();

    // The e-bill notices go out once each.
    for (let i = 0; i < 20; i++) {
      const r = await drainSmsOutbox({ knex, sender: s.smsSender, batchSize: 500 });
      if (r.sent === 0) break;
    }
    const ebillSms = await countRows(knex, 'sms_outbox', { purpose: 'ebill' });
    expect(ebillSms).toBe(500);
    expect(await countRows(knex, 'sms_outbox', { purpose: 'ebill', status: 'sent' })).toBe(500);
    expect(await count(knex('sms_sandbox_inbox').whereLike('body', '%已开具%'))).toBe(500);
  });
});
