import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import type { BillAmounts } from '../../domain/arrears';
import type { Decimal } from '../../domain/money';
import { billDeferralsSql, deferralsOfBills, type ExpiredDeferral, type InForce } from '../deferrals/repo';

export interface PersonBill extends BillAmounts {
  billId: number;
  periodId: number;
  periodName: string;
  feeItemId: number;
  itemName: string;
  itemCode: string;
  category: '财政' | '代收';
  feeType: '学费' | '其他费用';
  itemStatus: '收费' | '停止';
  startsAt: Date | null;
  endsAt: Date | null;
  /** 逾期可缴: finance lets this item be paid after its 收费终止. */
  payableAfterEnd: boolean;
  itemSort: number;
}

/** An optional item (选缴) offered to a person who has no bill for it yet. */
export interface OptionalOffer {
  feeItemId: number;
  itemName: string;
  category: '财政' | '代收';
  periodId: number;
  periodName: string;
  amount: Decimal;
  itemStatus: '收费' | '停止';
  startsAt: Date | null;
  endsAt: Date | null;
  payableAfterEnd: boolean;
  /** The person has a bill for it already (chosen before, or billed by finance). */
  chosen: boolean;
}

export interface BillFilter {
  /** Leave out bills whose collection window has ended before this instant. */
  hideExpiredAt?: Date | undefined;
  /** Also read the deferrals expired since this instant (当前费用 tells of them); in force ones always. */
  expiredSince?: Date | undefined;
}

/** A person's bills with their deferrals (src/modules/deferrals/repo.ts): what every fees page starts from. */
export interface BillsWithDeferrals {
  bills: PersonBill[];
  inForce: Map<number, InForce>;
  expired: ExpiredDeferral[];
}

/**
 * A person's bills, newest period first, each with its deferrals as one json column: one
 * statement for 当前费用, 首页 and 学费缴费, of a fixed text prepared once per connection
 * (src/db/prepared.ts), where a knex builder per request cost as much CPU as the database's answer
 * and the deferrals were a second round trip. The arguments are SQL: the person, the instant
 * before which an ended window hides its bills (NULL: none hidden), and since when expired
 * deferrals are told of (NULL: only those in force). Money leaves as text, whether the rows come
 * as rows or, in a page read (./page-reads.ts), as json.
 */
export const billsSql = (s: { person: string; hideEndedBefore: string; expiredSince: string }) => `
SELECT b.id AS "billId", b.period_id AS "periodId", p.name AS "periodName", b.fee_item_id AS "feeItemId",
       i.name AS "itemName", i.code AS "itemCode", i.category, i.fee_type AS "feeType", i.status AS "itemStatus",
       i.starts_at AS "startsAt", i.ends_at AS "endsAt", i.payable_after_end AS "payableAfterEnd", i.sort_order AS "itemSort",
       p.sort_order AS "periodSort", b.due::text AS due, b.refunded::text AS refunded, b.reduction::text AS reduction, b.paid::text AS paid,
       ${billDeferralsSql(s.expiredSince)} AS deferrals
  FROM bills b JOIN fee_periods p ON p.id = b.period_id JOIN fee_items i ON i.id = b.fee_item_id
 WHERE b.person_id = ${s.person}
   AND (${s.hideEndedBefore} IS NULL OR i.ends_at IS NULL OR i.ends_at >= ${s.hideEndedBefore} OR i.payable_after_end)
 ORDER BY p.sort_order DESC, i.sort_order, b.id`;

// The deferrals' placeholder comes first in the text, then the WHERE's (person, then the instant twice).
const BILLS_SQL = billsSql({ person: '?', hideEndedBefore: '?::timestamptz', expiredSince: '?::timestamptz' });

