// The simulators' kit (src/sandbox/kit): trade book, refunds by number, statement rows, the
// checkout page's routes, and the hold fault of the shared control.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { checkoutRoutes, createControl, newTrade, refundTrade, statementRows, subPaymentBook, tradeBook, type SimTrade } from '../../src/sandbox/kit';

const trade = (o: Partial<SimTrade> = {}): SimTrade => ({
  ...newTrade({ channelOrderId: 'C1', merchantId: 'M1', orderNo: 'XF0001', fen: 10000n, subject: '学费', notifyUrl: 'http://127.0.0.1:9/n', returnUrl: 'http://127.0.0.1:9/r', expireAt: null }),
  ...o,
});

describe('trade book', () => {
  it('finds by number and by page token, closing an unpaid trade past its expiry', () => {
    const book = tradeBook();
    const t = book.add(trade({ expireAt: new Date(Date.now() - 1000) }));
    expect(t.extra.token).toMatch(/^[0-9a-f]{16}$/);
    expect(book.find('XF0001')?.status).toBe('CLOSED');
    const u = book.add(trade({ orderNo: 'XF0002', expireAt: new Date(Date.now() + 60_000) }));
    expect(book.byToken(u.extra.token!)?.status).toBe('UNPAID');
    book.markPaid(u, 'T1');
    expect(book.find('XF0002')).toMatchObject({ status: 'PAID', tradeNo: 'T1' });
    expect(book.find('nope')).toBeUndefined();
  });

  it('keys by what the channel keys by (the non-tax 缴款码)', () => {
    const book = tradeBook({ key: (t) => t.channelOrderId });
    book.add(trade({ channelOrderId: '62000026300000000001' }));
    expect(book.trades.has('62000026300000000001')).toBe(true);
  });
});

describe('refunds by number', () => {
  it('refunds once per number, refuses more than is left, and tells a repeat from a mismatch', () => {
    const t = trade({ status: 'PAID', paidAt: new Date(), tradeNo: 'T1' });
    expect(refundTrade(t, 'R1', 3000n)).toMatchObject({ kind: 'created', refund: { refundNo: 'R1', fen: 3000n } });
    expect(refundTrade(t, 'R1', 3000n)).toMatchObject({ kind: 'repeated' });
    expect(refundTrade(t, 'R1', 2000n)).toMatchObject({ kind: 'mismatch', refund: { fen: 3000n } });
    expect(refundTrade(t, 'R2', 7001n)).toEqual({ kind: 'exceeds' });
    expect(refundTrade(t, 'R2', 0n)).toEqual({ kind: 'invalid' });
    expect(refundTrade(t, '', 1n)).toEqual({ kind: 'invalid' });
    expect(refundTrade(t, 'R2', 7000n)).toMatchObject({ kind: 'created' });
    expect(t.refundedFen).toBe(10000n);
    expect(t.refunds.map((r) => r.refundNo)).toEqual(['R1', 'R2']);
    expect(refundTrade(trade(), 'R1', 1n)).toEqual({ kind: 'not_paid' });
    const book = tradeBook();
    book.add(t);
    expect(book.findRefund('R2')?.trade).toBe(t);
    expect(book.findRefund('R3')).toBeNull();
  });
});

describe('statement rows', () => {
  it('lists the day’s payments and refunds (Asia/Shanghai days), oldest first', () => {
    const paidAt = new Date('2026-12-01T01:00:00Z'); // 09:00 in Shanghai, 2026-12-01
    const t = trade({ status: 'PAID', paidAt, tradeNo: 'T1' });
    refundTrade(t, 'R1', 100n, new Date('2026-12-01T15:59:59Z')); // 23:59:59, same day
    refundTrade(t, 'R2', 100n, new Date('2026-12-01T16:00:00Z')); // next day
    const open = trade({ orderNo: 'XF0002' });
    const rows = statementRows([open, t], '2026-12-01');
    expect(rows.map((r) => [r.kind, r.fen, r.kind === 'refund' ? r.refund.refundNo : r.trade.tradeNo])).toEqual([['payment', 10000n, 'T1'], ['refund', 100n, 'R1']]);
    expect(statementRows([t], '2026-12-02').map((r) => r.kind)).toEqual(['refund']);
    // A channel naming its day otherwise (UnionPay's MMdd) passes a test of the time.
    expect(statementRows([t], (at) => at.getTime() === paidAt.getTime())).toHaveLength(1);
  });
});

