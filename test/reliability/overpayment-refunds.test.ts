// A bill paid twice through two channels, and what finance does about the excess on 对账:
// the one-click refund goes back through the payment that was in excess (the flagged order and
// its channel), not through whichever order of the bill was paid last; an offline refund of the
// excess from the person's page closes the flag (in part, then in full); and a flag settled
// outside the platform can be marked handled with a reason, which is audited.
import { describe, expect, it } from 'vitest';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { cancelOf, refundFromConsole } from '../helpers/world';
import * as f from '../factories';
import { reconcileWorld } from './reconcile-env';

const db = await testDatabase();
const w = await reconcileWorld(db);

const fin = await f.person(w.knex, { role: 'finance_admin', password: 'Fin@2026pass' });
const finance = async () => {
  const c = new Client(w.app);
  expect((await c.login(fin.number, 'Fin@2026pass')).status).toBe(303);
  return c;
};

/**
 * The WeChat QR is paid but the payment is overtaken by our close (reorder) and never notified;
 * `gapMs` later the payer pays the bill again through ICBC. The day's WeChat statement restores
 * the first payment, so the bill is paid twice and the WeChat order — credited last — is flagged.
 */
async function paidTwice(due: string, gapMs = 0) {
  await w.clearFaults();
  await w.fault('wechat', 'lose', 1000);
  await w.fault('icbc', 'lose', 1000);
  const p = await w.payer('代收', due);
  const first = await w.order(p);
  const qr = await w.submit(p, first, 'wechat');
  await w.fault('wechat', 'reorder');
  await w.payAt('wechat', qr);
  expect(await cancelOf(w.payment, p.personId, first)).toMatchObject({ ok: true });
  if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
  const second = await w.order(p);
  await w.payAt('icbc', await w.submit(p, second, 'icbc'));
  await w.payment.result(p.personId, second);
  expect(await w.statusOf(second)).toBe('paid');
  await w.m.service.reconcile('wechat', w.today(), 'job');
  expect(await w.statusOf(first)).toBe('paid');
  const flag = await w.knex('overpayments as op').join('orders as o', 'o.id', 'op.order_id').where('op.bill_id', p.billId).first('op.*', 'o.order_no');
  expect(flag).toMatchObject({ kind: 'bill', order_no: first, channel: 'wechat', amount: due, status: 'open' });
  return { ...p, first, second, flag };
}

const flagOf = (id: string | number) => w.knex('overpayments').where({ id }).first('status', 'amount', 'refund_no', 'note');

