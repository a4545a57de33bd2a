// 当前费用, 首页 and 学费缴费 get their bills (学费缴费 its live orders too) in the session's own
// statement (src/http/page-reads.ts, src/modules/fees/page-reads.ts, src/modules/payment/page-reads.ts).
// Two things must hold: what is read that way is exactly what the repos read on their own (every
// amount to the cent, each deferral in force, the expired ones told of, the ended windows hidden on
// 首页 only, each live order with its lines), and a signed-in GET then costs one statement.
import { describe, expect, it } from 'vitest';
import { currentFeesRead, openArrearsRead, payableBillsRead } from '../../src/modules/fees/page-reads';
import { type BillsWithDeferrals, feesRepo } from '../../src/modules/fees/repo';
import { expiredNoticeSince } from '../../src/domain/deferral';
import type { PageRead } from '../../src/http/session-repo';
import { liveOrdersOf, linesOf } from '../../src/modules/payment/orders-repo';
import { tuitionListRead } from '../../src/modules/payment/page-reads';
import { testApp } from '../helpers/app';
import { buildUnpaidOrder } from '../factories-payments';
import { Client } from '../helpers/client';
import { statementsOf } from '../helpers/statements';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const k = db.knex;
const app = testApp(db);
const PW = 'Abc12345!x';
const day = 24 * 3600_000;

/** A student with one bill of every kind the pages tell apart. */
async function student() {
  const p = await f.person(k, { password: PW });
  const older = await f.period(k);
  const newer = await f.period(k);
  await k('fee_periods').where({ id: older.id }).update({ sort_order: 1 });
  await k('fee_periods').where({ id: newer.id }).update({ sort_order: 2 });
  const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
  const item = (o: f.ItemOpts) => f.feeItem(k, { ...o, name: `${o.name}${p.number}` }).then((i) => i.id);
  const open = await item({ name: '学费' });
  const ended = await item({ name: '教材费', endsAt: iso(-2 * day) });
  const late = await item({ name: '住宿费', endsAt: iso(-2 * day), payableAfterEnd: true });
  const coming = await item({ name: '体检费', startsAt: iso(3 * day), category: '代收' });
  const bills = {
    open: await f.bill(k, { personId: p.personId, periodId: newer.id, feeItemId: open, due: '5200.00', paid: '1000.01' }),
    ended: await f.bill(k, { personId: p.personId, periodId: newer.id, feeItemId: ended, due: '320.50' }),
    late: await f.bill(k, { personId: p.personId, periodId: older.id, feeItemId: late, due: '1200.00', reduction: '200.00' }),
    coming: await f.bill(k, { personId: p.personId, periodId: older.id, feeItemId: coming, due: '88.80' }),
    deferred: await f.bill(k, { personId: p.personId, periodId: older.id, feeItemId: open, due: '4800.00' }),
  };
  const deferral = (billId: number, o: { status: string; amount: string; covered?: string; endedAgoDays?: number }) => k('deferrals').insert({
    bill_id: billId, person_id: p.personId, kind: 'national', amount: o.amount, covered: o.covered ?? '0', expected_on: '2026-10-15',
    status: o.status, reason: '测试', requested_by: p.accountId, ...(o.endedAgoDays !== undefined ? { ended_at: new Date(Date.now() - o.endedAgoDays * day) } : {}),
  });
  await deferral(bills.deferred, { status: 'approved', amount: '3000.00', covered: '1000.00' });
  await deferral(bills.open, { status: 'expired', amount: '2000.00', endedAgoDays: 10 });
  await deferral(bills.late, { status: 'expired', amount: '500.00', endedAgoDays: 45 });
  // A live order of two of the bills (学费缴费 lists it), and one closed (it does not).
  await buildUnpaidOrder(k, { personId: p.personId, status: 'paying', lines: [{ billId: bills.open, amount: '1999.99' }, { billId: bills.late, amount: '0.01' }] });
  await buildUnpaidOrder(k, { personId: p.personId, status: 'closed', lines: [{ billId: bills.open, amount: '5.00' }] });
  return { ...p, bills };
}

