// ICBC refunds (merrefund V1) whose outcome the platform could not read: a system error answer
// (negative return_code, after ICBC took the refund), a timeout (ICBC took it, the answer came
// after our client gave up), a lost answer (taken, the connection reset) and a request that never
// arrived (a proxy's 502). Each ends in exactly one refund at ICBC and one refund entry in the
// books: the refund-query job asks refundqry under the same outtrx_serial_no and sends it again
// under that number only when ICBC never saw it. Everything goes over HTTP to the sandbox; the
// only stand-in is the network for the lost answer and the 502 (as in refund-recovery.test.ts).
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { icbcAdapter } from '../../src/gateways/icbc/adapter';
import { createGatewayRegistry } from '../../src/gateways/registry';
import { platformJobs } from '../../src/jobs';
import { createLogger } from '../../src/logger';
import { auditRepo } from '../../src/modules/audit/repo';
import type { Actor } from '../../src/modules/console/context';
import { RefundUncertainError, refundsModule } from '../../src/modules/refunds';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { reconcileWorld } from './reconcile-env';

const db = await testDatabase();
const w = await reconcileWorld(db, { CHANNEL_TIMEOUT_MS: '1000' });
const logger = createLogger('silent');
const fin = await f.person(w.knex, { role: 'finance_admin', password: 'Fin@2026pass' });
const actor: Actor = { accountId: fin.accountId, personId: fin.personId, name: fin.name, ip: '127.0.0.1' };
const count = (q: ReturnType<typeof w.knex>) => q.count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n));
const refundJob = () => platformJobs({ config: w.config, knex: w.knex, logger, now: () => new Date(Date.now() + 10 * 60_000) }).find((j) => j.name === 'refund-query')!;

type Fault = 'system-error' | 'timeout' | 'answer-lost' | 'never-sent';

/** The registry the console's refund uses for this case: the sandbox's fault, or a lossy network to it. */
async function gatewaysFor(fault: Fault) {
  if (fault === 'system-error') await w.fault('icbc', 'refund_error', 1);
  if (fault === 'timeout') await w.fault('icbc', 'refund_timeout', 1);
  if (fault === 'system-error' || fault === 'timeout') return createGatewayRegistry(w.config);
  let armed = true;
  const impl = (async (url: string | URL | Request, init?: RequestInit) => {
    if (armed && /merrefund/.test(String(url))) {
      armed = false;
      if (fault === 'answer-lost') {
        await fetch(url, init);
        throw new Error('socket hang up');
      }
      return new Response('bad gateway', { status: 502 });
    }
    return fetch(url, init);
  }) as typeof fetch;
  return createGatewayRegistry(w.config, [icbcAdapter(w.config.channels!.icbc, impl)]);
}

describe('an ICBC refund whose answer could not be read ends in one refund, never two', () => {
  for (const fault of ['system-error', 'timeout', 'answer-lost', 'never-sent'] as const) {
    it(fault, async () => {
      const p = await w.payer('代收', '249.99');
      const orderNo = await w.order(p);
      await w.payAt('icbc', await w.submit(p, orderNo, 'icbc'));
      await w.payment.result(p.personId, orderNo);
      expect(await w.statusOf(orderNo)).toBe('paid');

      const refunds = refundsModule({ db: w.knex, audit: auditRepo(w.knex), gateways: await gatewaysFor(fault), publicUrl: w.config.publicUrl });
      const err = await refunds.refund(actor, null, { personId: p.personId, billId: p.billId, amount: new Decimal('100.00'), mode: 'channel', reason: '原路退回' }).catch((e) => e);
      expect(err).toBeInstanceOf(RefundUncertainError);
      const refundNo = (err as RefundUncertainError).refundNo;
      const trade = w.sandbox.icbc.trades.get(orderNo)!;
      expect(trade.refundedFen).toBe(fault === 'never-sent' ? 0n : 10_000n);
      expect(await w.knex('refunds').where({ refund_no: refundNo }).first('status')).toEqual({ status: 'pending' });
      // Still reserved: no second refund past what is left of the bill, even offline.
      expect((await refunds.refund(actor, null, { personId: p.personId, billId: p.billId, amount: new Decimal('150.00'), mode: 'offline', reason: '再退' }).catch((e) => e)).message).toContain('149.99');

      await refundJob().run();
      await refundJob().run();
      expect(await w.knex('refunds').where({ refund_no: refundNo }).first('status')).toEqual({ status: 'succeeded' });
      expect(trade.refunds.map((r) => [r.refundNo, r.fen])).toEqual([[refundNo, 10_000n]]);
      expect(trade.refundedFen).toBe(10_000n);
      expect(await w.knex('bills').where({ id: p.billId }).first('paid', 'refunded')).toEqual({ paid: '249.99', refunded: '100.00' });
      expect(await count(w.knex('bill_ledger').where({ bill_id: p.billId, kind: 'refund' }))).toBe(1);
      expect(await w.ledgerDifferences(undefined, ['icbc'])).toEqual([]);
    });
  }
});
