// A student loan arrives (国家助学贷款 or 生源地信用助学贷款): paid into the student's deferred bills
// as ledger entries of the kind 'loan', through the billing module's one writer of bill totals,
// with a receipt per payee whose 制单人 is 财务处; the deferrals it covers end; what is left
// beyond what those bills owe becomes exactly one refund to the student's bank card (待导出).
// A disbursement is recorded under its key (学号 + 贷款类型 + 到账日期 + 金额) in the same
// transaction, so the same row, from a file or by hand, is applied once.
import type { Knex } from 'knex';
import { allocateLoan, disbursementKey, type LoanKind } from '../../domain/deferral';
import { LOAN_KIND_LABEL } from '../../domain/deferral-labels';
import { sum, type Decimal } from '../../domain/money';
import type { AuditRepo } from '../audit/repo';
import { insertReceipt, postLedgerEntry } from '../billing/repo';
import { lockOwed } from '../fees/repo';
import { insertDisbursement, insertLoanRefund } from './loans-repo';
import { coverDeferral, inForceForLoan } from './repo';

/** 制单人 of a loan's receipt: the money came through the finance office, not a cashier or a channel. */
export const LOAN_PREPARER = '财务处';

export interface Disbursement {
  personId: number;
  number: string;
  kind: LoanKind;
  amount: Decimal;
  arrivedOn: string;
  source: 'import' | 'manual';
  actorAccountId: number | null;
  ip?: string;
}

export type DisbursementOutcome =
  | { status: 'duplicate' }
  | { status: 'applied'; id: number; applied: Decimal; surplus: Decimal; refundId: number | null; receiptNos: string[] };

export async function applyDisbursement(trx: Knex.Transaction, audit: AuditRepo, d: Disbursement): Promise<DisbursementOutcome> {
  const deferrals = await inForceForLoan(trx, d.personId);
  const owed = deferrals.length ? await lockOwed(trx, deferrals.map((x) => x.billId)) : new Map<number, Decimal>();
  const plan = allocateLoan(d.amount, d.kind, deferrals.map((x) => ({ deferralId: x.id, billId: x.billId, kind: x.kind, remaining: x.remaining, owed: owed.get(x.billId)! })));
  const applied = d.amount.minus(plan.surplus);
  const id = await insertDisbursement(trx, {
    personId: d.personId, kind: d.kind, amount: d.amount, arrivedOn: d.arrivedOn, key: disbursementKey(d.number, d.kind, d.arrivedOn, d.amount),
    source: d.source, applied, surplus: plan.surplus, actorAccountId: d.actorAccountId,
  });
  if (id === null) return { status: 'duplicate' };

  const reason = `${LOAN_KIND_LABEL[d.kind]} ${d.arrivedOn} 到账`;
  const categoryOf = new Map(deferrals.map((x) => [x.billId, x.category]));
  const receiptNos: string[] = [];
  // One receipt per payee, as every receipt is (财政 money goes to 甘肃省财政厅, 代收 to the university).
  for (const category of ['财政', '代收'] as const) {
    const lines = plan.lines.filter((l) => categoryOf.get(l.billId) === category);
    if (!lines.length) continue;
    const receipt = await insertReceipt(trx, {
      personId: d.personId, receiptDate: d.arrivedOn, preparer: LOAN_PREPARER, category, method: 'loan', ebillStatus: '待生成',
      actorAccountId: d.actorAccountId, lines: lines.map((l) => ({ billId: l.billId, amount: l.amount })),
    });
    receiptNos.push(receipt.receiptNo);
    for (const l of lines) {
      await postLedgerEntry(trx, { billId: l.billId, kind: 'loan', amount: l.amount, receiptId: receipt.id, actorAccountId: d.actorAccountId, reason });
    }
  }
  for (const l of plan.lines) {
    // The deferrals are locked above: a miss here is a bug, and rolls the whole disbursement back.
    if (!(await coverDeferral(trx, l.deferralId, l.covered, l.ends))) throw new Error(`deferral ${l.deferralId} moved under its lock`);
  }
  const refundId = plan.surplus.greaterThan(0) ? await insertLoanRefund(trx, { disbursementId: id, personId: d.personId, amount: plan.surplus }) : null;
  await audit.record({
    actorAccountId: d.actorAccountId, action: 'loan.disburse', targetPersonId: d.personId, ip: d.ip ?? '',
    detail: {
      id, kind: LOAN_KIND_LABEL[d.kind], amount: d.amount.toFixed(2), arrivedOn: d.arrivedOn, receiptNo: receiptNos, refundId,
      lines: plan.lines.map((l) => ({ billId: l.billId, amount: l.amount.toFixed(2) })),
    },
  }, trx);
  return { status: 'applied', id, applied: sum(plan.lines.map((l) => l.amount)), surplus: plan.surplus, refundId, receiptNos };
}