describe('the excess of a bill paid twice', () => {
  it('one click refunds it through the flagged payment\'s channel, even though the other channel was paid later', async () => {
    const p = await paidTwice('200.00', 1100);
    const orders = await w.knex('orders').whereIn('order_no', [p.first, p.second]).select('id', 'order_no', 'paid_at', 'channel');
    const first = orders.find((o) => o.order_no === p.first)!;
    const second = orders.find((o) => o.order_no === p.second)!;
    // The ICBC payment is the bill's most recent one: "the latest paid order" would be the wrong one.
    expect(new Date(second.paid_at).getTime()).toBeGreaterThan(new Date(first.paid_at).getTime());
    expect([first.channel, second.channel]).toEqual(['wechat', 'icbc']);

    const c = await finance();
    await c.get('/console/reconcile');
    const done = await c.post(`/console/reconcile/overpayments/${p.flag.id}/refund`, {});
    expect(done.status, text(done.text).slice(0, 300)).toBe(200);
    expect(text(done.text)).toContain('已原路退款');
    const flag = await flagOf(p.flag.id);
    expect(flag.status).toBe('refunded');
    const refund = await w.knex('refunds').where({ refund_no: flag.refund_no }).first('status', 'channel', 'order_id', 'amount');
    expect(refund).toEqual({ status: 'succeeded', channel: 'wechat', order_id: first.id, amount: '200.00' });
    expect(w.sandbox.wechat.trades.get(p.first)!.refundedFen).toBe(20_000n);
    expect(w.sandbox.icbc.trades.get(p.second)!.refundedFen).toBe(0n);
    expect(await w.knex('orders').where({ id: first.id }).first('status')).toEqual({ status: 'refunded' });
    expect(await w.knex('orders').where({ id: second.id }).first('status')).toEqual({ status: 'paid' });
    expect(await w.knex('bills').where({ id: p.billId }).first('paid', 'refunded')).toEqual({ paid: '400.00', refunded: '200.00' });
    for (const ch of ['wechat', 'icbc'] as const) expect((await w.m.service.reconcile(ch, w.today(), 'cli')).differences).toEqual([]);
    expect(await w.ledgerDifferences(undefined, ['wechat', 'icbc'])).toEqual([]);
  });

  it('an offline refund from the person\'s page closes the flag: part of it first, then the rest', async () => {
    const p = await paidTwice('300.00');
    const c = await finance();
    await c.get(`/console/people/${p.personId}`);
    const part = (await refundFromConsole(c, p.personId, { bill: String(p.billId), amount: '100.00', mode: 'offline', reason: '柜台现金退回多缴款' })).done;
    expect(part.status, text(part.text).slice(0, 300)).toBe(303);
    expect(await flagOf(p.flag.id)).toMatchObject({ status: 'open', amount: '200.00' });

    await c.get(`/console/people/${p.personId}`);
    const rest = (await refundFromConsole(c, p.personId, { bill: String(p.billId), amount: '200.00', mode: 'offline', reason: '柜台现金退回多缴款' })).done;
    expect(rest.status).toBe(303);
    const flag = await flagOf(p.flag.id);
    expect(flag).toMatchObject({ status: 'refunded', amount: '200.00' });
    const refund = await w.knex('refunds').where({ refund_no: flag.refund_no }).first('channel', 'amount', 'status');
    expect(refund).toEqual({ channel: null, amount: '200.00', status: 'succeeded' });
    expect(await w.knex('bills').where({ id: p.billId }).first('paid', 'refunded', 'due')).toEqual({ paid: '600.00', refunded: '300.00', due: '300.00' });
    // Nothing is offered any more, and the scan does not flag it again.
    expect(await w.m.service.scanOverpayments()).toBe(0);
    const page = await c.get('/console/reconcile');
    const row = new RegExp(`<tr><td>${p.flag.id}</td>[\\s\\S]*?</tr>`).exec(page.text)![0];
    expect(text(row)).toContain('已退款');
    expect(row).not.toContain('一键原路退款');
    // The channels still hold both payments, untouched.
    expect(w.sandbox.wechat.trades.get(p.first)!.refundedFen).toBe(0n);
  });

  it('finance marks a flag handled with a reason, audited; without a reason nothing changes', async () => {
    const p = await paidTwice('50.00');
    const c = await finance();
    await c.get('/console/reconcile');
    const bare = await c.post(`/console/reconcile/overpayments/${p.flag.id}/dismiss`, { reason: '' });
    expect(bare.status).toBe(400);
    expect(text(bare.text)).toContain('请填写原因');
    expect((await flagOf(p.flag.id)).status).toBe('open');

    const ok = await c.post(`/console/reconcile/overpayments/${p.flag.id}/dismiss`, { reason: '已在微信商户平台原路退回' });
    expect(ok.status).toBe(200);
    expect(text(ok.text)).toContain('已标记为已处理');
    expect(await flagOf(p.flag.id)).toMatchObject({ status: 'dismissed', note: '财务标记已处理：已在微信商户平台原路退回' });
    const audit = await w.knex('audit_log').where({ action: 'overpayment.dismiss', target_person_id: p.personId }).first('actor_account_id', 'detail');
    expect(audit.actor_account_id).toBe(fin.accountId);
    expect(JSON.stringify(audit.detail)).toContain('已在微信商户平台原路退回');
    // Settled: neither a second dismissal nor a refund click does anything.
    expect((await c.post(`/console/reconcile/overpayments/${p.flag.id}/dismiss`, { reason: '再次标记' })).status).toBe(400);
    expect((await c.post(`/console/reconcile/overpayments/${p.flag.id}/refund`, {})).status).toBe(400);
    expect(w.sandbox.wechat.trades.get(p.first)!.refundedFen).toBe(0n);
  });
});