describe('checkout routes', () => {
  const book = tradeBook();
  const fiscal = subPaymentBook();
  const paid: string[] = [];
  const app = express();
  app.use(checkoutRoutes({
    path: '/qr/:token',
    find: (req) => book.byToken(String(req.params.token)) ?? fiscal.byToken(String(req.params.token)),
    notFound: '二维码已失效',
    render: (_req, res, t, state) => void res.json({ no: t.orderNo, state }),
    pay: (t) => {
      book.markPaid(t, `T${t.orderNo}`);
      paid.push(t.orderNo);
    },
    subPayments: fiscal,
    steps: { next: (_req, res, t) => void res.json({ no: t.orderNo, state: 'confirm' }) },
  }));
  const server = app.listen(0, '127.0.0.1');
  afterAll(() => new Promise((r) => server.close(r)));
  const url = (p: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${p}`;
  const post = (p: string) => fetch(url(p), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });

  it('shows, steps, pays once, and answers an unknown page 404', async () => {
    const t = book.add(trade({ orderNo: 'XF0003' }));
    expect(await (await fetch(url(`/qr/${t.extra.token}`))).json()).toEqual({ no: 'XF0003', state: 'open' });
    expect(await (await post(`/qr/${t.extra.token}/next`)).json()).toEqual({ no: 'XF0003', state: 'confirm' });
    expect(await (await post(`/qr/${t.extra.token}/confirm`)).json()).toEqual({ no: 'XF0003', state: 'paid' });
    expect(await (await post(`/qr/${t.extra.token}/confirm`)).json()).toEqual({ no: 'XF0003', state: 'paid' });
    expect(paid).toEqual(['XF0003']);
    expect(await (await post(`/qr/${t.extra.token}/cancel`)).json()).toEqual({ no: 'XF0003', state: 'paid' });
    const r = await fetch(url('/qr/0000000000000000'));
    expect(r.status).toBe(404);
    expect(await r.text()).toBe('二维码已失效');
  });

  it('does not pay a closed trade, and 取消支付 of a sub-payment goes back to the non-tax cashier', async () => {
    const closed = book.add(trade({ orderNo: 'XF0004', expireAt: new Date(Date.now() - 1) }));
    expect(await (await post(`/qr/${closed.extra.token}/confirm`)).json()).toEqual({ no: 'XF0004', state: 'closed' });
    const open = book.add(trade({ orderNo: 'XF0005' }));
    expect(await (await post(`/qr/${open.extra.token}/cancel`)).json()).toEqual({ no: 'XF0005', state: 'cancelled' });
    const sub = fiscal.open({ orderNo: '6200002630000000000101', fen: 100n, subject: '学费', payee: '甘肃省财政厅', expireAt: null, returnUrl: 'http://x/return', cancelUrl: 'http://x/cashier', onPaid: () => undefined }, 'FISCAL', {});
    const r = await post(`/qr/${sub.extra.token}/cancel`);
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('http://x/cashier');
  });
});

describe('control: the hold fault', () => {
  it('sends no attempt at all for a held payment, and logs it as held', async () => {
    const control = createControl({ timeScale: 0.001 });
    control.arm('nontax', { kind: 'hold', count: 1 });
    let sent = 0;
    const send = async () => {
      sent++;
      return { status: 200, text: 'SUCCESS' };
    };
    control.deliver({ channel: 'nontax', orderNo: 'A', scheduleS: [0], send, isAck: () => true });
    control.deliver({ channel: 'nontax', orderNo: 'B', scheduleS: [0], send, isAck: () => true });
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toBe(1);
    expect(control.log.map((r) => [r.orderNo, r.held ?? false, r.acked])).toEqual([['A', true, false], ['B', false, true]]);
    control.stop();
  });
});
