import { describe, expect, it } from 'vitest';
import { icbcAdapter } from '../../src/gateways/icbc/adapter';
import { AMOUNTS, channelWorld, type StandInOrder } from './channel-harness';

const w = await channelWorld((c) => icbcAdapter(c.channels.icbc));

/** The browser posts the signed form to 工银e支付 (图22): 手机号码, 卡(账)号后六位, 下一步, 确认支付. */
async function payByPhone(o: StandInOrder) {
  const created = await w.adapter.createPayment(o.order);
  expect(created.action.kind).toBe('form');
  const form = created.action as { url: string; fields: Record<string, string> };
  const page = await (await fetch(form.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form.fields).toString() })).text();
  expect(page).toContain('下一步');
  expect(page).toContain(o.order.subject);
  const token = /action="([^"]+)\/next"/.exec(page)![1]!;
  const base = new URL(form.url).origin;
  const next = await (await fetch(`${base}${token}/next`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'mobile=13800000000&card=123456' })).text();
  expect(next).toContain('确认支付');
  const done = await (await fetch(`${base}${token}/confirm`, { method: 'POST' })).text();
  expect(done).toContain('支付成功');
}

describe('中国工商银行 工银e支付 over real HTTP: adapter ⇄ sandbox ⇄ merchant', () => {
  it('a payment end to end: signed form, bank page, notification credited, query says paid', async () => {
    const o = w.newOrder('icbc', '249.99');
    await payByPhone(o);
    await w.until(() => o.status === 'paid');
    const q = await w.adapter.query(o.order);
    expect(q.status).toBe('paid');
    expect(q.status === 'paid' && q.event.amount.toFixed(2)).toBe('249.99');
  });

  it('a notification repeated 10 times in parallel is credited once', async () => {
    await w.control({ channel: 'icbc', kind: 'duplicate', n: 10, count: 1 });
    const o = w.newOrder('icbc', '9099.95');
    await payByPhone(o);
    await w.until(async () => (await w.notifications(o.order.orderNo)).some((n) => n.acked));
    const n = await w.notifications(o.order.orderNo);
    expect(n[0]!.copies).toBe(10);
    expect(o.credits).toBe(1);
  });

  for (const kind of ['tamper', 'wrong_amount', 'wrong_merchant'] as const) {
    it(`a ${kind} notification is refused and changes nothing; the honest retry then credits`, async () => {
      await w.control({ channel: 'icbc', kind, count: 1 });
      const before = w.refusals.length;
      const o = w.newOrder('icbc', '0.01');
      await payByPhone(o);
      await w.until(() => w.refusals.length > before);
      expect(o.credits).toBe(0);
      expect(w.refusals.at(-1)!.reason).toBe(kind === 'tamper' ? 'signature' : kind === 'wrong_amount' ? 'amount' : 'merchant');
      await w.until(() => o.status === 'paid');
      expect(o.credits).toBe(1);
    });
  }

  it('a lost notification is settled by the active query', async () => {
    await w.control({ channel: 'icbc', kind: 'lose', count: 100 });
    const o = w.newOrder('icbc', '249.99');
    await payByPhone(o);
    await new Promise((r) => setTimeout(r, 100));
    expect(o.status).toBe('paying');
    const q = await w.adapter.query(o.order);
    expect(q.status).toBe('paid');
    if (q.status === 'paid') o.status = 'paid';
    await w.clearFaults();
  });

  it('a payment that arrives after the order was closed is credited and flagged as overpayment when the bill is settled', async () => {
    await w.control({ channel: 'icbc', kind: 'reorder', count: 1 });
    const o = w.newOrder('icbc', '249.99');
    await payByPhone(o);
    // e-pay has no close API: the adapter's close asks, and the late payment overtakes that.
    expect((await w.adapter.close(o.order)).status).toBe('closed');
    o.status = 'closed';
    o.billSettled = true;
    await w.until(() => o.status === 'paid');
    expect(o.credits).toBe(1);
    expect(o.overpayment).toBe(true);
  });

  it('a query that times out or fails is an uncertain ChannelError', async () => {
    const o = w.newOrder('icbc', '0.01');
    await w.adapter.createPayment(o.order);
    await w.control({ channel: 'icbc', kind: 'query_error', count: 1 });
    await expect(w.adapter.query(o.order)).rejects.toMatchObject({ uncertain: true });
    await w.control({ channel: 'icbc', kind: 'query_timeout', ms: 3000, count: 1 });
    await expect(w.adapter.query(o.order)).rejects.toMatchObject({ uncertain: true });
  });

  it('the four fen amounts and Chinese text survive; refund and the trade bill agree', async () => {
    for (const a of AMOUNTS) {
      const o = w.newOrder('icbc', a, `兰州理工大学 医疗保险 ${a}`);
      await payByPhone(o);
      await w.until(() => o.status === 'paid');
      const q = await w.adapter.query(o.order);
      expect(q.status === 'paid' && q.event.amount.toFixed(2)).toBe(a);
      expect(w.sandbox.icbc.trades.get(o.order.orderNo)!.subject).toBe(`兰州理工大学 医疗保险 ${a}`);
    }
    const paid = [...w.orders.values()].find((o) => o.status === 'paid' && o.order.total.toFixed(2) === '9099.95')!;
    expect((await w.adapter.refund(paid.order, paid.order.total.minus('0.01'), 'RF0001')).status).toBe('succeeded');
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const st = await w.adapter.downloadStatement(day);
    expect(st.lines.some((l) => l.orderNo === paid.order.orderNo && l.kind === 'payment' && l.amount.toFixed(2) === '9099.95')).toBe(true);
    expect(st.lines.some((l) => l.kind === 'refund' && l.amount.toFixed(2) === '9099.94')).toBe(true);
    expect(st.raw).toContain('#工银e支付对账单');
  });

  it('the control API answers loopback only and refuses unknown faults', async () => {
    expect((await w.control({ channel: 'icbc', kind: 'explode' })).status).toBe(400);
  });
});
