// SQL of 缓缴 (the deferrals table, owned here): what is deferred now, the rows of the person page
// and of the console's list, and the compare-and-set moves of a deferral's state.
import type { Knex } from 'knex';
import { dec, jsonColumn } from '../../db/rows';
import type { DeferralKind } from '../../domain/deferral';
import type { Decimal } from '../../domain/money';
import { type Scope, scoped } from '../console/context';

export type DeferralStatus = 'requested' | 'approved' | 'rejected' | 'settled' | 'expired';

export interface DeferralRecord {
  id: number;
  billId: number;
  personId: number;
  kind: DeferralKind;
  amount: Decimal;
  covered: Decimal;
  expectedOn: string;
  status: DeferralStatus;
  reason: string;
  itemName: string;
  periodName: string;
  requestedBy: string | null;
  decidedBy: string | null;
  createdAt: Date;
  endedAt: Date | null;
}

export interface InForce {
  kind: DeferralKind;
  /** amount − covered: what the deferral still holds back. */
  remaining: Decimal;
  expectedOn: string;
}

const recordColumns = [
  'd.id', 'd.bill_id as billId', 'd.person_id as personId', 'd.kind', 'd.amount', 'd.covered', 'd.expected_on as expectedOn', 'd.status', 'd.reason',
  'fi.name as itemName', 'fp.name as periodName', 'rp.name as requestedBy', 'dp.name as decidedBy', 'd.created_at as createdAt', 'd.ended_at as endedAt',
];

const toRecord = (r: Record<string, any>): DeferralRecord => ({ ...(r as DeferralRecord), id: Number(r.id), amount: dec(r.amount), covered: dec(r.covered) });

function records(db: Knex) {
  return db('deferrals as d').join('bills as b', 'b.id', 'd.bill_id').join('fee_items as fi', 'fi.id', 'b.fee_item_id').join('fee_periods as fp', 'fp.id', 'b.period_id')
    .join('people as p', 'p.id', 'd.person_id')
    .leftJoin('accounts as ra', 'ra.id', 'd.requested_by').leftJoin('people as rp', 'rp.id', 'ra.person_id')
    .leftJoin('accounts as da', 'da.id', 'd.decided_by').leftJoin('people as dp', 'dp.id', 'da.person_id');
}

/** A deferral that expired lately: 当前费用 tells the student the bill is owed again. */
export interface ExpiredDeferral {
  billId: number;
  kind: DeferralKind;
  amount: Decimal;
  covered: Decimal;
  expectedOn: string;
}

/**
 * The deferrals of the bill aliased `b` that the fees pages show, as a json array column of the
 * bills' own statement (src/modules/fees/repo.ts): in force (approved) and those expired since
 * `expiredSinceSql` (a timestamptz; NULL for none). 当前费用, 首页 and 学费缴费 read it on every
 * load; as a statement of its own it was one more round trip each (the socket write alone was a
 * tenth of a page's CPU, bench/pages.ts). Amounts travel as text, so they reach Decimal exactly.
 * Read with `deferralsOfBills`.
 */
export const billDeferralsSql = (expiredSinceSql: string) => `(SELECT json_agg(json_build_object('id', d.id, 'kind', d.kind, 'amount', d.amount::text, 'covered', d.covered::text,
            'expectedOn', d.expected_on::text, 'status', d.status) ORDER BY d.id)
     FROM deferrals d
    WHERE d.bill_id = b.id AND d.person_id = b.person_id
      AND (d.status = 'approved' OR (d.status = 'expired' AND d.ended_at >= ${expiredSinceSql})))`;

interface BillDeferralJson { id: number; kind: DeferralKind; amount: string; covered: string; expectedOn: string; status: 'approved' | 'expired' }

/** The column of BILL_DEFERRALS_SQL of each bill, as the pages use it: in force by bill, and the expired ones in the order they were made. */
export function deferralsOfBills(perBill: Iterable<{ billId: number; deferrals: unknown }>): { inForce: Map<number, InForce>; expired: ExpiredDeferral[] } {
  const inForce = new Map<number, InForce>();
  const expired: (ExpiredDeferral & { id: number })[] = [];
  for (const { billId, deferrals } of perBill) {
    for (const d of jsonColumn<BillDeferralJson[]>(deferrals, [])) {
      if (d.status === 'approved') inForce.set(billId, { kind: d.kind, remaining: dec(d.amount).minus(dec(d.covered)), expectedOn: d.expectedOn });
      else expired.push({ id: Number(d.id), billId, kind: d.kind, amount: dec(d.amount), covered: dec(d.covered), expectedOn: d.expectedOn });
    }
  }
  expired.sort((a, b) => a.id - b.id);
  return { inForce, expired: expired.map(({ id: _id, ...e }) => e) };
}

/**
 * What each bill's deferral in force still holds back (amount − covered), as a subquery to join on
 * bill_id: at most one per bill (deferrals_one_live). In force means approved, as 学费缴费 reads it:
 * one past its expected day counts until the expiry job (expiry.ts) turns it back into arrears.
 */
export function heldByBill(db: Knex) {
  return db('deferrals').where('status', 'approved').select('bill_id', db.raw('amount - covered AS held'));
}

/** Every deferral of a person, newest first (the person page). */
export async function deferralRecords(db: Knex, personId: number): Promise<DeferralRecord[]> {
  return (await records(db).where('d.person_id', personId).orderBy('d.id', 'desc').select(recordColumns)).map(toRecord);
}

