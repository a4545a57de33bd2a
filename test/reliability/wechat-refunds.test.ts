// WeChat Pay refunds whose answer was not an answer, and the status read before the signature.
// 申请退款 (POST /v3/refund/domestic/refunds): WeChat's SYSTEM_ERROR answer (HTTP 500, "请不要更换
// 商户退款单号，请使用相同参数再次调用API") may come whether or not the refund was made; so may a
// timeout or a lost answer. Each must end in exactly one refund at WeChat and one ledger entry:
// the refund stays pending with its amount reserved, and the refund-query job asks under the same
// out_refund_no, posts it once if WeChat refunded, or sends it again under the same number if
// WeChat never saw it (404 RESOURCE_NOT_EXISTS). The only stand-in is the network between the
// platform and the sandbox, as in refund-recovery.test.ts.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { createGatewayRegistry } from '../../src/gateways/registry';
import type { ChannelOrder } from '../../src/gateways/types';
import { wechatAdapter } from '../../src/gateways/wechat/adapter';
import { platformJobs } from '../../src/jobs';
import { createLogger } from '../../src/logger';
import { auditRepo } from '../../src/modules/audit/repo';
import type { Actor } from '../../src/modules/console/context';
import { RefundUncertainError, refundsModule } from '../../src/modules/refunds';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { reconcileWorld } from './reconcile-env';

const db = await testDatabase();
const w = await reconcileWorld(db);
const logger = createLogger('silent');

/**
 * What comes back for the next refund request. made: whether WeChat made the refund.
 * system_error: WeChat's 500 SYSTEM_ERROR; timeout: no answer within the client's timeout
 * (what AbortSignal.timeout raises); lost: the connection drops after the request went out.
 */
type Mode = { answer: 'system_error' | 'timeout' | 'lost'; made: boolean };

function network(mode: Mode) {
  let armed = true;
  const impl = (async (url: string | URL | Request, init?: RequestInit) => {
    const u = String(url);
    if (armed && init?.method === 'POST' && u.endsWith('/v3/refund/domestic/refunds')) {
      armed = false;
      if (mode.made) await fetch(url, init);
      if (mode.answer === 'system_error') {
        return new Response(JSON.stringify({ code: 'SYSTEM_ERROR', message: '系统错误' }), { status: 500, headers: { 'content-type': 'application/json' } });
      }
      if (mode.answer === 'timeout') throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      throw new TypeError('fetch failed: socket hang up');
    }
    return fetch(url, init);
  }) as typeof fetch;
  return createGatewayRegistry(w.config, [wechatAdapter(w.config.channels!.wechat, impl)]);
}

const fin = await f.person(w.knex, { role: 'finance_admin', password: 'Fin@2026pass' });
const actor: Actor = { accountId: fin.accountId, personId: fin.personId, name: fin.name, ip: '127.0.0.1' };
const refundJob = () => platformJobs({ config: w.config, knex: w.knex, logger, now: () => new Date(Date.now() + 10 * 60_000) }).find((j) => j.name === 'refund-query')!;
const count = (q: ReturnType<typeof w.knex>) => q.count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n));

async function paid(due: string) {
  const p = await w.payer('代收', due);
  const orderNo = await w.order(p);
  await w.payAt('wechat', await w.submit(p, orderNo, 'wechat'));
  await w.payment.result(p.personId, orderNo);
  expect(await w.statusOf(orderNo)).toBe('paid');
  return { ...p, orderNo };
}

describe('a WeChat refund whose answer was not an answer ends in one refund, never two', () => {
  const cases: Mode[] = [
    { answer: 'system_error', made: true }, { answer: 'system_error', made: false },
    { answer: 'timeout', made: true }, { answer: 'timeout', made: false },
    { answer: 'lost', made: true }, { answer: 'lost', made: false },
  ];
  for (const mode of cases) {
    it(`${mode.answer}, the refund ${mode.made ? 'made' : 'not made'} at WeChat`, async () => {
      const p = await paid('249.99');
      const refunds = refundsModule({ db: w.knex, audit: auditRepo(w.knex), gateways: network(mode), publicUrl: w.config.publicUrl });
      const err = await refunds.refund(actor, null, { personId: p.personId, billId: p.billId, amount: new Decimal('100.00'), mode: 'channel', reason: '退学，原路退回' }).catch((e) => e);
      expect(err).toBeInstanceOf(RefundUncertainError);
      const refundNo = (err as RefundUncertainError).refundNo;
      const trade = w.sandbox.wechat.trades.get(p.orderNo)!;
      expect(trade.refunds).toHaveLength(mode.made ? 1 : 0);
      expect(await w.knex('refunds').where({ refund_no: refundNo }).first('status')).toEqual({ status: 'pending' });
      // Reserved: a second refund past what is left is refused while the first is unsettled.
      const more = await refunds.refund(actor, null, { personId: p.personId, billId: p.billId, amount: new Decimal('150.00'), mode: 'channel', reason: '再退' }).catch((e) => e);
      expect(more).toBeInstanceOf(Error);
      expect(trade.refunds).toHaveLength(mode.made ? 1 : 0);

      await refundJob().run();
      await refundJob().run();
      expect(await w.knex('refunds').where({ refund_no: refundNo }).first('status')).toEqual({ status: 'succeeded' });
      expect(trade.refunds.map((r) => [r.refundNo, r.fen])).toEqual([[refundNo, 10_000n]]);
      expect(trade.refundedFen).toBe(10_000n);
      expect(await count(w.knex('bill_ledger').where({ bill_id: p.billId, kind: 'refund' }))).toBe(1);
      expect(await w.knex('bills').where({ id: p.billId }).first('paid', 'refunded')).toEqual({ paid: '249.99', refunded: '100.00' });
      expect(await w.ledgerDifferences(undefined, ['wechat'])).toEqual([]);
    });
  }
});

