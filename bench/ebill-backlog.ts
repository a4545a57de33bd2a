// E-bills at term start: a backlog of fiscal receipts (BENCH_EBILL_BACKLOG, default 2,000; the
// issue's figure is 10,000) drained by two workers at once, as two instances would, against the
// sandbox's e-bill service over loopback HTTP: bills/s, and that no bill was asked for twice.
// Beside it, in the same run, the reference: the same number of signed requests to the same
// service with the same concurrency and no database (what the platform's answers alone cost).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import express from 'express';
import { benchConfig, benchDatabase } from './bench-db';
import { migrateLatest } from '../src/db/migrate';
import { createLogger } from '../src/logger';
import { createEbillClient } from '../src/modules/ebills/client';
import { BILL_TYPE } from '../src/modules/ebills/protocol';
import { drainEbills, type IssuingDeps } from '../src/modules/ebills/issuing';
import { nontaxStatusService } from '../src/modules/nontax-status/service';
import { auditRepo } from '../src/modules/audit/repo';
import { ebillSandbox } from '../src/sandbox/ebill';
import * as f from '../test/factories';
import { paidOrder } from '../test/factories-payments';

const BACKLOG = Number(process.env.BENCH_EBILL_BACKLOG ?? 2000);
const WORKERS = 2;
const CONCURRENCY = 4;

export async function benchEbillBacklog(): Promise<void> {
  const { db, url, drop } = await benchDatabase('ebill', 12);
  const settings = { appId: 'LUT-EBILL', secret: 'bench-ebill-secret-0123456789abcdef' };
  const sandbox = ebillSandbox(settings);
  const app = express();
  app.use('/ebill', sandbox.router);
  const server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  try {
    await migrateLatest(db.knex);
    const k = db.knex;
    const config = benchConfig(url);
    const ebillUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ebill`;
    console.log(`ebill-backlog: ${BACKLOG} fiscal receipts, ${WORKERS} workers × ${CONCURRENCY} requests in flight, ${availableParallelism()} cores`);

    const period = await f.period(k, '2026年度');
    const item = await f.feeItem(k, { category: '财政', name: '学费', code: '10304275713' });
    let t = performance.now();
    for (let i = 0; i < BACKLOG; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, BACKLOG - i) }, async (_, j) => {
        // A number of its own: the factory's random ones may meet among 10,000.
        const p = await f.person(k, { number: `EB${String(i + j).padStart(6, '0')}` });
        const billId = await f.bill(k, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '5000.00' });
        await paidOrder(k, { personId: p.personId, channel: 'nontax', lines: [{ billId, amount: '5000.00' }] });
      }));
    }
    console.log(`  backlog built (credited through the payment module) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const client = createEbillClient({ url: ebillUrl, ...settings });
    const gate = nontaxStatusService({ db: k, audit: auditRepo(k), window: null });
    const deps: IssuingDeps = {
      knex: k, client, schoolName: config.schoolName, publicUrl: config.publicUrl, logger: createLogger('silent'),
      gate, batchSize: 50, concurrency: CONCURRENCY,
    };
    t = performance.now();
    const results = await Promise.all(Array.from({ length: WORKERS }, () => drainEbills(deps, 10 * 60_000)));
    const drainS = (performance.now() - t) / 1000;
    const issued = results.reduce((a, r) => a + r.issued, 0);
    const left = Number((await k('receipts').where({ ebill_status: '待生成' }).count<{ n: string }[]>('* as n'))[0]!.n);
    const twice = sandbox.control.maxRequestsPerId() > 1;

    // Reference: the same requests straight to the service, no database.
    const before = sandbox.control.requests;
    t = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: WORKERS * CONCURRENCY }, async () => {
      while (next < BACKLOG) {
        const i = next++;
        await client.issue({
          requestId: `REF-${i}`, billType: BILL_TYPE.fiscal, channel: '网上支付', payerName: '基准', payerNumber: String(i), unitName: config.schoolName, remark: '', payDate: '2026-09-01', total: '5000.00',
          lines: [{ code: '10304275713', name: '学费', unit: '元', quantity: '1', standard: '5000.00', amount: '5000.00' }],
        });
      }
    }));
    const refS = (performance.now() - t) / 1000;

    console.log(`  drain:     ${issued} bills in ${drainS.toFixed(1)} s = ${(issued / drainS).toFixed(0)} bills/s; left 待生成: ${left}; a bill asked twice: ${twice ? 'YES' : 'no'}`);
    console.log(`  reference: ${sandbox.control.requests - before} bare signed requests in ${refS.toFixed(1)} s = ${(BACKLOG / refS).toFixed(0)} requests/s (same service, same concurrency, no database)`);
    if (left !== 0 || twice || issued !== BACKLOG) throw new Error('ebill-backlog: the backlog did not drain exactly once');
  } finally {
    await new Promise((r) => server.close(r));
    await drop();
  }
}
