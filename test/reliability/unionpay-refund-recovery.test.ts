// UnionPay refunds that did not get a clear answer end in exactly one refund. A refund is a
// transaction named by orderId (our refund number) + txnTime: the refund-query job asks about the
// earlier request by its own orderId + txnTime (queryTrans); only when UnionPay says it has no such
// transaction (respCode 34) is a new request sent, with the current txnTime, and that time is kept
// before it goes out so the next query names the new request. Over HTTP to the sandbox; the only
// stand-in is the network between the platform and UnionPay (pattern: refund-recovery.test.ts).
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { compactDateTime } from '../../src/gateways/common/crypto';
import { createGatewayRegistry } from '../../src/gateways/registry';
import type { PaymentAction } from '../../src/gateways/types';
import { unionpayAdapter } from '../../src/gateways/unionpay/adapter';
import { formatAcpResponse } from '../../src/gateways/unionpay/codec';
import { auditRepo } from '../../src/modules/audit/repo';
import type { Actor } from '../../src/modules/console/context';
import { RefundUncertainError, refundsModule } from '../../src/modules/refunds';
import { checkLedger } from '../../src/modules/reconcile/ledger-check';
import { ledgerCheckRepo } from '../../src/modules/reconcile/ledger-check-repo';
import { count, faultOnce, form, payEnv, refundQueryJob } from '../helpers/world';
import { testServices, unionpayCollects } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const env = await payEnv(db);
const knex = db.knex;
const { registry, payment } = unionpayCollects(env.config, db);
const sim = env.sandbox.unionpay;

/**
 * What happens to the next refund request (backTransReq.do):
 *  - system-error-done: it reaches UnionPay (refunded), the answer is respCode 04 (交易通讯超时，请发起查询交易);
 *  - system-error: it does not take effect, the answer is respCode 03 (交易通讯超时);
 *  - timeout: it never arrives in time (our client gives up), not refunded;
 *  - lost: it reaches UnionPay (refunded), the answer is lost on the way back.
 */
type Net = 'system-error-done' | 'system-error' | 'timeout' | 'lost';
function flaky(mode: Net) {
  const impl = faultOnce((u) => /backTransReq/.test(u), async (url, init) => {
    const fields = Object.fromEntries(new URLSearchParams(String(init?.body)));
    const busy = (respCode: string) => new Response(formatAcpResponse(sim.sign({
      txnType: '04', txnSubType: '00', bizType: '000201', merId: fields.merId!, orderId: fields.orderId!, txnTime: fields.txnTime!, respCode, respMsg: '交易通讯超时，请发起查询交易',
    })));
    if (mode === 'system-error-done') {
      await fetch(url, init);
      return busy('04');
    }
    if (mode === 'system-error') return busy('03');
    if (mode === 'timeout') throw Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    await fetch(url, init);
    throw new Error('socket hang up');
  });
  return createGatewayRegistry(env.config, [unionpayAdapter(env.config.channels!.unionpay, impl)]);
}

const fin = await f.person(knex, { role: 'finance_admin', password: 'Fin@2026pass' });
const actor: Actor = { accountId: fin.accountId, personId: fin.personId, name: fin.name, ip: '127.0.0.1' };
const refundJob = () => refundQueryJob(env.config, knex);
const post = (url: string, fields: Record<string, string> = {}) => fetch(url, form(fields, { follow: true }));

async function paid(due: string) {
  const p = await f.payerWithBill(knex, '代收', due);
  const { billId } = p;
  const o = await payment.confirmOrder(p.personId, { category: '代收', periods: [p.periodId], lines: [{ billId, amount: due }] });
  const r = await payment.submitToChannel(p.personId, o.orderNo, 'unionpay');
  const action = (r as { action: PaymentAction }).action;
  if (action.kind !== 'form') throw new Error('front form expected');
  const page = await (await post(action.url, action.fields)).text();
  const next = /action="([^"]+)\/next"/.exec(page)![1]!;
  const origin = new URL(action.url).origin;
  await post(`${origin}${next}/next`, { mobile: '13800000000', card: '123456' });
  await post(`${origin}${next}/confirm`);
  await payment.result(p.personId, o.orderNo);
  expect((await knex('orders').where({ order_no: o.orderNo }).first('status')).status).toBe('paid');
  return { personId: p.personId, billId, orderNo: o.orderNo };
}

/** The refunds UnionPay holds for this order (each a transaction of its own orderId + txnTime). */
const refundsAt = (orderNo: string) => [...sim.refundTxns.values()].filter((r) => r.trade.orderNo === orderNo).map((r) => ({ refundNo: r.refundNo, fen: r.fen, txnTime: r.txnTime }));

