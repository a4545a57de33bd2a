// 票据查询 (图28), one bill, its PDF, and the public check the QR code leads to.
import { maskName } from '../../domain/mask';
import { formatMoney } from '../../domain/money';
import { AppError } from '../../domain/app-error';
import { ByteLru } from '../../domain/byte-lru';
import { RECEIPT_NO } from '../receipts/schemas';
import { createHash } from 'node:crypto';
import { PDF_LAYOUT, renderBillPdf } from './pdf';
import type { EbillsRepo } from './repo';
import { qrSvg, toBillView, type BillView } from './view';

const NUMBER = /^[0-9A-Za-z]{1,16}$/;
/** Drawn PDFs kept in each instance's memory (a bill is tens of KB): a repeated download reads no bytea. */
const PDF_MEMORY_BYTES = 32 * 1024 * 1024;

export interface EbillsDeps {
  repo: EbillsRepo;
  schoolName: string;
  publicUrl: string;
  /** Where PDFs are drawn: the worker pool in the app; in-process when not given (scripts). */
  drawPdf?: (view: BillView) => Promise<Buffer>;
}

/** What the PDF is drawn from: a bill's view and the layout's version. Equal hash, equal drawing. */
export function pdfContentHash(view: BillView): string {
  return createHash('sha256').update(`${PDF_LAYOUT}\n${JSON.stringify(view)}`).digest('hex');
}

export function ebillsService(deps: EbillsDeps) {
  const { repo } = deps;
  const draw = deps.drawPdf ?? renderBillPdf;
  const drawn = new ByteLru(PDF_MEMORY_BYTES);
  const view = (e: Parameters<typeof toBillView>[0]) => toBillView(e, deps);
  const withQr = async (b: BillView) => ({ ...b, qr: await qrSvg(b.verifyUrl) });

  const own = async (personId: number, billCode: string, billNo: string) => {
    const e = NUMBER.test(billCode) && NUMBER.test(billNo) ? await repo.byNumber(personId, billCode, billNo) : undefined;
    if (!e) throw new AppError('not_found', '未找到该票据');
    return e;
  };
  const mine = async (personId: number, billCode: string, billNo: string) => view(await own(personId, billCode, billNo));

  return {
    /** 电子票据查询 for one of the person's receipts: 缴费人, 缴费日期, 共N张 and each bill. */
    async ofReceipt(personId: number, receiptNo: string) {
      const found = RECEIPT_NO.test(receiptNo) ? await repo.ofReceipt(personId, receiptNo) : undefined;
      if (!found) throw new AppError('not_found', '未找到该收费单');
      const bills = await Promise.all(found.bills.map((e) => withQr(view(e))));
      return { receipt: found.receipt, bills };
    },

    async one(personId: number, billCode: string, billNo: string) {
      return withQr(await mine(personId, billCode, billNo));
    },

    /**
     * The bill's PDF: drawn once (in the pool) and kept in ebill_pdfs, so a later download, from
     * any instance, is the same bytes and costs no drawing (and, from the same instance, no read). A bill row never changes once issued,
     * but what the PDF shows also comes from configuration (school name, public URL of the QR
     * code) and the layout; the content hash covers all of it and a change draws the PDF anew.
     */
    async pdf(personId: number, billCode: string, billNo: string) {
      const e = await own(personId, billCode, billNo);
      const b = view(e);
      const hash = pdfContentHash(b);
      // The owner was checked above on every download; only the bytes come from memory.
      const key = `${e.id}:${hash}`;
      const body = drawn.get(key) ?? (await repo.cachedPdf(e.id, hash)) ?? (await repo.storePdf(e.id, hash, await draw(b)));
      drawn.set(key, body);
      return { filename: `ebill-${b.billCode}-${b.billNo}.pdf`, body };
    },

    /**
     * The public check: confirms a bill's code, number, check code, amount, date and the payer's
     * masked name, and nothing more — no items, no person number, no receipt.
     */
    async verify(q: { code?: string; no?: string; check?: string }) {
      if (!q.code || !q.no || !q.check) return { asked: false as const };
      const valid = NUMBER.test(q.code) && NUMBER.test(q.no) && /^\d{6}$/.test(q.check);
      const found = valid ? await repo.verify(q.code, q.no, q.check) : undefined;
      if (!found) return { asked: true as const, found: false as const };
      return {
        asked: true as const,
        found: true as const,
        bill: {
          billCode: found.billCode,
          billNo: found.billNo,
          checkCode: found.checkCode,
          issuedOn: found.issuedOn,
          total: formatMoney(found.total),
          payer: maskName(found.payerName),
        },
      };
    },
  };
}

export type EbillsService = ReturnType<typeof ebillsService>;
