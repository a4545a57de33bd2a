// Finds overpayments and flags each once (the refunds module keeps the flags): bills credited
// beyond what they owe, the excess put on the newest payments first, and second payments of
// already-paid orders.
import type { Knex } from 'knex';
import { Decimal } from '../../../domain/money';
import { flaggedOnBill, flagOverpayment } from '../../refunds/overpayments-repo';
import { doublePaidAttempts, overpaidBills } from '../overpaid-repo';

const sum = (xs: Decimal[]) => xs.reduce((t, x) => t.plus(x), new Decimal(0));

export async function flagOverpayments(db: Knex): Promise<number> {
  let flagged = 0;
  for (const b of await overpaidBills(db)) {
    const already = await flaggedOnBill(db, b.billId);
    // What earlier flags on this bill still account for (refunded ones have left the excess).
    let left = b.excess.minus(sum(already.filter((f) => f.status !== 'refunded' && f.status !== 'dismissed').map((f) => f.amount)));
    for (const p of b.payments) {
      if (left.lte(0)) break;
      if (already.some((f) => f.orderId === p.orderId)) continue;
      const amount = Decimal.min(left, p.amount);
      if (await flagOverpayment(db, { kind: 'bill', personId: b.personId, billId: b.billId, orderId: p.orderId, attemptId: null, channel: p.channel, amount, note: '账单实缴超过应缴（重复缴费，或缴费后又减免）' })) flagged++;
      left = left.minus(amount);
    }
  }
  for (const a of await doublePaidAttempts(db)) {
    if (await flagOverpayment(db, { kind: 'attempt', personId: a.personId, billId: null, orderId: a.orderId, attemptId: a.attemptId, channel: a.channel, amount: a.amount, note: '订单已由另一笔支付入账，本笔为重复支付' })) flagged++;
  }
  return flagged;
}
