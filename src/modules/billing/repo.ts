// The only code that changes a bill's totals. Each change is a ledger entry and the matching
// update of the bill, in the caller's transaction; the UPDATE takes the bill's row lock, so two
// payments (or a payment and a refund) on one bill serialise instead of losing an update.
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import type { Decimal } from '../../domain/money';

export type LedgerKind = 'charge' | 'reduction' | 'payment' | 'refund' | 'adjustment' | 'loan';

const COLUMN: Record<LedgerKind, 'due' | 'reduction' | 'paid' | 'refunded'> = {
  charge: 'due',
  adjustment: 'due',
  reduction: 'reduction',
  payment: 'paid',
  // A student loan paid into a deferred bill (modules/deferrals/disburse.ts): money received like
  // any payment, its own kind so the ledger tells loan money from the student's own.
  loan: 'paid',
  refund: 'refunded',
};

export interface LedgerEntry {
  billId: number;
  kind: LedgerKind;
  amount: Decimal;
  orderId?: number | string | null;
  receiptId?: number | string | null;
  actorAccountId?: number | null;
  reason: string;
}

/** A change the bill's constraints refuse: a refund beyond what was paid, a reduction beyond what is due … */
export class BillConstraintError extends Error {}

export async function postLedgerEntry(trx: Knex.Transaction, e: LedgerEntry) {
  const col = COLUMN[e.kind];
  let updated;
  try {
    updated = await trx('bills')
      .where({ id: e.billId })
      .update({
        [col]: trx.raw('?? + ?', [col, e.amount.toFixed(2)]),
        version: trx.raw('version + 1'),
        updated_at: trx.fn.now(),
      })
      .returning(['id', 'due', 'refunded', 'reduction', 'paid']);
  } catch (err) {
    if ((err as { code?: string }).code === '23514') throw new BillConstraintError(`bill ${e.billId}: ${e.kind} ${e.amount.toFixed(2)} refused`);
    throw err;
  }
  if (updated.length !== 1) throw new BillConstraintError(`bill ${e.billId} not found`);
  await trx('bill_ledger').insert({
    bill_id: e.billId,
    kind: e.kind,
    amount: e.amount.toFixed(2),
    order_id: e.orderId ?? null,
    receipt_id: e.receiptId ?? null,
    actor_account_id: e.actorAccountId ?? null,
    reason: e.reason,
  });
  const b = updated[0]!;
  return { due: dec(b.due), refunded: dec(b.refunded), reduction: dec(b.reduction), paid: dec(b.paid) };
}

/** 收费单号: six digits from a database sequence, unique across instances. */
export async function nextReceiptNo(trx: Knex): Promise<string> {
  const { rows } = await trx.raw(`SELECT lpad(nextval('receipt_no_seq')::text, 6, '0') AS no`);
  return rows[0].no as string;
}

export interface NewReceipt {
  personId: number;
  orderId?: number | string | null;
  receiptDate: string;
  preparer: string;
  category: '财政' | '代收';
  method: 'online' | 'cash' | 'pos' | 'transfer' | 'loan';
  ebillStatus: '待生成' | '已生成' | '其他票据';
  actorAccountId?: number | null;
  lines: { billId: number; amount: Decimal }[];
}

export async function insertReceipt(trx: Knex.Transaction, r: NewReceipt): Promise<{ id: string; receiptNo: string }> {
  const receiptNo = await nextReceiptNo(trx);
  const total = r.lines.reduce((t, l) => t.plus(l.amount), r.lines[0]!.amount.minus(r.lines[0]!.amount));
  const [row] = await trx('receipts')
    .insert({
      receipt_no: receiptNo, person_id: r.personId, order_id: r.orderId ?? null, receipt_date: r.receiptDate,
      preparer: r.preparer, category: r.category, method: r.method, total: total.toFixed(2),
      ebill_status: r.ebillStatus, actor_account_id: r.actorAccountId ?? null,
    })
    .returning('id');
  await trx('receipt_lines').insert(r.lines.map((l) => ({ receipt_id: row.id, bill_id: l.billId, amount: l.amount.toFixed(2) })));
  return { id: String(row.id), receiptNo };
}
