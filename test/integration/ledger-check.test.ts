import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { insertReceipt, postLedgerEntry } from '../../src/modules/billing/repo';
import { checkLedger } from '../../src/modules/reconcile/ledger-check';
import { ledgerCheckRepo } from '../../src/modules/reconcile/ledger-check-repo';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase({ demo: true });
const k = db.knex;
const check = () => checkLedger(ledgerCheckRepo(k));

async function paidOrder(opts: { receipt?: boolean; credit?: string } = {}) {
  const p = await f.person(k);
  const per = await f.period(k);
  const item = await f.feeItem(k);
  const billId = await f.bill(k, { personId: p.personId, periodId: per.id, feeItemId: item.id, due: '100.00' });
  const no = `XF200216LUT${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const [o] = await k('orders').insert({ order_no: no, person_id: p.personId, category: '财政', status: 'paid', amount: '100.00', total: '100.00', expires_at: new Date() }).returning('id');
  await k('order_lines').insert({ order_id: o.id, bill_id: billId, amount: '100.00' });
  await k.transaction(async (trx) => {
    const r = opts.receipt === false ? null : await insertReceipt(trx, { personId: p.personId, orderId: o.id, receiptDate: '2020-02-16', preparer: '支付平台', category: '财政', method: 'online', ebillStatus: '待生成', lines: [{ billId, amount: new Decimal('100.00') }] });
    await postLedgerEntry(trx, { billId, kind: 'payment', amount: new Decimal(opts.credit ?? '100.00'), orderId: o.id, receiptId: r?.id ?? null, reason: 'test' });
  });
  return { no, billId, orderId: o.id as number };
}

describe('check-ledger', () => {
  it('finds nothing wrong in the demo data and in a properly credited order', async () => {
    await paidOrder();
    expect(await check()).toEqual([]);
  });

  it('reports a bill whose totals were changed behind the ledger’s back', async () => {
    const { billId } = await paidOrder();
    await k('bills').where({ id: billId }).update({ paid: '100.01' });
    const diffs = await check();
    expect(diffs).toEqual([expect.objectContaining({ rule: 'bill-totals', ref: `bill ${billId}` })]);
    await k('bills').where({ id: billId }).update({ paid: '100.00' });
  });

  it('reports a paid order without a receipt and one credited short', async () => {
    const a = await paidOrder({ receipt: false });
    const b = await paidOrder({ credit: '99.99' });
    const diffs = await check();
    expect(diffs).toEqual(expect.arrayContaining([
      expect.objectContaining({ rule: 'order-receipt', ref: a.no }),
      expect.objectContaining({ rule: 'order-ledger', ref: `${b.no} bill ${b.billId}` }),
    ]));
  });

  it('reports money credited to an order that is not paid', async () => {
    const c = await paidOrder();
    await k('orders').where({ id: c.orderId }).update({ status: 'closed' });
    expect(await check()).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'unpaid-order-credited', ref: c.no })]));
  });
});
