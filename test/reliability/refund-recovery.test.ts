// Channel refunds whose answer never came: the refund is recorded
// pending and keeps its amount reserved; the refund-query job asks the channel about it under
// the same refund number, posts the ledger entry exactly once when the channel refunded, sends it
// again under the same number when the channel never saw it, and releases the reservation when
// the channel refuses. Everything goes over HTTP to the sandbox; the only stand-in is the
// network between the platform and the channel, which loses one answer or one request.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { createGatewayRegistry } from '../../src/gateways/registry';
import { icbcAdapter } from '../../src/gateways/icbc/adapter';
import { wechatAdapter } from '../../src/gateways/wechat/adapter';
import { auditRepo } from '../../src/modules/audit/repo';
import type { Actor } from '../../src/modules/console/context';
import { RefundUncertainError, refundsModule } from '../../src/modules/refunds';
import { testServices } from '../helpers/services';
import { cancelOf, count, faultOnce, refundQueryJob } from '../helpers/world';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { reconcileWorld } from './reconcile-env';

const db = await testDatabase();
const w = await reconcileWorld(db);

type Net = 'answer-lost' | 'never-sent';

/**
 * The network to the channel: the next refund request (POST …refund…) is either delivered and
 * its answer lost (the channel refunds, we hear a reset), or never delivered (a 502 from a proxy).
 */
function flakyNetwork(mode: Net) {
  const impl = faultOnce((u, init) => init?.method === 'POST' && /refund/.test(u) && !/refundqry/.test(u), async (url, init) => {
    if (mode === 'answer-lost') {
      await fetch(url, init);
      throw new Error('socket hang up');
    }
    return new Response('bad gateway', { status: 502 });
  });
  const { channels } = w.config;
  return createGatewayRegistry(w.config, [wechatAdapter(channels!.wechat, impl), icbcAdapter(channels!.icbc, impl)]);
}

const fin = await f.person(w.knex, { role: 'finance_admin', password: 'Fin@2026pass' });
const actor: Actor = { accountId: fin.accountId, personId: fin.personId, name: fin.name, ip: '127.0.0.1' };
const refundsWith = (mode: Net) => refundsModule({ db: w.knex, audit: auditRepo(w.knex), gateways: flakyNetwork(mode), publicUrl: w.config.publicUrl });

const refundJob = () => refundQueryJob(w.config, w.knex);


async function paid(channel: 'wechat' | 'icbc', due: string) {
  const p = await w.payer('代收', due);
  const orderNo = await w.order(p);
  await w.payAt(channel, await w.submit(p, orderNo, channel));
  await w.payment.result(p.personId, orderNo);
  expect(await w.statusOf(orderNo)).toBe('paid');
  return { ...p, orderNo };
}

/**
 * One bill paid twice: at WeChat (its notification lost, the order cancelled meanwhile) and then
 * at ICBC; the reconciliation flags the WeChat payment as a second payment ('open').
 */
async function flaggedSecondPayment(due: string) {
  await w.clearFaults();
  await w.fault('wechat', 'lose', 1000);
  await w.fault('icbc', 'lose', 1000);
  const p = await w.payer('代收', due);
  const a = await w.order(p);
  const qr = await w.submit(p, a, 'wechat');
  await w.fault('wechat', 'reorder');
  await w.payAt('wechat', qr);
  expect(await cancelOf(w.payment, p.personId, a)).toMatchObject({ ok: true });
  const b = await w.order(p);
  await w.payAt('icbc', await w.submit(p, b, 'icbc'));
  await w.payment.result(p.personId, b);
  await w.m.service.reconcile('wechat', w.today(), 'job');
  const flag = await w.knex('overpayments as op').join('orders as o', 'o.id', 'op.order_id').where('o.order_no', a).first('op.id', 'op.status');
  expect(flag.status).toBe('open');
  return { p, a, b, flag };
}

