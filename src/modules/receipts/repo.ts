// 已缴费信息: the person's receipts from every route (online and at the counter), by owner only.
import type { Knex } from 'knex';
import { count, dec } from '../../db/rows';
import type { Decimal } from '../../domain/money';

export interface ReceiptFilter {
  feeType: '学费' | '其他费用';
  from?: string | undefined;
  to?: string | undefined;
  receiptNo?: string | undefined;
}

export interface ReceiptRow {
  receiptNo: string;
  receiptDate: string;
  preparer: string;
  ebillStatus: string;
  total: Decimal;
  billCount: number;
}

export function receiptsRepo(db: Knex) {
  const filtered = (personId: number, f: ReceiptFilter) => {
    const q = db('receipts as r').where('r.person_id', personId);
    // A receipt belongs to a fee type when one of its lines does (学费交费 shows tuition paid by any route).
    q.whereExists(
      db('receipt_lines as l').join('bills as b', 'b.id', 'l.bill_id').join('fee_items as i', 'i.id', 'b.fee_item_id')
        .whereRaw('l.receipt_id = r.id').andWhere('i.fee_type', f.feeType).select(db.raw('1')),
    );
    if (f.from) q.andWhere('r.receipt_date', '>=', f.from);
    if (f.to) q.andWhere('r.receipt_date', '<=', f.to);
    if (f.receiptNo) q.andWhere('r.receipt_no', f.receiptNo);
    return q;
  };

  return {
    /** The fee types of which the person has at least one receipt (any date, any route). */
    async feeTypesPaid(personId: number): Promise<Set<ReceiptFilter['feeType']>> {
      const rows = await db('receipts as r')
        .join('receipt_lines as l', 'l.receipt_id', 'r.id').join('bills as b', 'b.id', 'l.bill_id').join('fee_items as i', 'i.id', 'b.fee_item_id')
        .where('r.person_id', personId).distinct('i.fee_type as feeType');
      return new Set(rows.map((r: { feeType: ReceiptFilter['feeType'] }) => r.feeType));
    },

    async count(personId: number, f: ReceiptFilter): Promise<number> {
      const row = await filtered(personId, f).count<{ n: string }[]>('* as n').first();
      return count(row?.n);
    },

    async list(personId: number, f: ReceiptFilter, offset: number, limit: number): Promise<ReceiptRow[]> {
      const rows = await filtered(personId, f)
        .orderBy([{ column: 'r.receipt_date', order: 'desc' }, { column: 'r.receipt_no', order: 'desc' }])
        .offset(offset)
        .limit(limit)
        .select(
          'r.receipt_no as receiptNo', 'r.receipt_date as receiptDate', 'r.preparer', 'r.ebill_status as ebillStatus', 'r.total',
          db.raw('(SELECT count(*) FROM ebills e WHERE e.receipt_id = r.id) AS "billCount"'),
        );
      return rows.map((r) => ({ ...r, total: dec(r.total), billCount: count(r.billCount) }));
    },

    /** 收费单明细 (图26): the receipt, its order number if paid online, and its lines. */
    async detail(personId: number, receiptNo: string) {
      const r = await db('receipts as r')
        .leftJoin('orders as o', 'o.id', 'r.order_id')
        .where({ 'r.person_id': personId, 'r.receipt_no': receiptNo })
        .first('r.id', 'r.receipt_no as receiptNo', 'r.receipt_date as receiptDate', 'r.preparer', 'r.ebill_status as ebillStatus', 'r.total', 'o.order_no as orderNo');
      if (!r) return undefined;
      const lines = await db('receipt_lines as l')
        .join('bills as b', 'b.id', 'l.bill_id')
        .join('fee_periods as p', 'p.id', 'b.period_id')
        .join('fee_items as i', 'i.id', 'b.fee_item_id')
        .where('l.receipt_id', r.id)
        .orderBy([{ column: 'p.sort_order', order: 'desc' }, { column: 'i.sort_order' }, { column: 'l.id' }])
        .select('p.name as periodName', 'i.name as itemName', 'l.amount');
      return {
        receiptNo: r.receiptNo as string,
        receiptDate: r.receiptDate as string,
        preparer: r.preparer as string,
        ebillStatus: r.ebillStatus as string,
        orderNo: (r.orderNo ?? null) as string | null,
        total: dec(r.total),
        lines: lines.map((l) => ({ periodName: l.periodName as string, itemName: l.itemName as string, amount: dec(l.amount) })),
      };
    },
  };
}

export type ReceiptsRepo = ReturnType<typeof receiptsRepo>;
