// 下一步 on 交费信息显示 pressed ten times at once (a double click, a slow phone, two tabs) builds
// one order for the bill, not ten live ones each of which could be paid.
import { describe, expect, it } from 'vitest';
import { createGatewayRegistry } from '../../src/gateways/registry';
import { testConfig } from '../helpers/app';
import { testServices } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const knex = db.knex;
const config = testConfig(db);
const payment = testServices({ config, db, registry: createGatewayRegistry(config) }).payment;

describe('building an order', () => {
  it('10 identical 下一步 at once → one order, the other nine reuse it', async () => {
    const s = await f.payerWithBill(knex, '代收', '250.00');
    const wizard = { category: '代收' as const, periods: [s.periodId], lines: [{ billId: s.billId, amount: '250.00' }] };
    const results = await Promise.all(Array.from({ length: 10 }, () => payment.confirmOrder(s.personId, wizard)));
    const numbers = new Set(results.map((r) => r.orderNo));
    expect(numbers.size).toBe(1);
    expect(results.filter((r) => !r.reused)).toHaveLength(1);
    const live = await knex('orders').where({ person_id: s.personId }).whereIn('status', ['created', 'paying']).count<{ n: string }[]>('* as n');
    expect(Number(live[0]!.n)).toBe(1);
  });

  it("50 parallel 下一步 of one student wait without a connection: the other students' orders go on meanwhile", async () => {
    // Each waiter used to hold a pool connection while blocked on the person's advisory lock. Here
    // another instance holds that lock (a slow build of the same person's order) while fifty 下一步
    // arrive: before, they took all 4 connections and every other student's request waited for
    // them; now one waits at the database and the rest wait in the process.
    const { connect } = await import('../../src/db/connection');
    const { ORDER_BUILDING_LOCK } = await import('../../src/modules/payment/repo');
    const small = await connect({ databaseUrl: db.url, poolMax: 4 });
    const holder = await connect({ databaseUrl: db.url, poolMax: 1 });
    try {
      const service = testServices({ config, db: small, registry: createGatewayRegistry(config) }).payment;
      const busy = await f.payerWithBill(knex, '代收', '80.00');
      const others = await Promise.all(Array.from({ length: 5 }, () => f.payerWithBill(knex, '代收', '30.00')));
      const wizardOf = (s: typeof busy, amount: string) => ({ category: '代收' as const, periods: [s.periodId], lines: [{ billId: s.billId, amount }] });
      let burst: Promise<Awaited<ReturnType<typeof service.confirmOrder>>[]> | undefined;
      await holder.knex.transaction(async (lockTrx) => {
        await lockTrx.raw('SELECT pg_advisory_xact_lock(?, ?)', [ORDER_BUILDING_LOCK, busy.personId]);
        burst = Promise.all(Array.from({ length: 50 }, () => service.confirmOrder(busy.personId, wizardOf(busy, '80.00'))));
        // With the lock still held elsewhere, the other students are served.
        const rest = await Promise.all(others.map((o) => service.confirmOrder(o.personId, wizardOf(o, '30.00'))));
        expect(rest.every((r) => !r.reused)).toBe(true);
      });
      // The burst finishes once the lock is let go (the end of the holder's transaction).
      const results = await burst!;
      expect(new Set(results.map((r) => r.orderNo)).size).toBe(1);
    } finally {
      await Promise.all([small.close(), holder.close()]);
    }
  }, 60_000);
});