/** The console's list (缓缴管理): by state, within the caller's scope, with the student. */
export async function deferralList(db: Knex, scope: Scope, status: DeferralStatus | undefined, limit: number) {
  const q = scoped(records(db), scope);
  if (status) q.where('d.status', status);
  const rows = await q.orderBy('d.id', 'desc').limit(limit).select([...recordColumns, 'p.number as number', 'p.name as name']);
  return rows.map((r) => ({ ...toRecord(r), number: r.number as string, name: r.name as string }));
}

export interface NewDeferral {
  billId: number;
  personId: number;
  kind: DeferralKind;
  amount: Decimal;
  expectedOn: string;
  status: 'requested' | 'approved';
  reason: string;
  requestedBy: number;
}

/** False when a bill already has a deferral asked for or in force (the partial unique index). */
export async function insertDeferrals(trx: Knex.Transaction, rows: NewDeferral[]): Promise<number[] | false> {
  try {
    const ids = await trx('deferrals').insert(rows.map((r) => ({
      bill_id: r.billId, person_id: r.personId, kind: r.kind, amount: r.amount.toFixed(2), expected_on: r.expectedOn, status: r.status, reason: r.reason,
      requested_by: r.requestedBy, ...(r.status === 'approved' ? { decided_by: r.requestedBy, decided_at: trx.fn.now() } : {}),
    }))).returning('id');
    return ids.map((r) => Number(r.id));
  } catch (e) {
    if ((e as { code?: string }).code === '23505') return false;
    throw e;
  }
}

/** A deferral with its owner's college, locked: read before finance decides on it. */
export async function lockDeferral(trx: Knex.Transaction, id: number) {
  const r = await trx('deferrals as d').join('people as p', 'p.id', 'd.person_id').where('d.id', id).forUpdate('d')
    .first('d.id', 'd.bill_id as billId', 'd.person_id as personId', 'p.college_id as collegeId', 'd.status', 'd.amount', 'd.kind', 'd.expected_on as expectedOn');
  return r ? { ...r, id: Number(r.id), amount: dec(r.amount) } as { id: number; billId: number; personId: number; collegeId: number | null; status: DeferralStatus; amount: Decimal; kind: DeferralKind; expectedOn: string } : undefined;
}

/** requested → approved | rejected, compare-and-set: true when this call moved it. */
export async function decideDeferral(trx: Knex.Transaction, id: number, to: 'approved' | 'rejected', actorAccountId: number): Promise<boolean> {
  const n = await trx('deferrals').where({ id, status: 'requested' })
    .update({ status: to, decided_by: actorAccountId, decided_at: trx.fn.now(), updated_at: trx.fn.now(), ...(to === 'rejected' ? { ended_at: trx.fn.now() } : {}) });
  return n === 1;
}

/** A person's deferrals in force with their bill's item, locked in bill order: a loan is being paid in. */
export async function inForceForLoan(trx: Knex.Transaction, personId: number) {
  const rows = await trx('deferrals as d').join('bills as b', 'b.id', 'd.bill_id').join('fee_items as fi', 'fi.id', 'b.fee_item_id')
    .where({ 'd.person_id': personId, 'd.status': 'approved' }).orderBy('d.bill_id').forUpdate('d')
    .select('d.id', 'd.bill_id as billId', 'd.kind', 'd.amount', 'd.covered', 'fi.category');
  return rows.map((r) => ({ id: Number(r.id), billId: Number(r.billId), kind: r.kind as DeferralKind, remaining: dec(r.amount).minus(dec(r.covered)), category: r.category as '财政' | '代收' }));
}

/** A loan paid off `covered` of a deferral in force; `ends` settles it. Compare-and-set on approved. */
export async function coverDeferral(trx: Knex.Transaction, id: number, covered: Decimal, ends: boolean): Promise<boolean> {
  const n = await trx('deferrals').where({ id, status: 'approved' }).whereRaw('covered + ? <= amount', [covered.toFixed(2)])
    .update({ covered: trx.raw('covered + ?', [covered.toFixed(2)]), updated_at: trx.fn.now(), ...(ends ? { status: 'settled', ended_at: trx.fn.now() } : {}) });
  return n === 1;
}

/**
 * Deferrals in force whose expected day is before `today`, claimed (SKIP LOCKED: another instance
 * running the job at once takes other rows) and turned to expired in the same statement.
 */
export async function expireDue(trx: Knex.Transaction, today: string, limit: number) {
  const { rows } = await trx.raw(
    `UPDATE deferrals d SET status = 'expired', ended_at = now(), updated_at = now()
     FROM (SELECT id FROM deferrals WHERE status = 'approved' AND expected_on < ?::date ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED) due,
          bills b, fee_items fi, people p
     WHERE d.id = due.id AND b.id = d.bill_id AND fi.id = b.fee_item_id AND p.id = d.person_id
     RETURNING d.id, d.person_id, d.bill_id, d.kind, d.amount, d.covered, d.expected_on, fi.name AS item_name, p.mobile,
       (b.due - b.reduction) - (b.paid - b.refunded) AS owed`,
    [today, limit],
  );
  return (rows as Record<string, any>[]).map((r) => ({
    id: Number(r.id), personId: Number(r.person_id), billId: Number(r.bill_id), kind: r.kind as DeferralKind,
    remaining: dec(r.amount).minus(dec(r.covered)), expectedOn: r.expected_on as string, itemName: r.item_name as string, mobile: r.mobile as string | null,
    owed: dec(r.owed),
  }));
}
