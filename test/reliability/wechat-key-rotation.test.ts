// Key rotation drill: 100 WeChat Pay payments through the platform and the sandbox over real
// HTTP, with the sandbox's signing key rotated in the middle (POST /_control/faults
// {channel:'wechat', kind:'rotate_key'}): it starts with the WeChat Pay public key
// (PUB_KEY_ID_…, the configured one) and from the rotation on signs every answer and
// notification with a newly issued platform certificate, listed at /v3/certificates but never
// configured at the platform. Nothing is edited in the config: the adapter finds the new serial,
// downloads the certificates, and every payment is credited exactly once; the ledger check and
// the day's statement agree.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { ChannelOrder } from '../../src/gateways/types';
import { wechatAdapter } from '../../src/gateways/wechat/adapter';
import { encryptResource, signedHeaders } from '../../src/gateways/wechat/codec';
import { Decimal } from '../../src/domain/money';
import { waitForStatus } from '../helpers/world';
import { testDatabase } from '../helpers/test-db';
import { reconcileWorld } from './reconcile-env';

const db = await testDatabase();
const w = await reconcileWorld(db);

async function payOnce(due: string) {
  const p = await w.payer('代收', due);
  const orderNo = await w.order(p);
  await w.payAt('wechat', await w.submit(p, orderNo, 'wechat'));
  return { ...p, orderNo };
}

describe('WeChat Pay: the signing key rotated in the middle of 100 payments', () => {
  it('credits all 100 exactly once with no config change; the ledger check and the statement are clean', { timeout: 180_000 }, async () => {
    const sim = w.sandbox.wechat;
    const before = sim.signingKeyId();
    expect(before).toMatch(/^PUB_KEY_ID_/);
    const paid: Awaited<ReturnType<typeof payOnce>>[] = [];
    // Ten at a time, as payers come: 50 before the rotation, 50 after.
    for (let batch = 0; batch < 10; batch++) {
      if (batch === 5) await w.fault('wechat', 'rotate_key');
      const dues = Array.from({ length: 10 }, (_, i) => `${100 + batch}.${String(i * 7 + 1).padStart(2, '0')}`);
      paid.push(...(await Promise.all(dues.map(payOnce))));
    }
    const after = sim.signingKeyId();
    expect(after).not.toBe(before);
    expect(after).toMatch(/^[0-9A-F]{40}$/);
    expect(sim.certificates.map((c) => c.serialNo)).toContain(after);

    for (const p of paid) await waitForStatus(w.knex, p.orderNo, 'paid', 30_000);
    for (const p of paid) expect(await w.creditsOf(p.orderNo)).toEqual({ entries: 1, receipts: 1 });
    const bills = await w.knex('bills').whereIn('id', paid.map((p) => p.billId)).select('id', 'due', 'paid');
    expect(bills.every((b) => b.paid === b.due)).toBe(true);
    // Every notification was acknowledged in the end, each order's once.
    const log = w.sandbox.control.log.filter((n) => n.channel === 'wechat' && paid.some((p) => p.orderNo === n.orderNo));
    expect(new Set(log.filter((n) => n.acked).map((n) => n.orderNo)).size).toBe(100);
    expect(await w.ledgerDifferences(undefined, ['wechat'])).toEqual([]);
  });

  it('after the rotation, a fresh adapter (public key configured, certificates on auto) verifies answers signed with the new certificate', async () => {
    const a = wechatAdapter(w.config.channels!.wechat);
    const p = await payOnce('12.34');
    await waitForStatus(w.knex, p.orderNo, 'paid', 30_000);
    const order = await w.knex('orders').where({ order_no: p.orderNo }).first('total', 'created_at', 'expires_at');
    const q = await a.query({ orderNo: p.orderNo, total: order.total, category: '代收', createdAt: order.created_at, expiresAt: order.expires_at, payer: { number: '', name: '', mobile: '' }, lines: [], subject: '', notifyUrl: '', returnUrl: '' });
    expect(q.status).toBe('paid');
  });

  it('with the platform certificates turned off, the rotated key is refused (so the switch matters)', async () => {
    const a = wechatAdapter({ ...w.config.channels!.wechat, platformCerts: 'off' });
    const p = await w.payer('代收', '1.00');
    const orderNo = await w.order(p);
    const order = await w.knex('orders').where({ order_no: orderNo }).first('total', 'created_at', 'expires_at');
    await expect(a.createPayment({ orderNo, total: order.total, category: '代收', createdAt: order.created_at, expiresAt: order.expires_at, payer: { number: '', name: '', mobile: '' }, lines: [], subject: '兰州理工大学 代收', notifyUrl: `${w.config.publicUrl}/pay/notify/wechat`, returnUrl: '' }))
      .rejects.toMatchObject({ uncertain: true, message: expect.stringContaining('unknown_key') });
  });

  it('a notification naming a serial the adapter has not seen is answered with the failure and starts a download; WeChat\'s retry is then accepted', async () => {
    const cfg = w.config.channels!.wechat;
    const a = wechatAdapter(cfg, fetch, { unknownSerialIntervalMs: 0 });
    const probe: ChannelOrder = { orderNo: 'XF261201LUT999999', total: new Decimal('1.00'), category: '代收', createdAt: new Date(), expiresAt: new Date(), payer: { number: '', name: '', mobile: '' }, lines: [], subject: '', notifyUrl: '', returnUrl: '' };
    expect(await a.query(probe)).toEqual({ status: 'not_found' });
    // WeChat rotates: the next message it signs uses a certificate this adapter never downloaded.
    await w.fault('wechat', 'rotate_key');
    expect(await wechatAdapter(cfg).query(probe)).toEqual({ status: 'not_found' });
    const cert = w.sandbox.wechat.certificates.at(-1)!;
    expect(w.sandbox.wechat.signingKeyId()).toBe(cert.serialNo);
    // The notification exactly as the sandbox signs one with that certificate.
    const body = JSON.stringify({
      id: `EV-${randomBytes(4).toString('hex')}`, create_time: '2026-12-01T10:00:00+08:00', resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功',
      resource: encryptResource(JSON.stringify({
        appid: cfg.appId, mchid: cfg.mchId, out_trade_no: 'XF261201LUT999998', transaction_id: '4200000000202612010000009998', trade_type: 'NATIVE', trade_state: 'SUCCESS',
        success_time: '2026-12-01T10:00:00+08:00', amount: { total: 24999, payer_total: 24999, currency: 'CNY', payer_currency: 'CNY' },
      }), w.sandbox.wechat.apiV3Key, 'transaction'),
    });
    const raw = { method: 'POST', path: '/pay/notify/wechat', headers: signedHeaders(body, cert.serialNo, cert.privateKey), rawBody: body };
    const first = a.parseNotification(raw);
    expect(first).toMatchObject({ verified: false, reason: 'signature' });
    // WeChat's failure answer (a refusal is a 4XX; WeChat sends it again after any 4XX or 5XX).
    expect((first as { nack: { status: number; body: string } }).nack).toMatchObject({ status: 400, body: JSON.stringify({ code: 'FAIL', message: '失败' }) });
    let again = a.parseNotification(raw);
    for (let i = 0; i < 200 && !again.verified; i++) {
      await new Promise((r) => setTimeout(r, 25));
      again = a.parseNotification(raw);
    }
    expect(again).toMatchObject({ verified: true, event: { kind: 'paid', orderNo: 'XF261201LUT999998' } });
    expect((again as { event: { amount: Decimal } }).event.amount.toFixed(2)).toBe('249.99');
  });
});