describe('UnionPay: a refund without a clear answer ends in one refund, never two', () => {
  for (const mode of ['system-error-done', 'system-error', 'timeout', 'lost'] as const) {
    it(mode, async () => {
      const p = await paid('249.99');
      const refunds = refundsModule({ db: knex, audit: auditRepo(knex), gateways: flaky(mode), publicUrl: env.config.publicUrl });
      const req = { personId: p.personId, billId: p.billId, amount: new Decimal('100.00'), mode: 'channel' as const, reason: '退学，原路退回' };
      let refundNo: string;
      if (mode === 'system-error-done' || mode === 'system-error') {
        const r = await refunds.refund(actor, null, req);
        expect(r.status).toBe('pending');
        refundNo = r.refundNo;
      } else {
        const err = await refunds.refund(actor, null, req).catch((e) => e);
        expect(err).toBeInstanceOf(RefundUncertainError);
        refundNo = (err as RefundUncertainError).refundNo;
      }
      const first = await knex('refunds').where({ refund_no: refundNo }).first('status', 'requested_at');
      expect(first.status).toBe('pending');
      const reached = mode === 'system-error-done' || mode === 'lost';
      expect(refundsAt(p.orderNo)).toHaveLength(reached ? 1 : 0);

      await refundJob().run();
      await refundJob().run();
      const row = await knex('refunds').where({ refund_no: refundNo }).first('status', 'requested_at');
      expect(row.status).toBe('succeeded');
      const atChannel = refundsAt(p.orderNo);
      expect(atChannel.map((r) => [r.refundNo, r.fen])).toEqual([[refundNo, 10_000n]]);
      // The refund UnionPay holds is the request whose time we keep: the first one when it
      // arrived, else the new request of the retry (a later txnTime).
      expect(atChannel[0]!.txnTime).toBe(compactDateTime(new Date(row.requested_at)));
      if (!reached) expect(new Date(row.requested_at).getTime()).toBeGreaterThanOrEqual(new Date(first.requested_at).getTime());

      // Again: nothing more at the channel or in the books.
      await refundJob().run();
      expect(refundsAt(p.orderNo)).toHaveLength(1);
      expect(await count(knex('bill_ledger').where({ bill_id: p.billId, kind: 'refund' }))).toBe(1);
      expect(await knex('bills').where({ id: p.billId }).first('paid', 'refunded')).toEqual({ paid: '249.99', refunded: '100.00' });
      expect(await checkLedger(ledgerCheckRepo(knex))).toEqual([]);
    });
  }

  it('a request that reuses an old txnTime is refused (UnionPay wants the current time), and nothing is refunded', async () => {
    const p = await paid('10.00');
    const unionpay = registry.get('unionpay')!;
    const o = await knex('orders').where({ order_no: p.orderNo }).first('created_at', 'expires_at');
    const order = {
      orderNo: p.orderNo, total: new Decimal('10.00'), category: '代收' as const, createdAt: new Date(o.created_at), expiresAt: new Date(o.expires_at),
      payer: { number: '1', name: '张三', mobile: '13800000000' }, lines: [], subject: 'x', channelOrderId: p.orderNo, notifyUrl: `${env.appUrl}/pay/notify/unionpay`, returnUrl: `${env.appUrl}/transactions`,
    };
    const r = await unionpay.refund(order, new Decimal('10.00'), `TF${String(Date.now()).slice(-12)}`, new Date(Date.now() - 20 * 60_000));
    expect(r).toMatchObject({ status: 'failed', reason: expect.stringContaining('12') });
    expect(refundsAt(p.orderNo)).toEqual([]);
  });
});

describe('UnionPay: two instances rechecking the same refund at once send one new request', () => {
  /**
   * The first refund request never arrives; then the two queries about it (queryTrans) are both
   * answered 34 before either instance goes on, the second answer 1.1 s after the first, so the
   * two retries would carry different txnTimes (two transactions at UnionPay).
   */
  function raceNet() {
    let refundSent = false;
    const held: (() => void)[] = [];
    const impl = (async (url: string | URL | Request, init?: RequestInit) => {
      if (!refundSent && /backTransReq/.test(String(url))) {
        refundSent = true;
        throw Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
      }
      if (refundSent && held.length < 2 && /queryTrans/.test(String(url))) {
        const answer = await fetch(url, init);
        await new Promise<void>((resolve) => {
          held.push(resolve);
          if (held.length === 2) {
            held[0]!();
            setTimeout(() => held[1]!(), 1100);
          }
        });
        return answer;
      }
      return fetch(url, init);
    }) as typeof fetch;
    return createGatewayRegistry(env.config, [unionpayAdapter(env.config.channels!.unionpay, impl)]);
  }

  it('console refund: two concurrent rechecks → one refund at UnionPay', async () => {
    const p = await paid('80.00');
    const refunds = refundsModule({ db: knex, audit: auditRepo(knex), gateways: raceNet(), publicUrl: env.config.publicUrl });
    const err = await refunds.refund(actor, null, { personId: p.personId, billId: p.billId, amount: new Decimal('30.00'), mode: 'channel', reason: '退学' }).catch((e) => e);
    expect(err).toBeInstanceOf(RefundUncertainError);
    const refundNo = (err as RefundUncertainError).refundNo;
    expect(refundsAt(p.orderNo)).toHaveLength(0);
    const { id } = await knex('refunds').where({ refund_no: refundNo }).first('id');
    await Promise.all([refunds.recheck(String(id)), refunds.recheck(String(id))]);
    expect(refundsAt(p.orderNo).map((r) => [r.refundNo, r.fen])).toEqual([[refundNo, 3000n]]);
    // The refund UnionPay holds is the request whose time is kept; the next check settles it.
    const row = await knex('refunds').where({ refund_no: refundNo }).first('requested_at');
    expect(refundsAt(p.orderNo)[0]!.txnTime).toBe(compactDateTime(new Date(row.requested_at)));
    await refunds.recheck(String(id));
    expect((await knex('refunds').where({ refund_no: refundNo }).first('status')).status).toBe('succeeded');
    expect(refundsAt(p.orderNo)).toHaveLength(1);
    expect(await checkLedger(ledgerCheckRepo(knex))).toEqual([]);
  });
});