/** A row of billsSql, from the driver (dates as Date) or from json (dates as ISO text). */
export type BillRow = Omit<PersonBill, 'due' | 'refunded' | 'reduction' | 'paid' | 'startsAt' | 'endsAt'> & {
  due: string; refunded: string; reduction: string; paid: string; periodSort: number; deferrals: unknown;
  startsAt: Date | string | null; endsAt: Date | string | null;
};

const at = (v: Date | string | null) => (v === null || v instanceof Date ? v : new Date(v));

/** The rows of billsSql as the pages use them: the bills, their deferrals in force, the expired ones. */
export function toBillsWithDeferrals(rows: readonly BillRow[]): BillsWithDeferrals {
  const bills = rows.map(toBill);
  return { bills, ...deferralsOfBills(rows.map((r, i) => ({ billId: bills[i]!.billId, deferrals: r.deferrals }))) };
}

function toBill({ deferrals: _d, periodSort: _p, ...r }: BillRow): PersonBill {
  return {
    ...r, billId: Number(r.billId), startsAt: at(r.startsAt), endsAt: at(r.endsAt),
    due: dec(r.due), refunded: dec(r.refunded), reduction: dec(r.reduction), paid: dec(r.paid),
  };
}

export function feesRepo(db: Knex) {
  const read = async (personId: number, f: BillFilter): Promise<BillRow[]> => {
    const hide = f.hideExpiredAt ?? null;
    const { rows } = await db.raw<{ rows: BillRow[] }>(BILLS_SQL, [f.expiredSince ?? null, personId, hide, hide]).options({ prepare: true });
    return rows;
  };

  return {
    async billsOf(personId: number, f: BillFilter = {}): Promise<PersonBill[]> {
      return (await read(personId, f)).map(toBill);
    },

    async billsWithDeferrals(personId: number, f: BillFilter = {}): Promise<BillsWithDeferrals> {
      return toBillsWithDeferrals(await read(personId, f));
    },

    /**
     * The optional items (选缴) offered to the person (to everyone, or to their kind: student,
     * staff, external), whatever their window — the page says when one cannot be chosen now —
     * each saying whether the person has its bill already. `itemIds`: only these.
     */
    async offersFor(personId: number, itemIds?: readonly number[]): Promise<OptionalOffer[]> {
      const rows = await db('fee_items as i')
        .join('fee_periods as p', 'p.id', 'i.offer_period_id')
        .where('i.optional', true)
        .whereRaw(`i.offer_audience IN ('all', (SELECT kind FROM people WHERE id = ?))`, [personId])
        .modify((q) => { if (itemIds) q.whereIn('i.id', itemIds); })
        .orderBy([{ column: 'p.sort_order', order: 'desc' }, { column: 'i.sort_order' }, { column: 'i.id' }])
        .select(
          'i.id as feeItemId', 'i.name as itemName', 'i.category', 'p.id as periodId', 'p.name as periodName', 'i.offer_amount as amount',
          'i.status as itemStatus', 'i.starts_at as startsAt', 'i.ends_at as endsAt', 'i.payable_after_end as payableAfterEnd',
          db.raw('EXISTS (SELECT 1 FROM bills b WHERE b.person_id = ? AND b.period_id = i.offer_period_id AND b.fee_item_id = i.id) AS chosen', [personId]),
        );
      return rows.map((r: Record<string, unknown>) => ({ ...r, amount: dec(r.amount as string), chosen: !!r.chosen }) as OptionalOffer);
    },
  };
}

export type FeesRepo = ReturnType<typeof feesRepo>;

/**
 * What each of these bills still owes ((due − reduction) − (paid − refunded), may be negative),
 * the bills locked until the transaction ends: read before a payment is posted to them.
 */
export async function lockOwed(trx: Knex.Transaction, billIds: number[]): Promise<Map<number, Decimal>> {
  const rows = await trx('bills').whereIn('id', billIds).forUpdate()
    .select('id', trx.raw('(due - reduction) - (paid - refunded) AS owed'));
  return new Map(rows.map((r) => [Number(r.id), dec(String(r.owed))]));
}
