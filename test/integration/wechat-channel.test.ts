import { describe, expect, it } from 'vitest';
import { wechatAdapter } from '../../src/gateways/wechat/adapter';
import { AMOUNTS, channelWorld, type StandInOrder } from './channel-harness';

const w = await channelWorld((c) => wechatAdapter(c.channels.wechat));

/** The payer scans code_url and presses 确认支付 on the (sandbox) phone. */
async function payByPhone(o: StandInOrder) {
  const created = await w.adapter.createPayment(o.order);
  expect(created.action.kind).toBe('qrCode');
  const url = (created.action as { content: string }).content;
  const page = await (await fetch(url)).text();
  expect(page).toContain('确认支付');
  expect(page).toContain(o.order.subject);
  const confirm = url.replace('?', '/confirm?');
  const done = await (await fetch(confirm, { method: 'POST' })).text();
  expect(done).toContain('支付成功');
}

describe('微信支付 over real HTTP: adapter ⇄ sandbox ⇄ merchant', () => {
  it('a payment end to end: Native order, scan, notification credited, query says paid', async () => {
    const o = w.newOrder('wechat', '249.99');
    await payByPhone(o);
    await w.until(() => o.status === 'paid');
    const q = await w.adapter.query(o.order);
    expect(q.status).toBe('paid');
    expect(q.status === 'paid' && q.event.amount.toFixed(2)).toBe('249.99');
  });

  it('a notification repeated 10 times in parallel is credited once', async () => {
    await w.control({ channel: 'wechat', kind: 'duplicate', n: 10, count: 1 });
    const o = w.newOrder('wechat', '9099.95');
    await payByPhone(o);
    await w.until(async () => (await w.notifications(o.order.orderNo)).some((n) => n.acked));
    const n = await w.notifications(o.order.orderNo);
    expect(n[0]!.copies).toBe(10);
    expect(o.credits).toBe(1);
  });

  for (const kind of ['tamper', 'wrong_amount', 'wrong_merchant'] as const) {
    it(`a ${kind} notification is refused and changes nothing; the honest retry then credits`, async () => {
      await w.control({ channel: 'wechat', kind, count: 1 });
      const before = w.refusals.length;
      const o = w.newOrder('wechat', '0.01');
      await payByPhone(o);
      await w.until(() => w.refusals.length > before);
      expect(o.credits).toBe(0);
      expect(w.refusals.at(-1)!.reason).toBe(kind === 'tamper' ? 'signature' : kind === 'wrong_amount' ? 'amount' : 'merchant');
      await w.until(() => o.status === 'paid');
      expect(o.credits).toBe(1);
    });
  }

  it('a lost notification is settled by the active query', async () => {
    await w.control({ channel: 'wechat', kind: 'lose', count: 100 });
    const o = w.newOrder('wechat', '249.99');
    await payByPhone(o);
    await new Promise((r) => setTimeout(r, 100));
    expect(o.status).toBe('paying');
    const q = await w.adapter.query(o.order);
    expect(q.status).toBe('paid');
    if (q.status === 'paid') o.status = 'paid';
    await w.clearFaults();
  });

  it('a payment that arrives after the order was closed is credited and flagged as overpayment when the bill is settled', async () => {
    await w.control({ channel: 'wechat', kind: 'reorder', count: 1 });
    const o = w.newOrder('wechat', '249.99');
    await payByPhone(o);
    expect((await w.adapter.close(o.order)).status).toBe('closed');
    o.status = 'closed';
    o.billSettled = true;
    await w.until(() => o.status === 'paid');
    expect(o.credits).toBe(1);
    expect(o.overpayment).toBe(true);
  });

  it('a query that times out or fails is an uncertain ChannelError', async () => {
    const o = w.newOrder('wechat', '0.01');
    await w.adapter.createPayment(o.order);
    await w.control({ channel: 'wechat', kind: 'query_error', count: 1 });
    await expect(w.adapter.query(o.order)).rejects.toMatchObject({ uncertain: true });
    await w.control({ channel: 'wechat', kind: 'query_timeout', ms: 3000, count: 1 });
    await expect(w.adapter.query(o.order)).rejects.toMatchObject({ uncertain: true });
  });

  it('the four fen amounts and Chinese text survive; refund and the trade bill agree', async () => {
    for (const a of AMOUNTS) {
      const o = w.newOrder('wechat', a, `兰州理工大学 医疗保险 ${a}`);
      await payByPhone(o);
      await w.until(() => o.status === 'paid');
      const q = await w.adapter.query(o.order);
      expect(q.status === 'paid' && q.event.amount.toFixed(2)).toBe(a);
      expect(w.sandbox.wechat.trades.get(o.order.orderNo)!.subject).toBe(`兰州理工大学 医疗保险 ${a}`);
    }
    const paid = [...w.orders.values()].find((o) => o.status === 'paid' && o.order.total.toFixed(2) === '9099.95')!;
    expect((await w.adapter.refund(paid.order, paid.order.total.minus('0.01'), 'RF0001')).status).toBe('succeeded');
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const st = await w.adapter.downloadStatement(day);
    expect(st.lines.some((l) => l.orderNo === paid.order.orderNo && l.kind === 'payment' && l.amount.toFixed(2) === '9099.95')).toBe(true);
    expect(st.lines.some((l) => l.kind === 'refund' && l.amount.toFixed(2) === '9099.94')).toBe(true);
    expect(st.raw).toContain('`');
  });

  it('the control API answers loopback only and refuses unknown faults', async () => {
    expect((await w.control({ channel: 'wechat', kind: 'explode' })).status).toBe(400);
  });
});