describe('UnionPay: a second payment handed back is not asked about (and sent again) the moment it was sent', () => {
  it('the settling job waits activeQueryAfterMinutes before the query that may resend', async () => {
    const p = await paid('60.00');
    const order = await knex('orders').where({ order_no: p.orderNo }).first('id');
    const attempt = await knex('payment_attempts').where({ order_id: order.id, status: 'paid' }).first('id', 'amount');
    // The flag the overpayment scan makes for a second payment of an order (kind 'attempt').
    const [flag] = await knex('overpayments').insert({ kind: 'attempt', person_id: p.personId, bill_id: null, order_id: order.id, attempt_id: attempt.id, channel: 'unionpay', amount: attempt.amount, note: '重复支付' }).returning('id');
    const m = testServices({ config: env.config, db, registry: flaky('timeout') });
    await expect(m.refunds.refundOverpayment(actor, String(flag.id))).rejects.toMatchObject({ code: 'uncertain' });
    const sent = await knex('overpayments').where({ id: flag.id }).first('status', 'refund_no', 'refund_requested_at');
    expect(sent.status).toBe('refunding');
    expect(refundsAt(p.orderNo)).toEqual([]);
    // Seconds later (a real UnionPay may not have processed it yet): not asked, not resent.
    await m.refunds.settleRefundingFlags(new Date(), env.config.jobs.activeQueryAfterMinutes);
    expect(refundsAt(p.orderNo)).toEqual([]);
    expect(await knex('overpayments').where({ id: flag.id }).first('status', 'refund_no', 'refund_requested_at')).toEqual(sent);
    // Past the waiting time: asked (34, never seen), sent again once under the same number.
    await m.refunds.settleRefundingFlags(new Date(Date.now() + 10 * 60_000), env.config.jobs.activeQueryAfterMinutes);
    expect(refundsAt(p.orderNo).map((x) => [x.refundNo, x.fen])).toEqual([[sent.refund_no, 6000n]]);
    // UnionPay's 00 to a refund is "accepted": the next run's query settles the flag.
    await m.refunds.settleRefundingFlags(new Date(Date.now() + 20 * 60_000), env.config.jobs.activeQueryAfterMinutes);
    expect((await knex('overpayments').where({ id: flag.id }).first('status')).status).toBe('refunded');
    expect(refundsAt(p.orderNo)).toHaveLength(1);
  });
});

describe('UnionPay close(): a trade still being processed is not closed, even past payTimeout', () => {
  for (const origRespCode of ['03', '04', '05', 'A6']) {
    it(`queryTrans says origRespCode ${origRespCode} past the expiry and grace → open`, async () => {
      const p = await f.payerWithBill(knex, '代收', '15.00');
      const { billId } = p;
      const o = await payment.confirmOrder(p.personId, { category: '代收', periods: [p.periodId], lines: [{ billId, amount: '15.00' }] });
      const r = await payment.submitToChannel(p.personId, o.orderNo, 'unionpay');
      const action = (r as { action: PaymentAction }).action;
      if (action.kind !== 'form') throw new Error('front form expected');
      await post(action.url, action.fields);
      // UnionPay's answer to the query, as it gives it for a trade still in processing.
      const impl = (async (url: string | URL | Request, init?: RequestInit) => {
        if (/queryTrans/.test(String(url))) {
          const fields = Object.fromEntries(new URLSearchParams(String(init?.body)));
          return new Response(formatAcpResponse(sim.sign({
            txnType: '00', txnSubType: '00', bizType: '000000', merId: fields.merId!, orderId: fields.orderId!, txnTime: fields.txnTime!, respCode: '00', respMsg: '成功[0000000]',
            origRespCode, origRespMsg: '交易处理中',
          })));
        }
        return fetch(url, init);
      }) as typeof fetch;
      const adapter = unionpayAdapter(env.config.channels!.unionpay, impl);
      const row = await knex('orders').where({ order_no: o.orderNo }).first('created_at');
      const order = {
        orderNo: o.orderNo, total: new Decimal('15.00'), category: '代收' as const, createdAt: new Date(row.created_at), expiresAt: new Date(Date.now() - 10 * 60_000),
        payer: { number: '1', name: '张三', mobile: '13800000000' }, lines: [], subject: 'x', channelOrderId: o.orderNo, notifyUrl: `${env.appUrl}/pay/notify/unionpay`, returnUrl: `${env.appUrl}/transactions`,
      };
      expect((await adapter.close(order)).status).toBe('open');
    });
  }
});