describe('a channel refund whose answer was lost', () => {
  for (const channel of ['wechat', 'icbc'] as const) {
    it(`${channel}: the channel refunded; the job finds it and posts it once`, async () => {
      const p = await paid(channel, '249.99');
      const refunds = refundsWith('answer-lost');
      const err = await refunds.refund(actor, null, { personId: p.personId, billId: p.billId, amount: new Decimal('100.00'), mode: 'channel', reason: '退学，原路退回' }).catch((e) => e);
      expect(err).toBeInstanceOf(RefundUncertainError);
      const refundNo = (err as RefundUncertainError).refundNo;
      expect(err.message).toContain(refundNo);
      const trade = w.sandbox[channel].trades.get(p.orderNo)!;
      expect(trade.refundedFen).toBe(10_000n);
      expect(await w.knex('refunds').where({ refund_no: refundNo }).first('status', 'amount')).toEqual({ status: 'pending', amount: '100.00' });
      expect(await w.knex('bills').where({ id: p.billId }).first('paid', 'refunded')).toEqual({ paid: '249.99', refunded: '0.00' });
      // The reservation holds: no second refund past what is left of the bill.
      const more = await refunds.refund(actor, null, { personId: p.personId, billId: p.billId, amount: new Decimal('150.00'), mode: 'offline', reason: '再退' }).catch((e) => e);
      expect(more.message).toContain('149.99');

      await refundJob().run();
      expect(await w.knex('refunds').where({ refund_no: refundNo }).first('status', 'checks')).toMatchObject({ status: 'succeeded' });
      expect(await w.knex('bills').where({ id: p.billId }).first('paid', 'refunded')).toEqual({ paid: '249.99', refunded: '100.00' });
      expect(await w.knex('orders').where({ order_no: p.orderNo }).first('status', 'refunded')).toEqual({ status: 'partly_refunded', refunded: '100.00' });
      // Again: nothing more, at the channel or in the books.
      await refundJob().run();
      expect(await count(w.knex('bill_ledger').where({ bill_id: p.billId, kind: 'refund' }))).toBe(1);
      expect(trade.refundedFen).toBe(10_000n);
      expect(trade.refunds.map((r) => r.refundNo)).toEqual([refundNo]);
      const audit = await w.knex('audit_log').where({ action: 'refund.channel', target_person_id: p.personId }).select('detail');
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit[0]!.detail)).toContain('refund-query');
      expect(await w.ledgerDifferences(undefined, ['wechat', 'icbc'])).toEqual([]);
    });
  }

  it('the request never reached the channel: a query that fails leaves it pending, then it is sent again under the same number', async () => {
    const p = await paid('wechat', '300.00');
    const err = await refundsWith('never-sent').refund(actor, null, { personId: p.personId, billId: p.billId, amount: new Decimal('300.00'), mode: 'channel', reason: '全额退回' }).catch((e) => e);
    expect(err).toBeInstanceOf(RefundUncertainError);
    const refundNo = (err as RefundUncertainError).refundNo;
    const trade = w.sandbox.wechat.trades.get(p.orderNo)!;
    expect(trade.refundedFen).toBe(0n);

    // The channel does not answer the query either: still pending, nothing posted.
    await w.fault('wechat', 'query_error', 1);
    await refundJob().run();
    expect(await w.knex('refunds').where({ refund_no: refundNo }).first('status', 'checks', 'last_error')).toMatchObject({ status: 'pending', checks: 1 });
    expect((await w.knex('bills').where({ id: p.billId }).first('refunded')).refunded).toBe('0.00');

    // Next run: "no such refund" → sent again as the same refund, which succeeds.
    await refundJob().run();
    expect(trade.refunds.map((r) => [r.refundNo, r.fen])).toEqual([[refundNo, 30_000n]]);
    expect(await w.knex('refunds').where({ refund_no: refundNo }).first('status')).toEqual({ status: 'succeeded' });
    expect(await w.knex('bills').where({ id: p.billId }).first('refunded')).toEqual({ refunded: '300.00' });
    expect(await w.statusOf(p.orderNo)).toBe('refunded');
    expect(await count(w.knex('bill_ledger').where({ bill_id: p.billId, kind: 'refund' }))).toBe(1);
  });

  it('the channel refuses when asked again: the reserved amount is released and nothing is posted', async () => {
    const p = await paid('wechat', '80.00');
    const err = await refundsWith('never-sent').refund(actor, null, { personId: p.personId, billId: p.billId, amount: new Decimal('80.00'), mode: 'channel', reason: '全额退回' }).catch((e) => e);
    const refundNo = (err as RefundUncertainError).refundNo;
    // Meanwhile the trade was refunded in full at the channel's merchant portal.
    const trade = w.sandbox.wechat.trades.get(p.orderNo)!;
    trade.refundedFen = trade.fen;
    trade.refunds.push({ refundNo: 'PORTAL0001', fen: trade.fen, at: new Date() });

    await refundJob().run();
    expect(await w.knex('refunds').where({ refund_no: refundNo }).first('status', 'last_error')).toMatchObject({ status: 'failed' });
    expect(await w.knex('bills').where({ id: p.billId }).first('paid', 'refunded')).toEqual({ paid: '80.00', refunded: '0.00' });
    expect(await count(w.knex('bill_ledger').where({ bill_id: p.billId, kind: 'refund' }))).toBe(0);
    expect(await w.knex('audit_log').where({ action: 'refund.channel_failed', target_person_id: p.personId }).first()).toBeTruthy();
    // Released: the full amount can be refunded again (here offline, money handed back at the counter).
    const again = await refundsWith('answer-lost').refund(actor, null, { personId: p.personId, billId: p.billId, amount: new Decimal('80.00'), mode: 'offline', reason: '柜台退回' });
    expect(again.status).toBe('succeeded');
  });

  it('a one-click overpayment refund whose answer was lost: the flag stays 退款处理中 with its number, then the job settles both', async () => {
    const { p, a, b, flag } = await flaggedSecondPayment('120.00');

    const lossy = testServices({ config: w.config, db, registry: flakyNetwork('answer-lost') });
    await expect(lossy.refunds.refundOverpayment(actor, String(flag.id))).rejects.toMatchObject({ code: 'uncertain' });
    const waiting = await w.knex('overpayments').where({ id: flag.id }).first('status', 'refund_no');
    expect(waiting.status).toBe('refunding');
    expect(waiting.refund_no).toMatch(/^TF\d{14}$/);
    expect(w.sandbox.wechat.trades.get(a)!.refundedFen).toBe(12_000n);

    await refundJob().run();
    expect(await w.knex('overpayments').where({ id: flag.id }).first('status', 'refund_no')).toEqual({ status: 'refunded', refund_no: waiting.refund_no });
    expect(await w.knex('refunds').where({ refund_no: waiting.refund_no }).first('status', 'channel')).toEqual({ status: 'succeeded', channel: 'wechat' });
    expect(await w.knex('bills').where({ id: p.billId }).first('paid', 'refunded')).toEqual({ paid: '240.00', refunded: '120.00' });
    expect(w.sandbox.icbc.trades.get(b)!.refundedFen).toBe(0n);
    expect(await w.ledgerDifferences(undefined, ['wechat', 'icbc'])).toEqual([]);
  });
});

