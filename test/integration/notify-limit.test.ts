// /pay/notify/* under a flood of junk from one address: refused notifications past the limit are
// answered 429 and not stored, the count is shared by every instance, a notification the channel
// signed is still credited from that same address, and refused bodies go after 30 days.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { platformJobs } from '../../src/jobs';
import { createLogger } from '../../src/logger';
import { REFUSED_PER_ADDRESS } from '../../src/modules/payment/notify-limit';
import { testDatabase } from '../helpers/test-db';
import {
  armFault, clearFaults, makeOrder, notification, orderStatus, payAtCashier, payEnv, postNotify, signedIn, submitNontax, PASSWORD,
} from '../helpers/world';
import * as f from '../factories';

const db = await testDatabase();
const env = await payEnv(db);
const knex = db.knex;
const JUNK = 'biz_content=%7B%22pay_code%22%3A%22x%22%7D&sign=forged';

const refusedStored = async () =>
  Number((await knex('channel_events').where({ kind: 'notify', verified: false }).count<{ n: string }[]>('* as n'))[0]!.n);

/** An order paid at the non-tax cashier whose own notification is held back, so the test sends it. */
async function paidButNotNotified() {
  const p = await f.person(knex, { password: PASSWORD });
  const period = await f.period(knex);
  const item = await f.feeItem(knex, { category: '财政' });
  const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '800.00' });
  const c = await signedIn(env, p.number);
  const orderNo = await makeOrder(c, '财政', period.id, { [billId]: '800.00' });
  const { cashierUrl, payCode } = await submitNontax(c, orderNo);
  await armFault(env, 'nontax', 'hold');
  try {
    await payAtCashier(cashierUrl, 'wechat');
  } finally {
    await clearFaults(env, 'nontax');
  }
  return { orderNo, payCode };
}

describe('the limit on refused notifications per address', () => {
  it(`${REFUSED_PER_ADDRESS + 10} forged posts at once: ${REFUSED_PER_ADDRESS} answered and kept, the rest 429 and not stored`, async () => {
    const answers = await Promise.all(Array.from({ length: REFUSED_PER_ADDRESS + 10 }, () => postNotify(env, JUNK)));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(10);
    // Below the limit the channel's own refusal, as before.
    expect(answers.filter((a) => a.status !== 429).every((a) => a.text !== 'SUCCESS')).toBe(true);
    expect(await refusedStored()).toBe(REFUSED_PER_ADDRESS);
    const one = await fetch(`${env.appUrl}/pay/notify/nontax`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: JUNK });
    expect(one.status).toBe(429);
    expect(Number(one.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('posts to a channel that is not ours count too', async () => {
    const res = await fetch(`${env.appUrl}/pay/notify/nosuch`, { method: 'POST', body: JUNK });
    expect(res.status).toBe(429);
  });

  it('is shared by every instance: a second app on the same database refuses the address too', async () => {
    const other = createApp({ config: env.config, db, logger: createLogger('silent') });
    const res = await request(other).post('/pay/notify/nontax').type('form').send(JUNK);
    expect(res.status).toBe(429);
    expect(await refusedStored()).toBe(REFUSED_PER_ADDRESS);
  });

  it('a notification the channel signed is credited from the limited address all the same', async () => {
    const s = await paidButNotNotified();
    const a = await postNotify(env, notification(env, s.payCode));
    expect(a).toEqual({ status: 200, text: 'SUCCESS' });
    expect(await orderStatus(knex, s.orderNo)).toBe('paid');
  });
});

describe('refused notifications are kept 30 days at most', () => {
  it('the notify-purge job deletes refused ones older than 30 days, and nothing else', async () => {
    const day = 24 * 3600_000;
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day);
    const rows = [
      { kind: 'notify', verified: false, outcome: 'rejected:signature', created_at: at(31), body: 'old junk' },
      { kind: 'notify', verified: false, outcome: 'rejected:signature', created_at: at(29), body: 'recent junk' },
      { kind: 'notify', verified: true, outcome: 'credited', created_at: at(400), body: 'an old payment' },
      { kind: 'create', verified: false, outcome: 'refused', created_at: at(400), body: 'our own call' },
    ];
    await knex('channel_events').insert(rows.map((r) => ({ channel: 'nontax', ...r })));
    const job = platformJobs({ config: env.config, knex, logger: createLogger('silent') }).find((j) => j.name === 'notify-purge')!;
    await job.run();
    const left = (await knex('channel_events').whereIn('body', rows.map((r) => r.body)).pluck('body')).sort();
    expect(left).toEqual(['an old payment', 'our own call', 'recent junk']);
  });
});
