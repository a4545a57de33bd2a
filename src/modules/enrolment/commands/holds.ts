// An unpaid sign-up holds its seat for the 报名项目's 保留时长, then releases it: its bill is
// closed (what it owes set to nothing, through the billing module's applyCharges, so the ledger
// says why) and it can no longer be paid. Three things keep money from being lost:
//  - a bill with a live order (a payment in progress at a channel) is not closed: the hold is
//    extended instead, and looked at again when it lapses (the order's expiry job closes the order
//    at its channel first — src/modules/payment/commands/close-order.ts);
//  - a bill that already has money on it is not released quietly: the sign-up is flagged
//    refund_due for finance;
//  - money credited after the release (a late channel notification) makes the sign-up 已报名 if a
//    seat is free, and flags it refund_due otherwise.
// Lock order, everywhere in this module: the 报名项目's row, then the sign-up, then the person's
// order-building lock, then the bill. Every state change is a compare-and-set.
import type { Knex } from 'knex';
import { netPaid } from '../../../domain/arrears';
import { billSettled } from '../../../domain/enrolment';
import { ZERO, type Decimal } from '../../../domain/money';
import { applyCharges } from '../../billing/batch-repo';
import { liveOrdersCoveringBills, lockOrderBuilding } from '../../payment/orders-repo';
import { enrolmentRepo as repo, type ProjectRow, type SignupRow } from '../repo';

export type HoldOutcome = 'confirmed' | 'extended' | 'released' | 'refund_due' | 'unchanged';

/** The bill made to owe `owe` (negative: to hold that much beyond what it owes), through applyCharges, the billing module's one writer of charges. */
export async function billToOwe(trx: Knex.Transaction, p: ProjectRow, personId: number, bill: { due: Decimal; reduction: Decimal; paid: Decimal; refunded: Decimal }, owe: Decimal, reason: string) {
  const due = owe.plus(bill.reduction).plus(netPaid(bill));
  const r = await applyCharges(trx, [{ personId, periodId: p.periodId!, feeItemId: p.feeItemId!, due }], { actorAccountId: null, reason, onExisting: 'adjust' });
  if (r.conflicts.length) throw new Error(`enrolment bill of person ${personId}: due ${due.toFixed(2)} below its reduction`);
}

/** One lapsed (or settled) hold, under the 报名项目's lock held by the caller. */
export async function settleHold(trx: Knex.Transaction, p: ProjectRow, s: SignupRow, now: Date): Promise<HoldOutcome> {
  if (s.status !== 'holding') return 'unchanged';
  if (s.billId === null) return (await repo.casSignup(trx, s.id, ['holding'], 'confirmed', { now })) ? 'confirmed' : 'unchanged';
  await lockOrderBuilding(trx, s.personId);
  const bill = (await repo.lockBillById(trx, s.billId))!;
  if (billSettled(bill)) return (await repo.casSignup(trx, s.id, ['holding'], 'confirmed', { now })) ? 'confirmed' : 'unchanged';
  if (s.holdUntil && s.holdUntil > now) return 'unchanged';
  const live = await liveOrdersCoveringBills(trx, [s.billId], '0');
  if (live.length) {
    // Past the last live order's expiry, by one more hold: its close at the channel is then done.
    const latest = Math.max(now.getTime(), ...live.map((o) => o.expiresAt.getTime()));
    await repo.extendHold(trx, s.id, new Date(latest + p.holdMinutes * 60_000));
    return 'extended';
  }
  const kept = netPaid(bill);
  await billToOwe(trx, p, s.personId, bill, ZERO, `报名保留时间已过，释放名额：${p.name}`);
  const to = kept.greaterThan(0) ? 'refund_due' : 'released';
  return (await repo.casSignup(trx, s.id, ['holding'], to, { now, endReason: to === 'released' ? '超过保留时间未缴费' : '' })) ? to : 'unchanged';
}

/** Every lapsed hold of one 报名项目, with its row locked by the caller (the lazy check at sign-up). */
export async function settleHoldsOf(trx: Knex.Transaction, p: ProjectRow, now: Date): Promise<void> {
  for (const id of await repo.holdsDue(trx, now, 1000, p.id)) {
    await settleHold(trx, p, (await repo.signup(trx, id))!, now);
  }
}

/** Money credited after the release: a seat if one is free, else flagged for finance's refund. */
export async function settleLateMoney(trx: Knex.Transaction, p: ProjectRow, s: SignupRow, now: Date): Promise<HoldOutcome> {
  if (s.status !== 'released' || s.billId === null) return 'unchanged';
  const bill = (await repo.lockBillById(trx, s.billId))!;
  if (!netPaid(bill).greaterThan(0)) return 'unchanged';
  const live = await repo.liveSignupOf(trx, p.id, s.personId);
  const seat = !live && netPaid(bill).greaterThanOrEqualTo(p.amount!) && (await repo.seatsTaken(trx, p.id, now)) < p.quota;
  if (seat) {
    // What it owes again is the fee, which the money already on it settles.
    await billToOwe(trx, p, s.personId, bill, p.amount!.minus(netPaid(bill)), `释放后到账，恢复报名：${p.name}`);
    return (await repo.casSignup(trx, s.id, ['released'], 'confirmed', { now })) ? 'confirmed' : 'unchanged';
  }
  return (await repo.casSignup(trx, s.id, ['released'], 'refund_due', { now })) ? 'refund_due' : 'unchanged';
}