describe('a one-click overpayment refund that the channel made but we could not record', () => {
  it('the flag stays 退款处理中 with its number, a second 一键退款 is refused, and the job settles it: refunded once', async () => {
    const { p, a, b, flag } = await flaggedSecondPayment('130.00');

    // The channel refunds and says so; writing that down fails (the database refuses the update).
    await w.knex.raw(`CREATE FUNCTION refuse_refund_success() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.status = 'succeeded' THEN RAISE EXCEPTION 'injected: refund success not written'; END IF; RETURN NEW; END $$`);
    await w.knex.raw('CREATE TRIGGER refuse_refund_success BEFORE UPDATE ON refunds FOR EACH ROW EXECUTE FUNCTION refuse_refund_success()');
    try {
      await expect(w.m.refunds.refundOverpayment(actor, String(flag.id))).rejects.toThrow(/injected/);
    } finally {
      await w.knex.raw('DROP TRIGGER refuse_refund_success ON refunds');
      await w.knex.raw('DROP FUNCTION refuse_refund_success()');
    }
    expect(w.sandbox.wechat.trades.get(a)!.refundedFen).toBe(13_000n);
    const waiting = await w.knex('overpayments').where({ id: flag.id }).first('status', 'refund_no');
    expect(waiting.status).toBe('refunding');
    expect(waiting.refund_no).toMatch(/^TF\d{14}$/);
    // Pressing 一键退款 again must not send a second refund.
    await expect(w.m.refunds.refundOverpayment(actor, String(flag.id))).rejects.toMatchObject({ code: 'conflict' });
    expect(w.sandbox.wechat.trades.get(a)!.refundedFen).toBe(13_000n);

    await refundJob().run();
    expect(await w.knex('overpayments').where({ id: flag.id }).first('status', 'refund_no')).toEqual({ status: 'refunded', refund_no: waiting.refund_no });
    expect(await w.knex('refunds').where({ refund_no: waiting.refund_no }).first('status', 'channel')).toEqual({ status: 'succeeded', channel: 'wechat' });
    expect(await w.knex('bills').where({ id: p.billId }).first('paid', 'refunded')).toEqual({ paid: '260.00', refunded: '130.00' });
    expect(w.sandbox.wechat.trades.get(a)!.refundedFen).toBe(13_000n);
    expect(w.sandbox.icbc.trades.get(b)!.refundedFen).toBe(0n);
  });
});

