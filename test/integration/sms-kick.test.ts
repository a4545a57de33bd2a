// SMS right after what queued it: a credit sends its paid notice, and the e-bill it sets off sends
// the e-bill notice, with no job tick. Kicked drains on two instances and the sms-sending job,
// all at once over one backlog, send each message exactly once.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { poolOver } from '../../src/db/connection';
import { platformJobs } from '../../src/jobs';
import { createLogger } from '../../src/logger';
import { sandboxSmsSender, type SmsSender } from '../../src/modules/sms/sender';
import { buildServices } from '../../src/services';
import { testDatabase } from '../helpers/test-db';
import { count, makeOrder, payAtCashier, payEnv, signedIn, submitNontax, until, PASSWORD } from '../helpers/world';
import * as f from '../factories';

const db = await testDatabase();
const knex = db.knex;
const env = await payEnv(db);
const logger = createLogger('silent');

describe('SMS kicked after a credit and after an e-bill', () => {
  it('sends the paid notice and the e-bill notice with no job tick', async () => {
    const p = await f.person(knex, { password: PASSWORD, mobile: '13911112222' });
    const period = await f.period(knex);
    const item = await f.feeItem(knex, { category: '财政' });
    const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '100.00' });
    const c = await signedIn(env, p.number);
    const orderNo = await makeOrder(c, '财政', period.id, { [billId]: '100.00' });
    await payAtCashier((await submitNontax(c, orderNo)).cashierUrl, 'alipay');
    // Nobody runs the scheduler here: only the kicks can send them.
    const rows = () => knex('sms_outbox').where({ person_id: p.personId }).select('purpose', 'status', 'attempts');
    await until(async () => {
      const r = await rows();
      return r.length === 2 && r.every((x) => x.status === 'sent');
    });
    expect((await rows()).map((x) => [x.purpose, x.attempts]).sort()).toEqual([['ebill', 1], ['notice', 1]]);
    expect(await count(knex('sms_sandbox_inbox').where({ mobile: '13911112222' }))).toBe(2);
  });
});

describe('kicked drains and the job over one backlog', () => {
  it('two instances kicking while the job runs send each of 300 messages once', { timeout: 60_000 }, async () => {
    const p = await f.person(knex, { mobile: '13933334444' });
    const bodies = Array.from({ length: 300 }, (_, i) => `【兰州理工大学】并发短信 ${i}`);
    await knex('sms_outbox').insert(bodies.map((body) => ({ person_id: p.personId, mobile: '13933334444', body })));

    // Each send yields for a moment, so the three runners' batches overlap in time.
    const sends = new Map<string, number>();
    const slowSender = (): SmsSender => {
      const real = sandboxSmsSender(knex);
      return {
        async send(mobile, body) {
          await sleep(Math.random() * 2);
          sends.set(body, (sends.get(body) ?? 0) + 1);
          return real.send(mobile, body);
        },
      };
    };
    const instance = () => buildServices({ config: env.config, db: { knex, pool: poolOver(knex) }, logger, smsSender: slowSender() });
    const [a, b] = [instance(), instance()];
    const job = platformJobs({ config: env.config, knex, logger, services: buildServices({ config: env.config, db: { knex, pool: poolOver(knex) }, logger, smsSender: slowSender() }) })
      .find((j) => j.name === 'sms-sending')!;

    const kicks = async (k: typeof a.smsKick) => {
      for (let i = 0; i < 5; i++) {
        k.kick();
        await sleep(3);
      }
      await k.idle();
    };
    await Promise.all([kicks(a.smsKick), kicks(b.smsKick), job.run(), job.run()]);

    const mine = knex('sms_outbox').where({ person_id: p.personId });
    expect(await count(mine.clone().whereNot({ status: 'sent' }))).toBe(0);
    expect(await count(mine.clone().whereNot({ attempts: 1 }))).toBe(0);
    expect(sends.size).toBe(300);
    expect([...sends.values()].every((n) => n === 1)).toBe(true);
    const inbox = await knex('sms_sandbox_inbox').where({ mobile: '13933334444' }).groupBy('body').select('body').count<{ body: string; n: string }[]>('* as n');
    expect(inbox).toHaveLength(300);
    expect(inbox.every((r) => Number(r.n) === 1)).toBe(true);
  });
});