describe('WeChat answers: the HTTP status before the signature', () => {
  const order = (orderNo: string): ChannelOrder => ({
    orderNo, total: new Decimal('1.00'), category: '代收', createdAt: new Date(), expiresAt: new Date(Date.now() + 15 * 60_000),
    payer: { number: '', name: '', mobile: '' }, lines: [], subject: '兰州理工大学 代收', channelOrderId: orderNo, notifyUrl: `${w.appUrl}/pay/notify/wechat`, returnUrl: '',
  });
  /** The adapter over a network that records what came back and may strip the signature headers. */
  function recording(strip = false) {
    const seen: { status: number; signed: boolean; path: string }[] = [];
    const impl = (async (url: string | URL | Request, init?: RequestInit) => {
      const r = await fetch(url, init);
      seen.push({ status: r.status, signed: r.headers.has('wechatpay-signature'), path: new URL(String(url)).pathname });
      if (!strip) return r;
      const h = new Headers(r.headers);
      for (const k of ['wechatpay-signature', 'wechatpay-serial', 'wechatpay-nonce', 'wechatpay-timestamp']) h.delete(k);
      return new Response(await r.text(), { status: r.status, headers: h });
    }) as typeof fetch;
    return { adapter: wechatAdapter(w.config.channels!.wechat, impl), seen };
  }

  it('an unsigned 404 ORDER_NOT_EXIST to a query means not found', async () => {
    const { adapter, seen } = recording();
    expect(await adapter.query(order(`XF261201LUT${String(Date.now()).slice(-6)}`))).toEqual({ status: 'not_found' });
    expect(seen.at(-1)).toMatchObject({ status: 404, signed: false });
  });

  it('an unsigned 2xx is still refused, as an uncertain error', async () => {
    const p = await paid('2.00');
    const { adapter } = recording(true);
    await expect(adapter.query(order(p.orderNo))).rejects.toMatchObject({ uncertain: true, message: expect.stringContaining('verification') });
  });

  it('a refund query for a number WeChat never saw is not_found (404 RESOURCE_NOT_EXISTS); a refund the channel refuses is failed', async () => {
    const p = await paid('3.00');
    const { adapter } = recording();
    const o = order(p.orderNo);
    expect(await adapter.queryRefund(o, { refundNo: 'TF00000000000001', amount: new Decimal('1.00'), requestedAt: new Date() })).toEqual({ status: 'not_found' });
    // More than was paid: 400 NOT_ENOUGH / INVALID_REQUEST at WeChat refuses it; nothing refunded.
    const r = await adapter.refund({ ...o, total: new Decimal('3.00') }, new Decimal('3.01'), 'TF00000000000002');
    expect(r.status).toBe('failed');
    expect(w.sandbox.wechat.trades.get(p.orderNo)!.refunds).toHaveLength(0);
  });

  it('requests carry Wechatpay-Serial, the key the platform verifies with; one WeChat never issued is refused', async () => {
    const serials: string[] = [];
    const impl = (async (url: string | URL | Request, init?: RequestInit) => {
      serials.push(new Headers(init?.headers).get('wechatpay-serial') ?? '');
      return fetch(url, init);
    }) as typeof fetch;
    const a = wechatAdapter(w.config.channels!.wechat, impl);
    await a.query(order(`XF261201LUT${String(Date.now()).slice(-6)}`));
    expect(serials.at(-1)).toBe(w.config.channels!.wechat.platformKeyId);
    const wrong = wechatAdapter({ ...w.config.channels!.wechat, platformKeyId: 'PUB_KEY_ID_0100000000000000000000000009' });
    await expect(wrong.query(order('XF261201LUT000009'))).rejects.toMatchObject({ message: expect.stringContaining('PARAM_ERROR') });
  });
});
