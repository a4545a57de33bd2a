// Reconciliation over the WeChat Pay trade bill as WeChat delivers it (BOM, CRLF, header, back-
// quoted lines separated by ",`", refund lines, the 总交易单数 summary; layout from
// TheNorthMemory/wechatpay-axios-plugin tests/fixtures/bill.ALL.csv), produced by the sandbox
// over real HTTP for payments whose 商品名称 holds commas. Splitting on "," would shift every
// column after 商品名称; the bill must reconcile to the cent.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { createGatewayRegistry } from '../../src/gateways/registry';
import { auditRepo } from '../../src/modules/audit/repo';
import type { Actor } from '../../src/modules/console/context';
import { refundsModule } from '../../src/modules/refunds';
import { testDatabase } from '../helpers/test-db';
import { reconcileWorld } from '../reliability/reconcile-env';
import * as f from '../factories';

const db = await testDatabase();
const w = await reconcileWorld(db);

async function paid(due: string, itemName: string, settle = true) {
  const p = await w.payer('代收', due);
  const bill = await w.knex('bills').where({ id: p.billId }).first('fee_item_id');
  await w.knex('fee_items').where({ id: bill.fee_item_id }).update({ name: itemName });
  const orderNo = await w.order(p);
  await w.payAt('wechat', await w.submit(p, orderNo, 'wechat'));
  if (settle) {
    await w.payment.result(p.personId, orderNo);
    expect(await w.statusOf(orderNo)).toBe('paid');
  }
  return { ...p, orderNo };
}

describe('the WeChat bill with commas in 商品名称, refunds and the summary line', () => {
  it('reads every line in its columns and reconciles to the cent; a payment whose notification was lost is restored from it', async () => {
    const a = await paid('9099.95', '学费,住宿费,教材费');
    const b = await paid('0.01', '医疗保险,大病统筹');
    const c = await paid('249.99', '体检费');
    // This one's notification is lost and the payer never comes back: only the bill knows.
    await w.fault('wechat', 'lose', 1000);
    const lost = await paid('1100.00', '住宿费,2026,春', false);
    expect(await w.statusOf(lost.orderNo)).toBe('paying');

    const fin = await f.person(w.knex, { role: 'finance_admin', password: 'Fin@2026pass' });
    const actor: Actor = { accountId: fin.accountId, personId: fin.personId, name: fin.name, ip: '127.0.0.1' };
    const refunds = refundsModule({ db: w.knex, audit: auditRepo(w.knex), gateways: createGatewayRegistry(w.config), publicUrl: w.config.publicUrl });
    expect((await refunds.refund(actor, null, { personId: a.personId, billId: a.billId, amount: new Decimal('100.05'), mode: 'channel', reason: '退教材费' })).status).toBe('succeeded');

    const st = await w.m.registry.get('wechat')!.downloadStatement(w.today());
    const mine = st.lines.filter((l) => [a, b, c, lost].some((p) => p.orderNo === l.orderNo));
    expect(mine.map((l) => [l.orderNo, l.kind, l.amount.toFixed(2)]).sort()).toEqual([
      [a.orderNo, 'payment', '9099.95'], [a.orderNo, 'refund', '100.05'], [b.orderNo, 'payment', '0.01'], [c.orderNo, 'payment', '249.99'], [lost.orderNo, 'payment', '1100.00'],
    ].sort());
    expect(st.raw).toContain(' 学费,住宿费,教材费,`,`0.00000,');
    expect(st.raw).toContain('\r\n总交易单数,');
    const sum = (k: 'payment' | 'refund') => mine.filter((l) => l.kind === k).reduce((s, l) => s.plus(l.amount), new Decimal(0)).toFixed(2);
    expect([sum('payment'), sum('refund')]).toEqual(['10449.95', '100.05']);

    const run = await w.m.service.reconcile('wechat', w.today(), 'job');
    expect(run).toMatchObject({ status: 'done', restored: 1 });
    // The only difference is the one restored, at its exact amount; nothing else is off by a fen.
    expect(run.differences).toEqual([expect.objectContaining({ kind: 'paid_not_credited', action: 'restored', orderNo: lost.orderNo })]);
    expect(new Decimal(String(run.differences[0]!.channelAmount)).toFixed(2)).toBe('1100.00');
    expect(await w.statusOf(lost.orderNo)).toBe('paid');
    expect(await w.creditsOf(lost.orderNo)).toEqual({ entries: 1, receipts: 1 });
    expect(await w.ledgerDifferences(undefined, ['wechat'])).toEqual([]);
    await w.clearFaults();
  });
});
