// The database itself refuses what would corrupt money, whatever the code above it does.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { BillConstraintError, postLedgerEntry } from '../../src/modules/billing/repo';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const k = db.knex;

async function fixture() {
  const p = await f.person(k);
  const per = await f.period(k);
  const item = await f.feeItem(k);
  const billId = await f.bill(k, { personId: p.personId, periodId: per.id, feeItemId: item.id, due: '100.00' });
  return { p, per, item, billId };
}

const order = (personId: number, no: string, extra: Record<string, unknown> = {}) => ({
  order_no: no, person_id: personId, category: '财政', amount: '10.00', fee: '0.00', total: '10.00', expires_at: new Date(), ...extra,
});

describe('constraints that protect money', () => {
  it('refuses negative amounts on bills and orders, and a total that is not amount + fee', async () => {
    const { p, billId } = await fixture();
    await expect(k('bills').where({ id: billId }).update({ paid: '-0.01' })).rejects.toThrow(/bills_amounts_chk/);
    await expect(k('orders').insert(order(p.personId, 'XF200216LUT000001', { amount: '-1.00', total: '-1.00' }))).rejects.toThrow(/orders_amounts_chk/);
    await expect(k('orders').insert(order(p.personId, 'XF200216LUT000002', { total: '11.00' }))).rejects.toThrow(/orders_amounts_chk/);
  });

  it('refuses a refund beyond what was paid and a reduction beyond what is due', async () => {
    const { billId } = await fixture();
    await k.transaction((trx) => postLedgerEntry(trx, { billId, kind: 'payment', amount: new Decimal('40.00'), reason: 't' }));
    await expect(k.transaction((trx) => postLedgerEntry(trx, { billId, kind: 'refund', amount: new Decimal('40.01'), reason: 't' }))).rejects.toThrow(BillConstraintError);
    await expect(k.transaction((trx) => postLedgerEntry(trx, { billId, kind: 'reduction', amount: new Decimal('100.01'), reason: 't' }))).rejects.toThrow(BillConstraintError);
    const bill = await k('bills').where({ id: billId }).first();
    expect([bill.paid, bill.refunded, bill.reduction]).toEqual(['40.00', '0.00', '0.00']);
    // The refused entries left no trace in the ledger either.
    expect((await k('bill_ledger').where({ bill_id: billId })).map((e) => e.kind)).toEqual(['charge', 'payment']);
  });

  it('keeps order numbers unique and well formed', async () => {
    const { p } = await fixture();
    await k('orders').insert(order(p.personId, 'XF200216LUT000003'));
    await expect(k('orders').insert(order(p.personId, 'XF200216LUT000003'))).rejects.toThrow(/unique/);
    await expect(k('orders').insert(order(p.personId, 'xf200216LUT000004'))).rejects.toThrow(/orders_no_chk/);
  });

  it('keeps one bill per person × period × fee item', async () => {
    const { p, per, item } = await fixture();
    await expect(k('bills').insert({ person_id: p.personId, period_id: per.id, fee_item_id: item.id })).rejects.toThrow(/unique/);
  });

  it('keeps a channel trade number credited once', async () => {
    const { p } = await fixture();
    const [o] = await k('orders').insert(order(p.personId, 'XF200216LUT000005')).returning('id');
    await k('payment_attempts').insert({ order_id: o.id, channel: 'wechat', channel_trade_no: '4200001', amount: '10.00' });
    await expect(k('payment_attempts').insert({ order_id: o.id, channel: 'wechat', channel_trade_no: '4200001', amount: '10.00' })).rejects.toThrow(/unique/);
    // The same number at another channel is a different payment.
    await k('payment_attempts').insert({ order_id: o.id, channel: 'alipay', channel_trade_no: '4200001', amount: '10.00' });
  });

  it('makes the ledger and the audit log append-only', async () => {
    const { billId } = await fixture();
    await expect(k('bill_ledger').where({ bill_id: billId }).update({ amount: '1.00' })).rejects.toThrow(/append-only/);
    await expect(k('bill_ledger').where({ bill_id: billId }).del()).rejects.toThrow(/append-only/);
    await k('audit_log').insert({ action: 'test' });
    await expect(k('audit_log').del()).rejects.toThrow(/append-only/);
  });

  it('refuses rows that point at nothing', async () => {
    await expect(k('bills').insert({ person_id: 999999, period_id: 999999, fee_item_id: 999999 })).rejects.toThrow(/foreign key/);
    await expect(k('order_lines').insert({ order_id: 999999, bill_id: 999999, amount: '1.00' })).rejects.toThrow(/foreign key/);
  });
});

describe('the ledger explains every bill', () => {
  it('keeps bill totals equal to the sums of their ledger entries under concurrent payments', async () => {
    const { billId } = await fixture();
    await Promise.all(Array.from({ length: 20 }, () => k.transaction((trx) => postLedgerEntry(trx, { billId, kind: 'payment', amount: new Decimal('0.05'), reason: 't' }))));
    const bill = await k('bills').where({ id: billId }).first();
    const { rows } = await k.raw(`SELECT sum(amount) FILTER (WHERE kind = 'payment') AS paid, sum(amount) FILTER (WHERE kind IN ('charge','adjustment')) AS due FROM bill_ledger WHERE bill_id = ?`, [billId]);
    expect(bill.paid).toBe('1.00');
    expect(rows[0].paid).toBe('1.00');
    expect(rows[0].due).toBe(bill.due);
  });
});
