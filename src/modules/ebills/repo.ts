// SQL for e-bills: claiming receipts that still need one, recording what was issued, and reading
// bills back — always by owner for the person's pages, by number + check code for the public check.
import type { Knex } from 'knex';
import { dec, jsonColumn } from '../../db/rows';
import type { Decimal } from '../../domain/money';
import { enqueueSms } from '../sms/outbox-repo';

export type EbillKind = 'fiscal' | 'settlement' | 'school';

export interface EbillLine {
  code: string;
  name: string;
  unit: string;
  quantity: string;
  standard: string;
  amount: string;
}

export interface Ebill {
  id: string;
  receiptId: string;
  receiptNo: string;
  kind: EbillKind;
  billCode: string;
  billNo: string;
  checkCode: string;
  issuedOn: string;
  payerName: string;
  payerNumber: string;
  unitName: string;
  remark: string;
  handler: string;
  total: Decimal;
  lines: EbillLine[];
  receiptDate: string;
}

/** A receipt waiting for its bill, with everything the bill prints. */
export interface PendingReceipt {
  id: string;
  receiptNo: string;
  personId: number;
  category: '财政' | '代收';
  /** online, or the counter's cash / pos / transfer. */
  method: string;
  receiptDate: string;
  preparer: string;
  total: Decimal;
  attempts: number;
  payerName: string;
  payerNumber: string;
  mobile: string;
  lines: { code: string; name: string; unit: string; periodName: string; amount: Decimal }[];
}

const ebillColumns = [
  'e.id', 'e.receipt_id as receiptId', 'r.receipt_no as receiptNo', 'e.kind', 'e.bill_code as billCode', 'e.bill_no as billNo',
  'e.check_code as checkCode', 'e.issued_on as issuedOn', 'e.payer_name as payerName', 'e.payer_number as payerNumber',
  'e.unit_name as unitName', 'e.remark', 'e.handler', 'e.total', 'e.lines', 'r.receipt_date as receiptDate',
];

const toEbill = (r: Record<string, any>): Ebill => ({
  ...(r as Ebill),
  id: String(r.id),
  receiptId: String(r.receiptId),
  issuedOn: dateString(r.issuedOn),
  receiptDate: dateString(r.receiptDate),
  total: dec(r.total),
  lines: jsonColumn<EbillLine[]>(r.lines, []),
});

/** date columns are strings on both engines (see db/connection); a Date here would be a bug upstream. */
function dateString(v: unknown): string {
  if (typeof v === 'string') return v.slice(0, 10);
  throw new TypeError('a date column arrived as something other than a string');
}