describe('every card and wallet channel answers a refund query', () => {
  const order = (orderNo: string, total: string) => ({
    orderNo, total: new Decimal(total), category: '代收' as const, createdAt: new Date(), expiresAt: new Date(Date.now() + 15 * 60_000),
    payer: { number: '1', name: '张三', mobile: '13800000000' }, lines: [], subject: '兰州理工大学 代收', channelOrderId: orderNo,
    notifyUrl: `${w.appUrl}/pay/notify/x`, returnUrl: `${w.appUrl}/transactions`,
  });
  const arm = async (channel: string, kind: string, count: number) => {
    const r = await fetch(`${w.sandboxUrl}/_control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel, kind, count }) });
    expect(r.status).toBe(201);
  };
  const refundNo = (n: number) => `TF${String(Date.now()).slice(-8)}${String(n).padStart(6, '0')}`;

  it('Alipay (alipay.trade.fastpay.refund.query) and UnionPay (queryTrans.do of the refund): unknown, then refunded with its amount', async () => {
    const registry = createGatewayRegistry(w.config);
    await arm('alipay', 'lose', 10);
    await arm('unionpay', 'lose', 10);

    const alipay = registry.get('alipay')!;
    const ao = order(`XF000000LUT${String(Date.now()).slice(-6)}`, '9099.95');
    await alipay.createPayment(ao);
    w.sandbox.alipay.pay(w.sandbox.alipay.trades.get(ao.orderNo)!);
    const ar = { refundNo: refundNo(1), amount: new Decimal('9099.94'), requestedAt: new Date() };
    expect(await alipay.queryRefund(ao, ar)).toEqual({ status: 'not_found' });
    expect((await alipay.refund(ao, ar.amount, ar.refundNo, ar.requestedAt)).status).toBe('succeeded');
    expect(await alipay.queryRefund(ao, ar)).toMatchObject({ status: 'succeeded', amount: new Decimal('9099.94') });

    const unionpay = registry.get('unionpay')!;
    const uo = order(`XF000001LUT${String(Date.now()).slice(-6)}`, '0.01');
    const action = await unionpay.createPayment(uo);
    const a = action.action as { url: string; fields: Record<string, string> };
    expect((await fetch(a.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(a.fields).toString() })).status).toBe(200);
    w.sandbox.unionpay.pay(w.sandbox.unionpay.trades.get(uo.orderNo)!);
    const ur = { refundNo: refundNo(2), amount: new Decimal('0.01'), requestedAt: new Date() };
    expect(await unionpay.queryRefund(uo, ur)).toEqual({ status: 'not_found' });
    // UnionPay accepts a refund and finishes it later: "pending", settled by the query.
    expect((await unionpay.refund(uo, ur.amount, ur.refundNo, ur.requestedAt)).status).toBe('pending');
    expect(await unionpay.queryRefund(uo, ur)).toMatchObject({ status: 'succeeded', amount: new Decimal('0.01') });
    // A query the channel does not answer is an uncertain error, never an answer.
    await arm('unionpay', 'query_error', 1);
    await expect(unionpay.queryRefund(uo, ur)).rejects.toMatchObject({ uncertain: true });
    await w.clearFaults();
  });
});
