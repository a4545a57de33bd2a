// Two app instances (two createApp + scheduler pairs, each on its own pool over the same
// database) start their schedulers at the same moment. Every job runs once: each stale order is
// asked about once, the expired one closed once, each statement downloaded once, each receipt's
// e-bill issued and each SMS sent once.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { connect } from '../../src/db/connection';
import type { GatewayRegistry } from '../../src/gateways/registry';
import type { ChannelAdapter } from '../../src/gateways/types';
import { JOB_NAMES, platformJobs } from '../../src/jobs';
import { createScheduler } from '../../src/jobs/scheduler';
import { createLogger } from '../../src/logger';
import { channelsOf } from '../../src/modules/reconcile/channels';
import { testDatabase } from '../helpers/test-db';
import { reconcileWorld } from './reconcile-env';

const db = await testDatabase();
const w = await reconcileWorld(db);
const logger = createLogger('silent');

/** The registry as each instance builds it, counting what the jobs ask of the channels. */
function counted(registry: GatewayRegistry, calls: Map<string, number>): GatewayRegistry {
  const wrap = (a: ChannelAdapter): ChannelAdapter => new Proxy(a, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || !['query', 'close', 'downloadStatement'].includes(String(prop))) return v;
      return (...args: unknown[]) => {
        const key = `${String(prop)} ${a.id}`;
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return (v as (...x: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { ...registry, get: (id) => { const a = registry.get(id); return a ? wrap(a) : null; } };
}

describe('jobs started on two app instances at once', () => {
  it('run once', async () => {
    // Three payments whose notifications are lost (one per channel), and an order left to expire.
    await w.nontaxFault('hold');
    await w.fault('wechat', 'lose', 1000);
    await w.fault('icbc', 'lose', 1000);
    const stale: string[] = [];
    for (const ch of ['nontax', 'wechat', 'icbc'] as const) {
      const p = await w.payer(ch === 'nontax' ? '财政' : '代收', '250.00');
      const no = await w.order(p);
      await w.payAt(ch, await w.submit(p, no, ch));
      stale.push(no);
    }
    const longAgo = new Date(Date.now() - 3 * 3600_000);
    const late = await w.payer('财政', '80.00');
    const r = await w.payment.confirmOrder(late.personId, { category: '财政', periods: [late.periodId], lines: [{ billId: late.billId, amount: '80.00' }] }, longAgo);
    const expired = r.orderNo;
    expect((await w.payment.submitToChannel(late.personId, expired, 'nontax', longAgo)).kind).toBe('action');
    for (const no of [...stale, expired]) expect(await w.statusOf(no)).toBe('paying');
    // And one payment already credited (the payer came back to the result page): its receipt
    // waits for its e-bill and its SMS for sending when the schedulers start.
    const back = await w.payer('财政', '99.00');
    const backNo = await w.order(back);
    await w.payAt('nontax', await w.submit(back, backNo, 'nontax'));
    await w.payment.result(back.personId, backNo);
    expect(await w.statusOf(backNo)).toBe('paid');

    // Instance B: its own pool, its own app on its own port, its own scheduler.
    const other = await connect({ databaseUrl: db.url, poolMax: 4 });
    const appB = createApp({ config: w.config, db: { ...other }, logger });
    const serverB = await new Promise<Server>((res) => { const s = appB.listen(0, '127.0.0.1', () => res(s)); });
    const urlB = `http://127.0.0.1:${(serverB.address() as AddressInfo).port}`;
    expect((await fetch(`${w.appUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${urlB}/healthz`)).status).toBe(200);

    // The jobs see a clock ten minutes ahead, so the three payments are due for the active query.
    const now = () => new Date(Date.now() + 10 * 60_000);
    const calls = new Map<string, number>();
    const ran: string[] = [];
    const instance = (name: string, database: typeof db | typeof other) => {
      const jobs = platformJobs({ config: w.config, knex: database.knex, logger, registry: counted(w.m.registry, calls), now })
        .map((j) => ({ ...j, run: async () => { ran.push(j.name); await j.run(); } }));
      return createScheduler({ db: database, jobs, logger, instance: name });
    };
    const a = instance('a', db);
    const b = instance('b', other);
    a.start(20);
    b.start(20);
    const until = Date.now() + 20_000;
    for (;;) {
      const done = await w.knex('job_runs').whereNotNull('last_finished_at').count<{ n: string }[]>('* as n');
      if (Number(done[0]!.n) === JOB_NAMES.length || Date.now() > until) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    // A few more polls of both: within the jobs' periods nobody runs anything again.
    await new Promise((res) => setTimeout(res, 300));
    await Promise.all([a.stop(), b.stop()]);

    expect([...ran].sort()).toEqual([...JOB_NAMES].sort());
    const rows = await w.knex('job_runs').orderBy('name').select('name', 'runs', 'last_error', 'last_instance');
    expect(rows.map((x) => [x.name, x.runs, x.last_error])).toEqual([...JOB_NAMES].sort().map((n) => [n, 1, null]));
    expect(new Set(rows.map((x) => x.last_instance)).size).toBeGreaterThanOrEqual(1);

    // Each stale attempt asked once; the expired order closed once at its channel; one statement
    // per configured channel (yesterday's: the daily run).
    expect(calls.get('query nontax')).toBe(1);
    expect(calls.get('query wechat')).toBe(1);
    expect(calls.get('query icbc')).toBe(1);
    expect(calls.get('close nontax')).toBe(1);
    // (ICBC's statements are uploaded by finance: the job never asks for them.)
    const downloaded = channelsOf(w.m.registry).filter((ch) => !w.m.registry.get(ch)!.statementByUpload);
    expect(downloaded).not.toContain('icbc');
    for (const ch of channelsOf(w.m.registry)) expect(calls.get(`downloadStatement ${ch}`) ?? 0, ch).toBe(downloaded.includes(ch) ? 1 : 0);
    expect(await w.knex('reconcile_runs').count<{ n: string }[]>('* as n').then((x) => Number(x[0]!.n))).toBe(downloaded.length);

    for (const no of stale) {
      expect(await w.statusOf(no)).toBe('paid');
      expect(await w.creditsOf(no)).toEqual({ entries: 1, receipts: 1 });
    }
    expect(await w.statusOf(expired)).toBe('closed');
    // After payment: the waiting receipt's e-bill issued once, its SMS sent once. (Receipts of the
    // payments the query credited may be issued in this slot or the next: the other instance may
    // run the e-bill job while this one is still querying.)
    const receipt = await w.knex('receipts as r').join('orders as o', 'o.id', 'r.order_id').where('o.order_no', backNo).first('r.id', 'r.ebill_status', 'r.ebill_attempts');
    expect(receipt).toMatchObject({ ebill_status: '已生成', ebill_attempts: 1 });
    expect(await w.knex('ebills').where({ receipt_id: receipt.id }).count<{ n: string }[]>('* as n').then((x) => Number(x[0]!.n))).toBe(1);
    // The payment notice was waiting: sent once. The e-bill notice is queued when the e-bill is
    // issued, so it may go in this slot or the next — but never twice.
    const sms = await w.knex('sms_outbox').where({ person_id: back.personId }).select('status', 'attempts', 'mobile', 'purpose');
    expect(sms.find((x) => x.purpose === 'notice')).toMatchObject({ status: 'sent', attempts: 1 });
    for (const x of sms) expect([['sent', 1], ['pending', 0]]).toContainEqual([x.status, x.attempts]);
    expect(await w.knex('sms_sandbox_inbox').where({ mobile: sms[0]!.mobile }).count<{ n: string }[]>('* as n').then((x) => Number(x[0]!.n)))
      .toBe(sms.filter((x) => x.status === 'sent').length);
    expect(await w.ledgerDifferences(undefined, ['nontax', 'wechat', 'icbc'])).toEqual([]);

    serverB.closeAllConnections();
    await new Promise((res) => serverB.close(res));
    await other.close();
  });
});
