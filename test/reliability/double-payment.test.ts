// Paid twice: (a) a late payment for an order we had already closed, after the payer paid the
// bill again through another order and channel; (b) one order paid through two channels (the
// payer switched from WeChat to ICBC while the WeChat payment was still in flight). Both come
// about through the sandboxes' reorder fault (the close overtakes the payment) with every
// notification lost, so only the day's statement reveals the first payment. Each ends in a
// credit plus an overpayment flag; finance's one-click refund (a) and the configured automatic
// refund (b) hand the money back through the channel, and the books and statements agree.
import { describe, expect, it } from 'vitest';
import { platformJobs } from '../../src/jobs';
import { createLogger } from '../../src/logger';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { cancelOf } from '../helpers/world';
import * as f from '../factories';
import { reconcileWorld } from './reconcile-env';

const db = await testDatabase();
const w = await reconcileWorld(db);

const billOf = (id: number) => w.knex('bills').where({ id }).first('paid', 'refunded', 'due');
const flags = () => w.knex('overpayments as op').join('orders as o', 'o.id', 'op.order_id').orderBy('op.id').select('op.*', 'o.order_no');

describe('a bill paid twice', () => {
  it('(a) a late payment for a closed order: credited, flagged, refunded by finance with one click', async () => {
    await w.fault('wechat', 'lose', 1000);
    await w.fault('icbc', 'lose', 1000);
    const p = await w.payer('代收', '250.00');

    // WeChat QR left open; the payer pays, but the payment is overtaken by our close.
    const a = await w.order(p);
    const qr = await w.submit(p, a, 'wechat');
    await w.fault('wechat', 'reorder');
    await w.payAt('wechat', qr);
    expect(await cancelOf(w.payment, p.personId, a)).toMatchObject({ ok: true });
    expect(await w.statusOf(a)).toBe('closed');

    // Seeing nothing paid, the payer pays the bill again through ICBC.
    const b = await w.order(p);
    expect(b).not.toBe(a);
    await w.payAt('icbc', await w.submit(p, b, 'icbc'));
    await w.payment.result(p.personId, b);
    expect(await w.statusOf(b)).toBe('paid');
    expect((await billOf(p.billId)).paid).toBe('250.00');

    // The day's WeChat statement shows the first payment: restored, and the bill is overpaid.
    const run = await w.m.service.reconcile('wechat', w.today(), 'job');
    expect(run.differences).toEqual([expect.objectContaining({ kind: 'paid_not_credited', orderNo: a, action: 'restored', outcome: 'credited' })]);
    expect(await w.statusOf(a)).toBe('paid');
    expect(await w.creditsOf(a)).toEqual({ entries: 1, receipts: 1 });
    expect(await w.creditsOf(b)).toEqual({ entries: 1, receipts: 1 });
    expect((await billOf(p.billId)).paid).toBe('500.00');
    const [flag] = await flags();
    expect(flag).toMatchObject({ kind: 'bill', bill_id: p.billId, order_no: a, channel: 'wechat', amount: '250.00', status: 'open' });
    // Scanning again flags nothing more.
    expect(await w.m.service.scanOverpayments()).toBe(0);
    expect(await w.ledgerDifferences(undefined, ['wechat', 'icbc'])).toEqual([]);

    // Finance sees it on 对账 and refunds it with one click; pressing again does nothing.
    const fin = await f.person(w.knex, { role: 'finance_admin', password: 'Fin@2026pass' });
    const c = new Client(w.app);
    await c.login(fin.number, 'Fin@2026pass');
    const page = text((await c.get('/console/reconcile')).text);
    for (const s of ['重复缴费', '账单多缴', a, '待退款', '一键原路退款']) expect(page).toContain(s);
    const done = await c.post(`/console/reconcile/overpayments/${flag.id}/refund`, {});
    expect(done.status, text(done.text).slice(0, 400)).toBe(200);
    expect(text(done.text)).toContain('已原路退款');
    expect((await c.post(`/console/reconcile/overpayments/${flag.id}/refund`, {})).status).toBe(400);
    const [after] = await flags();
    expect(after).toMatchObject({ status: 'refunded' });
    const refund = await w.knex('refunds').where({ refund_no: after.refund_no }).first();
    // Back through the flagged payment (the WeChat one restored from the statement), not
    // whichever order of the bill was paid last.
    const flaggedOrder = await w.knex('orders').where({ order_no: a }).first('id');
    expect(refund).toMatchObject({ status: 'succeeded', amount: '250.00', bill_id: p.billId, channel: 'wechat', order_id: flaggedOrder.id });
    expect(w.sandbox.wechat.trades.get(a)!.refundedFen).toBe(25_000n);
    expect(await billOf(p.billId)).toMatchObject({ paid: '500.00', refunded: '250.00' });
    expect(await w.knex('audit_log').where({ action: 'refund.channel_requested' }).count<{ n: string }[]>('* as n').then((x) => Number(x[0]!.n))).toBe(1);

    // Tomorrow's look at today: both channels agree, the refund included.
    for (const ch of ['wechat', 'icbc'] as const) expect((await w.m.service.reconcile(ch, w.today(), 'cli')).differences).toEqual([]);
    expect(await w.ledgerDifferences(undefined, ['wechat', 'icbc'])).toEqual([]);
  });

  it('(b) one order paid through two channels: credited once, the second payment flagged and refunded automatically', async () => {
    await w.clearFaults();
    await w.fault('wechat', 'lose', 1000);
    await w.fault('icbc', 'lose', 1000);
    const p = await w.payer('代收', '1100.00');
    const o = await w.order(p);
    const qr = await w.submit(p, o, 'wechat');
    await w.fault('wechat', 'reorder');
    await w.payAt('wechat', qr);
    // The payer switches to ICBC for the same order: the WeChat attempt is closed first (and
    // the close overtakes the payment), then the ICBC page opens and is paid too.
    await w.payAt('icbc', await w.submit(p, o, 'icbc'));
    await w.payment.result(p.personId, o);
    expect(await w.statusOf(o)).toBe('paid');

    const run = await w.m.service.reconcile('wechat', w.today(), 'job');
    expect(run.differences).toEqual([expect.objectContaining({ kind: 'paid_not_credited', orderNo: o, action: 'restored', outcome: 'double-paid' })]);
    expect(await w.creditsOf(o)).toEqual({ entries: 1, receipts: 1 });
    expect((await billOf(p.billId)).paid).toBe('1100.00');
    const attempts = await w.knex('payment_attempts as a').join('orders as x', 'x.id', 'a.order_id').where('x.order_no', o).orderBy('a.id').select('a.channel', 'a.status');
    expect(attempts).toEqual([{ channel: 'wechat', status: 'paid' }, { channel: 'icbc', status: 'paid' }]);
    const flag = (await flags()).find((x) => x.order_no === o);
    expect(flag).toMatchObject({ kind: 'attempt', channel: 'wechat', amount: '1100.00', status: 'open', bill_id: null });
    expect(await w.ledgerDifferences(undefined, ['wechat', 'icbc'])).toEqual([]);

    // OVERPAYMENT_AUTO_REFUND: the overpayments job refunds it through WeChat without a click.
    const config = { ...w.config, jobs: { ...w.config.jobs, overpaymentAutoRefund: true } };
    const job = platformJobs({ config, knex: w.knex, logger: createLogger('silent') }).find((j) => j.name === 'overpayments')!;
    await job.run();
    const refunded = (await flags()).find((x) => x.order_no === o);
    expect(refunded).toMatchObject({ status: 'refunded' });
    expect(refunded.refund_no).toMatch(/^TF\d{6}\d{8}$/);
    const trade = w.sandbox.wechat.trades.get(o)!;
    expect(trade.refundedFen).toBe(110_000n);
    // The bill never held the second payment, so it is untouched by its refund.
    expect(await billOf(p.billId)).toMatchObject({ paid: '1100.00', refunded: '0.00' });

    for (const ch of ['wechat', 'icbc'] as const) expect((await w.m.service.reconcile(ch, w.today(), 'cli')).differences).toEqual([]);
    expect(await w.ledgerDifferences(undefined, ['wechat', 'icbc'])).toEqual([]);
  });
});
