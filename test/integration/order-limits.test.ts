// The two ends of building an order through the wizard (交费信息显示's 下一步): a person at the cap
// of live orders, and a day whose six-digit serial is used up. Both are a message on 应交款明细表
// with nothing built, never a 500.
import { describe, expect, it } from 'vitest';
import { businessDate } from '../../src/domain/business-date';
import { MAX_DAILY_SERIAL } from '../../src/domain/order-number';
import { Client, text } from '../helpers/client';
import { testApp } from '../helpers/app';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const PASSWORD = 'Abc12345!x';
const CAP = 2;
const db = await testDatabase();
const app = testApp(db, { MAX_LIVE_ORDERS: String(CAP) });

/** A student with `n` 代收 bills in one period, signed in. */
async function student(n: number) {
  const p = await f.person(db.knex, { password: PASSWORD });
  const period = await f.period(db.knex);
  const bills: number[] = [];
  for (let i = 0; i < n; i++) {
    const item = await f.feeItem(db.knex, { category: '代收' });
    bills.push(await f.bill(db.knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '100.00' }));
  }
  const c = new Client(app);
  expect((await c.login(p.number, PASSWORD)).status).toBe(303);
  return { c, personId: p.personId, periodId: period.id, bills };
}

/** 缴费信息修改 → 下一步 with one bill, then 交费信息显示 → 下一步. */
async function orderOne(s: Awaited<ReturnType<typeof student>>, billId: number) {
  await s.c.get(`/pay/items?category=${encodeURIComponent('代收')}&period=${s.periodId}`);
  const items = await s.c.post('/pay/items', { category: '代收', period: String(s.periodId), bill: String(billId), [`amount_${billId}`]: '100.00' });
  expect(items.headers.location).toBe('/pay/review');
  await s.c.get('/pay/review');
  return s.c.post('/pay/orders', {});
}

const liveCount = async (personId: number) =>
  Number((await db.knex('orders').where({ person_id: personId }).whereIn('status', ['created', 'paying']).count<{ n: string }[]>('* as n'))[0]!.n);

describe('live orders per person', () => {
  it(`one live order past the cap (${CAP}) is refused with a message, and nothing is built`, async () => {
    const s = await student(CAP + 1);
    for (let i = 0; i < CAP; i++) expect((await orderOne(s, s.bills[i]!)).status).toBe(303);
    const refused = await orderOne(s, s.bills[CAP]!);
    expect(refused.status).toBe(409);
    expect(text(refused.text)).toContain(`您已有${CAP}张未完成支付的缴费单，请先继续支付或取消其中的缴费单，再生成新的缴费单`);
    // The orders it counts are listed on the same page, each with 继续支付 and 取消.
    expect(text(refused.text)).toContain('未完成支付的缴费单');
    expect(await liveCount(s.personId)).toBe(CAP);
  });

  it('an identical selection at the cap is reused, not refused', async () => {
    const s = await student(CAP);
    for (let i = 0; i < CAP; i++) await orderOne(s, s.bills[i]!);
    const again = await orderOne(s, s.bills[0]!);
    expect(again.status).toBe(303);
    expect(again.headers.location).toMatch(/\?reused=1$/);
  });

  it('an expired order (not yet closed by the job) does not count', async () => {
    const s = await student(CAP + 1);
    for (let i = 0; i < CAP; i++) await orderOne(s, s.bills[i]!);
    await db.knex('orders').where({ person_id: s.personId }).update({ expires_at: new Date(Date.now() - 60_000) });
    expect((await orderOne(s, s.bills[CAP]!)).status).toBe(303);
  });
});

describe("the day's serial", () => {
  it(`after serial ${MAX_DAILY_SERIAL}: a message, no order, no 500; the counter stays at its end`, async () => {
    const s = await student(2);
    const day = businessDate(new Date());
    await db.knex.raw('INSERT INTO order_serials(day, last) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET last = EXCLUDED.last', [day, MAX_DAILY_SERIAL - 1]);
    const last = await orderOne(s, s.bills[0]!);
    expect(last.status).toBe(303);
    expect(last.headers.location).toMatch(new RegExp(`/pay/orders/XF\\d{6}[A-Z]{3}${MAX_DAILY_SERIAL}$`));

    const refused = await orderOne(s, s.bills[1]!);
    expect(refused.status).toBe(409);
    expect(text(refused.text)).toContain('今日缴费单数量已达上限，暂时无法生成新的缴费单，请明日再试或联系财务处');
    expect(await liveCount(s.personId)).toBe(1);
    const row = await db.knex('order_serials').where({ day }).first('last');
    expect(Number(row.last)).toBe(MAX_DAILY_SERIAL);
  });
});