/** The page read as the session's statement sends it, for this person at this instant ($2, which the session's expiry check always uses). */
async function viaPageRead<T>(read: PageRead & { parse: (v: unknown) => T }, personId: number, now: Date): Promise<T> {
  const { rows } = await db.pool.query({ text: `SELECT (${read.sql({ person: '$1::int', account: 'NULL::int', now: 'to_timestamp($2)' })}) AS page, $2::float8 AS at`, values: [personId, now.getTime() / 1000] });
  return read.parse(rows[0]!.page);
}

/** What a test can compare: Decimals as text, Maps as entries. */
const plain = (r: BillsWithDeferrals) => JSON.parse(JSON.stringify({ bills: r.bills, inForce: [...r.inForce], expired: r.expired }));

describe('the bills read with the session', () => {
  it('are the repo\'s own, for 当前费用, 首页 and 学费缴费', async () => {
    const s = await student();
    const now = new Date();
    const repo = feesRepo(k);
    const fees = await viaPageRead(currentFeesRead, s.personId, now);
    expect(plain(fees)).toEqual(plain(await repo.billsWithDeferrals(s.personId, { expiredSince: expiredNoticeSince(now) })));
    expect(fees.bills).toHaveLength(5);
    expect(fees.bills.find((b) => b.billId === s.bills.open)!.paid.toFixed(2)).toBe('1000.01');
    expect(fees.bills.find((b) => b.billId === s.bills.ended)!.endsAt).toBeInstanceOf(Date);
    expect(fees.inForce.get(s.bills.deferred)!.remaining.toFixed(2)).toBe('2000.00');
    // Expired 10 days ago: told of; 45 days ago: not.
    expect(fees.expired.map((e) => e.billId)).toEqual([s.bills.open]);

    const home = await viaPageRead(openArrearsRead, s.personId, now);
    expect(plain(home)).toEqual(plain(await repo.billsWithDeferrals(s.personId, { hideExpiredAt: now })));
    expect(home.bills.map((b) => b.billId)).not.toContain(s.bills.ended);
    expect(home.bills.map((b) => b.billId)).toContain(s.bills.late);

    const pay = await viaPageRead(payableBillsRead, s.personId, now);
    expect(plain(pay)).toEqual(plain(await repo.billsWithDeferrals(s.personId)));

    const list = await viaPageRead(tuitionListRead, s.personId, now);
    expect(plain(list.bills)).toEqual(plain(pay));
    const orders = await liveOrdersOf(k, s.personId);
    expect(orders).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(list.live.orders))).toEqual(JSON.parse(JSON.stringify(orders)));
    expect(JSON.parse(JSON.stringify([...list.live.lines]))).toEqual(JSON.parse(JSON.stringify([...await linesOf(k, orders.map((o) => o.id))])));
    expect(list.live.lines.get(orders[0]!.id)!.map((l) => l.amount.toFixed(2)).sort()).toEqual(['0.01', '1999.99']);
  });

  it('are nothing for a person without bills', async () => {
    const p = await f.person(k);
    expect(plain(await viaPageRead(currentFeesRead, p.personId, new Date()))).toEqual({ bills: [], inForce: [], expired: [] });
  });
});

describe('statements per signed-in GET', () => {
  for (const [path, most, shows] of [['/fees', 1, '2,000.00'], ['/', 1, '4,199.99'], ['/pay', 1, '未完成支付的缴费单']] as const) {
    it(`${path}: the session's statement only`, async () => {
      const s = await student();
      const c = new Client(app);
      expect((await c.login(s.number, PW)).status).toBe(303);
      await c.get(path); // the session as a repeat visit finds it (nothing left to store)
      let body = '';
      const seen = await statementsOf(async () => {
        const res = await c.get(path);
        expect(res.status).toBe(200);
        body = res.text;
      });
      expect(seen.length, JSON.stringify(seen)).toBeLessThanOrEqual(most);
      expect(seen.every((x) => x.named), JSON.stringify(seen)).toBe(true);
      expect(body).toContain(shows);
    });
  }
});
