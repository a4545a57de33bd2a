// The breaker in front of the non-tax platform (its e-bill requests and 确定缴费's bill.push): five failures in a row open it,
// one probe is let through when the delay is over, and a probe that fails opens it again at once
// with a longer delay (not after five more requests to a platform still down).
import { describe, expect, it } from 'vitest';
import { BREAKER_THRESHOLD, breakerDelayMs } from '../../src/modules/nontax-status/service';
import { testConfig } from '../helpers/app';
import { text, type Client } from '../helpers/client';
import { testServices } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import { countRows, makeOrder, payEnv, sandboxControl, signedIn, PASSWORD } from '../helpers/world';
import * as f from '../factories';

const db = await testDatabase();
const status = testServices({ config: testConfig(db), db }).nontaxStatus;
const env = await payEnv(db);

describe('the non-tax breaker', () => {
  it('opens after five failures, lets one probe through, and a failed probe opens it again with the next delay', async () => {
    const t0 = new Date('2026-12-02T02:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    expect(await status.gate(t0)).toBe('open');
    await status.failure('503', t0, BREAKER_THRESHOLD);
    expect(await status.gate(at(1))).toBe('closed');

    const first = breakerDelayMs(0);
    expect(await status.gate(at(first + 1))).toBe('probe');
    // Another pass meanwhile is not a second probe.
    expect(await status.gate(at(first + 2))).toBe('closed');
    await status.failure('503', at(first + 3));
    const b = await status.breaker();
    expect(b!.openUntil!.getTime()).toBe(at(first + 3).getTime() + breakerDelayMs(1));
    expect(await status.gate(at(first + 10))).toBe('closed');

    const probeAt = at(first + 3 + breakerDelayMs(1) + 1);
    expect(await status.gate(probeAt)).toBe('probe');
    await status.success(probeAt);
    expect(await status.gate(at(first + 3 + breakerDelayMs(1) + 2))).toBe('open');
  });
});

// 确定缴费 at 非税支付 feeds the same breaker: the platform's 503s count, a good answer clears the
// count, a refusal of the bill itself is no platform failure; once open, the submission shows
// 非税平台维护中 and is not tried.
describe('the breaker fed by 确定缴费', () => {
  const knex = db.knex;
  const control = sandboxControl(env);
  const app = () => testServices({ config: env.config, db }).nontaxStatus;
  const student = async () => {
    const p = await f.person(knex, { password: PASSWORD });
    const period = await f.period(knex);
    const item = await f.feeItem(knex, { category: '财政' });
    const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '100.00' });
    const c = await signedIn(env, p.number);
    return { c, orderNo: await makeOrder(c, '财政', period.id, { [billId]: '100.00' }) };
  };
  const submit = (c: Client, orderNo: string) => c.post(`/pay/orders/${orderNo}/submit`, { channel: 'nontax' });
  const pushes = (orderNo: string) => countRows(knex, 'channel_events', { kind: 'create', order_no: orderNo });
  const failures = async () => (await app().breaker())?.failures ?? 0;

  it('counts the platform\'s 503s, clears them on a good answer, ignores refusals, and once open shows the notice without trying', async () => {
    await control.clear();
    const a = await student();
    expect((await control.faults({ channel: 'nontax', kind: 'down', ms: 7 * 24 * 3600_000 })).status).toBe(201);
    for (let i = 1; i < BREAKER_THRESHOLD; i++) {
      const res = await submit(a.c, a.orderNo);
      expect(res.status).toBe(409);
      expect(text(res.text)).toContain('支付渠道暂时无法受理');
      expect(await failures()).toBe(i);
    }
    // The platform is back: the push is answered, and the count starts again.
    expect((await control.clear('nontax')).status).toBe(204);
    expect((await submit(a.c, a.orderNo)).status).toBe(303);
    expect(await failures()).toBe(0);

    // Refusals of the bill itself, from a platform that is up, count for nothing.
    const b = await student();
    expect((await control.faults({ channel: 'nontax', kind: 'declined', count: BREAKER_THRESHOLD + 1 })).status).toBe(201);
    for (let i = 0; i <= BREAKER_THRESHOLD; i++) expect((await submit(b.c, b.orderNo)).status).toBe(409);
    expect(await pushes(b.orderNo)).toBe(BREAKER_THRESHOLD + 1);
    expect(await failures()).toBe(0);
    expect(await app().outage()).toBeNull();

    // Down again: the fifth 503 in a row opens it, and the payer is told so on the same page.
    const c = await student();
    expect((await control.faults({ channel: 'nontax', kind: 'down', ms: 7 * 24 * 3600_000 })).status).toBe(201);
    let last = '';
    for (let i = 0; i < BREAKER_THRESHOLD; i++) last = (await submit(c.c, c.orderNo)).text;
    expect((await app().outage())?.source).toBe('breaker');
    expect(text(last)).toContain('非税平台维护中，预计');
    // Open: 确定缴费 is not tried, and 应交款明细表 shows the notice too.
    const tried = await pushes(c.orderNo);
    const refused = await submit(c.c, c.orderNo);
    expect(refused.status).toBe(409);
    expect(text(refused.text)).toContain('非税平台维护中，预计');
    expect(await pushes(c.orderNo)).toBe(tried);
    expect(text((await c.c.get('/pay')).text)).toContain('非税平台维护中，预计');
    await control.clear();
  });
});