export function ebillsRepo(db: Knex) {
  return {
    /**
     * Takes up to `limit` receipts whose bill is due for a try and pushes their next try past the
     * lease, so another runner (or instance) leaves them alone while this one is talking to the
     * platform. SKIP LOCKED: two runners never wait on, or take, the same receipt.
     */
    async claimDue(now: Date, leaseUntil: Date, limit: number, category?: '财政' | '代收'): Promise<string[]> {
      if (limit <= 0) return [];
      const { rows } = await db.raw(
        `UPDATE receipts SET ebill_next_attempt_at = ?
         WHERE id IN (
           SELECT r.id FROM receipts r
           WHERE r.ebill_next_attempt_at <= ?
             AND (r.ebill_status = '待生成' OR (r.category = '代收' AND r.ebill_status = '其他票据'))
             AND r.ebill_failed_at IS NULL AND (?::text IS NULL OR r.category = ?::text)
             AND NOT EXISTS (SELECT 1 FROM ebills e WHERE e.receipt_id = r.id)
           ORDER BY r.ebill_next_attempt_at, r.id
           LIMIT ?
           FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [leaseUntil, now, category ?? null, category ?? null, limit],
      );
      return (rows as { id: string | number }[]).map((r) => String(r.id));
    },

    async pendingReceipt(id: string): Promise<PendingReceipt | undefined> {
      const r = await db('receipts as r')
        .join('people as p', 'p.id', 'r.person_id')
        .leftJoin('orders as o', 'o.id', 'r.order_id')
        .where('r.id', id)
        .first(
          'r.id', 'r.receipt_no as receiptNo', 'r.person_id as personId', 'r.category', 'r.method', 'r.receipt_date as receiptDate',
          'r.preparer', 'r.total', 'r.ebill_attempts as attempts', 'p.name as payerName', 'p.number as payerNumber',
          db.raw(`coalesce(nullif(o.notify_mobile, ''), p.mobile) as mobile`),
        );
      if (!r) return undefined;
      const lines = await db('receipt_lines as l')
        .join('bills as b', 'b.id', 'l.bill_id')
        .join('fee_items as i', 'i.id', 'b.fee_item_id')
        .join('fee_periods as fp', 'fp.id', 'b.period_id')
        .where('l.receipt_id', id)
        .orderBy([{ column: 'fp.sort_order', order: 'desc' }, { column: 'i.sort_order' }, { column: 'l.id' }])
        .select('i.code', 'i.name', 'i.unit', 'fp.name as periodName', 'l.amount');
      return {
        ...r,
        id: String(r.id),
        receiptDate: dateString(r.receiptDate),
        total: dec(r.total),
        lines: lines.map((l) => ({ ...l, amount: dec(l.amount) })),
      };
    },

    /**
     * Records the bill and moves the receipt on, in one transaction with the SMS notice. The bill
     * is inserted first and only once per receipt (unique receipt_id), so two runners that both got
     * an answer cannot write two bills or send two messages. Returns false if another runner won.
     */
    async recordIssued(
      trx: Knex.Transaction,
      receiptId: string,
      bill: Omit<Ebill, 'id' | 'receiptId' | 'receiptNo' | 'receiptDate'>,
      status: '已生成',
      sms: { personId: number; mobile: string; body: string } | null,
    ): Promise<boolean> {
      const inserted = await trx('ebills')
        .insert({
          receipt_id: receiptId, kind: bill.kind, bill_code: bill.billCode, bill_no: bill.billNo, check_code: bill.checkCode,
          issued_on: bill.issuedOn, payer_name: bill.payerName, payer_number: bill.payerNumber, unit_name: bill.unitName,
          remark: bill.remark, handler: bill.handler, total: bill.total.toFixed(2), lines: JSON.stringify(bill.lines),
        })
        .onConflict('receipt_id')
        .ignore()
        .returning('id');
      if (inserted.length === 0) return false;
      await trx('receipts')
        .where({ id: receiptId })
        .update({ ebill_status: status, ebill_attempts: trx.raw('ebill_attempts + 1'), ebill_last_error: null });
      if (sms) await enqueueSms(trx, { personId: sms.personId, mobile: sms.mobile, body: sms.body, receipt: { id: receiptId, purpose: 'ebill' } });
      return true;
    },

    async recordFailure(receiptId: string, nextAttemptAt: Date, error: string): Promise<number> {
      const [row] = await db('receipts')
        .where({ id: receiptId })
        .update({ ebill_attempts: db.raw('ebill_attempts + 1'), ebill_next_attempt_at: nextAttemptAt, ebill_last_error: error.slice(0, 500) })
        .returning('ebill_attempts');
      return Number(row?.ebill_attempts ?? 0);
    },

    /** A request the platform refused for good: no more tries, 失败 on the console. */
    async recordRefused(receiptId: string, at: Date, error: string): Promise<void> {
      await db('receipts').where({ id: receiptId }).whereIn('ebill_status', ['待生成', '其他票据']).whereNull('ebill_failed_at')
        .update({ ebill_attempts: db.raw('ebill_attempts + 1'), ebill_failed_at: at, ebill_last_error: error.slice(0, 500) });
    },

    /** The bills of one of the person's receipts (共N张); undefined when the receipt is not theirs. */
    async ofReceipt(personId: number, receiptNo: string) {
      const receipt = await db('receipts as r')
        .join('people as p', 'p.id', 'r.person_id')
        .where({ 'r.person_id': personId, 'r.receipt_no': receiptNo })
        .first('r.id', 'r.receipt_no as receiptNo', 'r.receipt_date as receiptDate', 'r.ebill_status as ebillStatus', 'r.category', 'p.name as payerName', 'p.number as payerNumber');
      if (!receipt) return undefined;
      const rows = await db('ebills as e').join('receipts as r', 'r.id', 'e.receipt_id').where('e.receipt_id', receipt.id).orderBy('e.id').select(ebillColumns);
      return {
        receipt: { ...receipt, id: String(receipt.id), receiptDate: dateString(receipt.receiptDate) } as {
          id: string; receiptNo: string; receiptDate: string; ebillStatus: string; category: string; payerName: string; payerNumber: string;
        },
        bills: rows.map(toEbill),
      };
    },

    /** One of the person's bills by 票据代码 + 票据号码. */
    async byNumber(personId: number, billCode: string, billNo: string): Promise<Ebill | undefined> {
      const row = await db('ebills as e')
        .join('receipts as r', 'r.id', 'e.receipt_id')
        .where({ 'r.person_id': personId, 'e.bill_code': billCode, 'e.bill_no': billNo })
        .first(ebillColumns);
      return row ? toEbill(row) : undefined;
    },

    /** The PDF drawn for this bill, if it was drawn from the same content (hash). */
    async cachedPdf(ebillId: string, contentHash: string): Promise<Buffer | undefined> {
      const row = await db('ebill_pdfs').where({ ebill_id: ebillId, content_hash: contentHash }).first('pdf');
      return row ? Buffer.from(row.pdf as Uint8Array) : undefined;
    },

    /**
     * Keeps a drawn PDF and returns the one kept: when two downloads drew the same bill at once,
     * the first stored wins and both answer its bytes, so the file never differs between downloads.
     * A PDF drawn from other content (the hash changed) replaces the old one.
     */
    async storePdf(ebillId: string, contentHash: string, pdf: Buffer): Promise<Buffer> {
      // A row back: ours was stored (new, or replacing other content), and these are its bytes;
      // none: the same content was there already, stored by another download, and is read once.
      // Not reading back what was just written saves each first download 21 KB and a statement.
      const { rows } = await db.raw<{ rows: unknown[] }>(
        `INSERT INTO ebill_pdfs (ebill_id, content_hash, pdf) VALUES (?, ?, ?)
         ON CONFLICT (ebill_id) DO UPDATE SET content_hash = EXCLUDED.content_hash, pdf = EXCLUDED.pdf, created_at = now()
         WHERE ebill_pdfs.content_hash <> EXCLUDED.content_hash
         RETURNING 1`,
        [ebillId, contentHash, pdf],
      );
      if (rows.length) return pdf;
      const row = await db('ebill_pdfs').where({ ebill_id: ebillId, content_hash: contentHash }).first('pdf');
      return row ? Buffer.from(row.pdf as Uint8Array) : pdf;
    },

    /** The public check: all three numbers must match; nothing identifies the person beyond the bill. */
    async verify(billCode: string, billNo: string, checkCode: string) {
      const row = await db('ebills')
        .where({ bill_code: billCode, bill_no: billNo, check_code: checkCode })
        .first('kind', 'bill_code as billCode', 'bill_no as billNo', 'check_code as checkCode', 'issued_on as issuedOn', 'payer_name as payerName', 'total', 'unit_name as unitName');
      return row ? { ...row, issuedOn: dateString(row.issuedOn), total: dec(row.total) } as {
        kind: EbillKind; billCode: string; billNo: string; checkCode: string; issuedOn: string; payerName: string; total: Decimal; unitName: string;
      } : undefined;
    },
  };
}

export type EbillsRepo = ReturnType<typeof ebillsRepo>;
