// A refund racing payments on the same bill: both go through the bill's row lock, so however they
// interleave the bill's totals equal the ledger sums and the refund never exceeds what was paid.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { auditRepo } from '../../src/modules/audit/repo';
import { postLedgerEntry } from '../../src/modules/billing/repo';
import { AppError } from '../../src/domain/app-error';
import { refundsModule } from '../../src/modules/refunds';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase({ poolMax: 12 });
const k = db.knex;

/** A person's bill of `due` with 100.00 paid, the refunds module, and finance's 高峰 to refund it. */
async function paidBill(due: string) {
  const cashier = await f.person(k, { role: 'finance_admin', password: 'Finance@2026' });
  const p = await f.person(k);
  const billId = await f.bill(k, { personId: p.personId, periodId: (await f.period(k)).id, feeItemId: (await f.feeItem(k)).id, due, paid: '100.00' });
  const refunds = refundsModule({ db: k, audit: auditRepo(k) });
  const actor = { accountId: cashier.accountId, personId: cashier.personId, name: '高峰', ip: '127.0.0.1' };
  return { p, billId, refunds, actor };
}

describe('refund racing a payment', () => {
  it('keeps bill totals equal to the ledger and refunds within what was paid', async () => {
    const { p, billId, refunds, actor } = await paidBill('10000.00');

    const pay = () => k.transaction((trx) => postLedgerEntry(trx, { billId, kind: 'payment', amount: new Decimal('50.00'), reason: 'race payment' }));
    const refund = () => refunds.refund(actor, null, { personId: p.personId, billId, amount: new Decimal('60.00'), mode: 'offline', reason: 'race refund' })
      .then(() => 'ok', (e) => (e instanceof AppError ? 'refused' : Promise.reject(e)));

    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? pay() : refund())));
    const refused = outcomes.filter((o) => o === 'refused').length;
    const succeeded = outcomes.filter((o) => o === 'ok').length;
    expect(succeeded + refused).toBe(10);

    const bill = await k('bills').where({ id: billId }).first();
    const sums = await k('bill_ledger').where({ bill_id: billId }).groupBy('kind').select('kind', k.raw('sum(amount) AS s'));
    const sum = (kind: string) => new Decimal(sums.find((r) => r.kind === kind)?.s ?? 0).toFixed(2);
    expect(bill.paid).toBe(sum('payment'));
    expect(bill.refunded).toBe(sum('refund'));
    expect(bill.due).toBe(sum('charge'));
    expect(bill.paid).toBe('600.00'); // 100 + 10 × 50
    expect(bill.refunded).toBe(new Decimal(60).times(succeeded).toFixed(2));
    expect(new Decimal(bill.refunded).lte(bill.paid)).toBe(true);
    const refundRows = await k('refunds').where({ bill_id: billId }).select(k.raw('count(*) AS n, COALESCE(sum(amount), 0) AS s'));
    expect([Number(refundRows[0].n), new Decimal(refundRows[0].s).toFixed(2)]).toEqual([succeeded, bill.refunded]);
  });

  it('never refunds more than was paid even when refunds race each other', async () => {
    const { p, billId, refunds, actor } = await paidBill('1000.00');
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => refunds.refund(actor, null, { personId: p.personId, billId, amount: new Decimal('30.00'), mode: 'offline', reason: '并发退费' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as Error).message).toContain('退费金额不能超过该账单可退金额');
    expect((await k('bills').where({ id: billId }).first()).refunded).toBe('90.00');
  });
});
