// SQL of student-loan disbursements and the refunds of their surplus (tables owned here):
// recording a disbursement once (its key), the person page's rows, the refunds' states, compare-
// and-set, and the bank batch of refunds with each student's card.
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import type { LoanKind } from '../../domain/deferral';
import type { Decimal } from '../../domain/money';

export interface NewDisbursement {
  personId: number;
  kind: LoanKind;
  amount: Decimal;
  arrivedOn: string;
  key: string;
  source: 'import' | 'manual';
  importRunId?: number | string | null;
  applied: Decimal;
  surplus: Decimal;
  actorAccountId: number | null;
}

/** The disbursement's id, or null when its key was recorded before (the same row again). */
export async function insertDisbursement(trx: Knex.Transaction, d: NewDisbursement): Promise<number | null> {
  const rows = await trx('loan_disbursements').insert({
    person_id: d.personId, loan_kind: d.kind, amount: d.amount.toFixed(2), arrived_on: d.arrivedOn, dedupe_key: d.key, source: d.source,
    import_run_id: d.importRunId ?? null, applied: d.applied.toFixed(2), surplus: d.surplus.toFixed(2), actor_account_id: d.actorAccountId,
  }).onConflict('dedupe_key').ignore().returning('id');
  return rows.length ? Number(rows[0].id) : null;
}

/** Which of these keys are recorded already. */
export async function knownKeys(db: Knex, keys: string[]): Promise<Set<string>> {
  const rows = await db('loan_disbursements').whereRaw('dedupe_key IN (SELECT jsonb_array_elements_text(?::jsonb))', [JSON.stringify(keys)]).select('dedupe_key');
  return new Set(rows.map((r) => r.dedupe_key as string));
}

export async function insertLoanRefund(trx: Knex.Transaction, r: { disbursementId: number; personId: number; amount: Decimal }): Promise<number> {
  const [row] = await trx('loan_refunds').insert({ disbursement_id: r.disbursementId, person_id: r.personId, amount: r.amount.toFixed(2) }).returning('id');
  return Number(row.id);
}

export async function disbursementRecords(db: Knex, personId: number) {
  const rows = await db('loan_disbursements as d').leftJoin('loan_refunds as r', 'r.disbursement_id', 'd.id').where('d.person_id', personId).orderBy('d.id', 'desc')
    .select('d.id', 'd.loan_kind as kind', 'd.amount', 'd.arrived_on as arrivedOn', 'd.source', 'd.applied', 'd.surplus', 'r.status as refundStatus', 'd.created_at as createdAt');
  return rows.map((r) => ({ ...r, id: Number(r.id), amount: dec(r.amount), applied: dec(r.applied), surplus: dec(r.surplus) }));
}

export type RefundStatus = 'pending' | 'exported' | 'paid' | 'failed';

/** 退款 (贷款结余) for the console, with the student and whether a card is on file. */
export async function loanRefundList(db: Knex, status: RefundStatus | undefined, limit: number) {
  const q = db('loan_refunds as r').join('people as p', 'p.id', 'r.person_id').join('loan_disbursements as d', 'd.id', 'r.disbursement_id')
    .leftJoin('accounts as a', 'a.person_id', 'r.person_id');
  if (status) q.where('r.status', status);
  const rows = await q.orderBy('r.id', 'desc').limit(limit).select(
    'r.id', 'r.amount', 'r.status', 'r.batch_id as batchId', 'r.note', 'r.version', 'p.id as personId', 'p.number', 'p.name', 'd.loan_kind as kind',
    'd.arrived_on as arrivedOn', 'a.bank_card_last4 as cardLast4', 'a.bank_name as bankName', 'r.updated_at as updatedAt',
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), amount: dec(r.amount), batchId: r.batchId === null ? null : Number(r.batchId) }));
}

export async function batchList(db: Knex, limit: number) {
  const rows = await db('loan_refund_batches').orderBy('id', 'desc').limit(limit).select('id', 'refund_count as count', 'total', 'created_at as createdAt');
  return rows.map((r) => ({ ...r, id: Number(r.id), total: dec(r.total) }));
}

export interface ExportLine { id: number; number: string; name: string; bankName: string | null; cardEnc: string; amount: Decimal }

/** Refunds waiting for export whose student has a bank card, locked, with the card as stored: the next batch. */
export async function lockExportable(trx: Knex.Transaction): Promise<ExportLine[]> {
  const rows = await trx('loan_refunds as r').join('people as p', 'p.id', 'r.person_id').join('accounts as a', 'a.person_id', 'r.person_id')
    .where('r.status', 'pending').whereNotNull('a.bank_card_enc').orderBy('r.id').forUpdate('r')
    .select('r.id', 'p.number', 'p.name', 'a.bank_name as bankName', 'a.bank_card_enc as cardEnc', 'r.amount');
  return rows.map((r) => ({ ...r, id: Number(r.id), amount: dec(r.amount) }));
}

/** A batch keeps its file as exported: downloading it again gives the bank the same lines, whatever a card became since. */
export async function insertBatch(trx: Knex.Transaction, b: { count: number; total: Decimal; file: string; actorAccountId: number }): Promise<number> {
  const [row] = await trx('loan_refund_batches').insert({ refund_count: b.count, total: b.total.toFixed(2), file: b.file, actor_account_id: b.actorAccountId }).returning('id');
  return Number(row.id);
}

/** pending → exported into a batch, compare-and-set: the number of refunds moved. */
export async function markExported(trx: Knex.Transaction, ids: number[], batchId: number): Promise<number> {
  return trx('loan_refunds').whereIn('id', ids).where('status', 'pending')
    .update({ status: 'exported', batch_id: batchId, version: trx.raw('version + 1'), updated_at: trx.fn.now() });
}

/** exported → paid | failed, on the version finance read: true when this call moved it. */
export async function setRefundState(trx: Knex.Transaction, id: number, version: number, to: 'paid' | 'failed', note: string): Promise<boolean> {
  const n = await trx('loan_refunds').where({ id, status: 'exported', version })
    .update({ status: to, note, version: trx.raw('version + 1'), updated_at: trx.fn.now() });
  return n === 1;
}

export async function loanRefund(db: Knex, id: number) {
  const r = await db('loan_refunds').where({ id }).first('id', 'person_id as personId', 'amount', 'status', 'version');
  return r ? { ...r, id: Number(r.id), amount: dec(r.amount) } : undefined;
}

export async function batchFile(db: Knex, batchId: number): Promise<string | undefined> {
  return (await db('loan_refund_batches').where({ id: batchId }).first('file'))?.file as string | undefined;
}

/** Students among these numbers (a loan is a student's), with their id. */
export async function studentsByNumber(db: Knex, numbers: string[]): Promise<Map<string, number>> {
  const rows = await db('people').whereRaw('number IN (SELECT jsonb_array_elements_text(?::jsonb))', [JSON.stringify(numbers)]).where('kind', 'student').select('id', 'number');
  return new Map(rows.map((r) => [r.number as string, Number(r.id)]));
}

/** The disbursements of one imported file point at its import record. */
export async function linkImportRun(trx: Knex.Transaction, ids: number[], runId: number | string): Promise<void> {
  if (ids.length) await trx('loan_disbursements').whereIn('id', ids).update({ import_run_id: runId });
}

export async function personForLoan(db: Knex, personId: number): Promise<{ id: number; number: string; kind: string } | undefined> {
  const r = await db('people').where({ id: personId }).first('id', 'number', 'kind');
  return r ? { id: Number(r.id), number: r.number, kind: r.kind } : undefined;
}
