// Billing many people at once (开单, CSV import): the set-based twin of repo.ts's
// postLedgerEntry. Per row it would be 240,000 statements for 120,000 bills; here each chunk is
// a handful of statements that still (1) change a bill's due only together with a ledger entry
// in the same transaction and (2) take the bills' row locks, so totals keep equal to the ledger.
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import { type Decimal } from '../../domain/money';

export interface Charge {
  personId: number;
  periodId: number;
  feeItemId: number;
  due: Decimal;
  /** Where the row came from (a file line), for error reports. */
  line?: number;
}

export interface ChargeResult {
  created: number;
  adjusted: number;
  unchanged: number;
  skipped: number;
  /** Rows whose new due would fall below the reduction already granted: nothing was written. */
  conflicts: { charge: Charge; reduction: Decimal }[];
}

const CHUNK = 5000;

/** An int[]/numeric[] literal: knex expands JS arrays into lists, so arrays go as one text value. */
const arr = (xs: (number | string)[]) => `{${xs.join(',')}}`;

/**
 * New bills get a `charge` entry. An existing bill whose due differs gets an `adjustment` by the
 * difference when onExisting is 'adjust', or is left alone ('skip'). Input must not repeat a
 * (person, period, item) key. When conflicts is non-empty the caller must roll back.
 */
export async function applyCharges(
  trx: Knex.Transaction,
  charges: Charge[],
  opts: { actorAccountId: number | null; reason: string; onExisting: 'adjust' | 'skip' },
): Promise<ChargeResult> {
  const result: ChargeResult = { created: 0, adjusted: 0, unchanged: 0, skipped: 0, conflicts: [] };
  for (let i = 0; i < charges.length; i += CHUNK) {
    const chunk = charges.slice(i, i + CHUNK);
    const keys = [arr(chunk.map((c) => c.personId)), arr(chunk.map((c) => c.periodId)), arr(chunk.map((c) => c.feeItemId))];
    const inserted = await trx.raw(
      `INSERT INTO bills (person_id, period_id, fee_item_id)
       SELECT * FROM unnest(?::int[], ?::int[], ?::int[])
       ON CONFLICT (person_id, period_id, fee_item_id) DO NOTHING RETURNING id`,
      keys,
    );
    const newIds = new Set<number>(inserted.rows.map((r: { id: number }) => Number(r.id)));
    const { rows: current } = await trx.raw(
      `SELECT b.id, b.person_id, b.period_id, b.fee_item_id, b.due, b.reduction
       FROM bills b JOIN unnest(?::int[], ?::int[], ?::int[]) AS k(person_id, period_id, fee_item_id)
         USING (person_id, period_id, fee_item_id)
       ORDER BY b.id FOR UPDATE OF b`,
      keys,
    );
    const byKey = new Map<string, { id: number; due: Decimal; reduction: Decimal }>();
    for (const r of current) byKey.set(`${r.person_id}/${r.period_id}/${r.fee_item_id}`, { id: Number(r.id), due: dec(r.due), reduction: dec(r.reduction) });

    const entries: { billId: number; kind: 'charge' | 'adjustment'; amount: Decimal }[] = [];
    for (const c of chunk) {
      const bill = byKey.get(`${c.personId}/${c.periodId}/${c.feeItemId}`)!;
      if (newIds.has(bill.id)) {
        result.created++;
        // A zero charge leaves the bill at zero; the ledger refuses zero entries.
        if (!c.due.isZero()) entries.push({ billId: bill.id, kind: 'charge', amount: c.due });
        continue;
      }
      const delta = c.due.minus(bill.due);
      if (delta.isZero()) result.unchanged++;
      else if (opts.onExisting === 'skip') result.skipped++;
      else if (c.due.lessThan(bill.reduction)) result.conflicts.push({ charge: c, reduction: bill.reduction });
      else {
        result.adjusted++;
        entries.push({ billId: bill.id, kind: 'adjustment', amount: delta });
      }
    }
    if (result.conflicts.length || !entries.length) continue;
    const ids = arr(entries.map((e) => e.billId));
    const amounts = arr(entries.map((e) => e.amount.toFixed(2)));
    await trx.raw(
      `UPDATE bills SET due = bills.due + d.amount, version = bills.version + 1, updated_at = now()
       FROM unnest(?::int[], ?::numeric[]) AS d(id, amount) WHERE bills.id = d.id`,
      [ids, amounts],
    );
    await trx.raw(
      `INSERT INTO bill_ledger (bill_id, kind, amount, actor_account_id, reason)
       SELECT d.id, CASE WHEN d.adj THEN 'adjustment' ELSE 'charge' END, d.amount, ?, ?
       FROM unnest(?::int[], ?::numeric[], ?::boolean[]) AS d(id, amount, adj)`,
      [opts.actorAccountId, opts.reason, ids, amounts, arr(entries.map((e) => (e.kind === 'adjustment' ? 'true' : 'false')))],
    );
  }
  return result;
}
