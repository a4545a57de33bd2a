import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import type { BillAmounts } from '../../domain/arrears';
import type { Decimal } from '../../domain/money';

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
  periodId?: number | undefined;
  feeItemId?: number | undefined;
  /** Leave out bills whose collection window has ended before this instant. */
  hideExpiredAt?: Date | undefined;
}

export function feesRepo(db: Knex) {
  const base = (personId: number) =>
    db('bills as b')
      .join('fee_periods as p', 'p.id', 'b.period_id')
      .join('fee_items as i', 'i.id', 'b.fee_item_id')
      .where('b.person_id', personId);

  return {
    async billsOf(personId: number, f: BillFilter = {}): Promise<PersonBill[]> {
      const q = base(personId);
      if (f.periodId) q.andWhere('b.period_id', f.periodId);
      if (f.feeItemId) q.andWhere('b.fee_item_id', f.feeItemId);
      if (f.hideExpiredAt) q.andWhere((w) => w.whereNull('i.ends_at').orWhere('i.ends_at', '>=', f.hideExpiredAt!).orWhere('i.payable_after_end', true));
      // Every 当前费用, 首页 and 学费缴费 reads this: prepared (src/db/prepared.ts), one statement per filter shape.
      const rows = await q.options({ prepare: true })
        .orderBy([{ column: 'p.sort_order', order: 'desc' }, { column: 'i.sort_order' }, { column: 'b.id' }])
        .select(
          'b.id as billId', 'b.period_id as periodId', 'p.name as periodName', 'b.fee_item_id as feeItemId',
          'i.name as itemName', 'i.code as itemCode', 'i.category', 'i.fee_type as feeType', 'i.status as itemStatus',
          'i.starts_at as startsAt', 'i.ends_at as endsAt', 'i.payable_after_end as payableAfterEnd', 'i.sort_order as itemSort', 'b.due', 'b.refunded', 'b.reduction', 'b.paid',
        );
      return rows.map((r) => ({ ...r, due: dec(r.due), refunded: dec(r.refunded), reduction: dec(r.reduction), paid: dec(r.paid) }));
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
