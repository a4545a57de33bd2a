// 下一步 on 交费信息显示 pressed ten times at once (a double click, a slow phone, two tabs) builds
// one order for the bill, not ten live ones each of which could be paid.
import { describe, expect, it } from 'vitest';
import { paymentModule } from '../../src/modules/payment';
import { createGatewayRegistry } from '../../src/gateways/registry';
import { testConfig } from '../helpers/app';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const knex = db.knex;
const config = testConfig(db);
const payment = paymentModule({ config, knex, registry: createGatewayRegistry(config) }).service;

describe('building an order', () => {
  it('10 identical 下一步 at once → one order, the other nine reuse it', async () => {
    const s = await f.payerWithBill(knex, '代收', '250.00');
    const wizard = { category: '代收' as const, periods: [s.periodId], lines: [{ billId: s.billId, amount: '250.00' }] };
    const results = await Promise.all(Array.from({ length: 10 }, () => payment.confirmOrder(s.personId, wizard)));
    const numbers = new Set(results.map((r) => (r.ok ? r.orderNo : r.message)));
    expect(numbers.size).toBe(1);
    expect(results.filter((r) => r.ok && !r.reused)).toHaveLength(1);
    const live = await knex('orders').where({ person_id: s.personId }).whereIn('status', ['created', 'paying']).count<{ n: string }[]>('* as n');
    expect(Number(live[0]!.n)).toBe(1);
  });
});
