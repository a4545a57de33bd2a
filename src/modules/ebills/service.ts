// 票据查询 (图28), one bill, its PDF, and the public check the QR code leads to.
import { maskName } from '../../domain/mask';
import { formatMoney } from '../../domain/money';
import { notFound } from '../../http/errors';
import { RECEIPT_NO } from '../receipts/schemas';
import { renderBillPdf } from './pdf';
import type { EbillsRepo } from './repo';
import { qrSvg, toBillView, type BillView } from './view';

const NUMBER = /^[0-9A-Za-z]{1,16}$/;

export interface EbillsDeps {
  repo: EbillsRepo;
  schoolName: string;
  publicUrl: string;
}

export function ebillsService(deps: EbillsDeps) {
  const { repo } = deps;
  const view = (e: Parameters<typeof toBillView>[0]) => toBillView(e, deps);
  const withQr = async (b: BillView) => ({ ...b, qr: await qrSvg(b.verifyUrl) });

  const mine = async (personId: number, billCode: string, billNo: string) => {
    const e = NUMBER.test(billCode) && NUMBER.test(billNo) ? await repo.byNumber(personId, billCode, billNo) : undefined;
    if (!e) throw notFound('未找到该票据');
    return view(e);
  };

  return {
    /** 电子票据查询 for one of the person's receipts: 缴费人, 缴费日期, 共N张 and each bill. */
    async ofReceipt(personId: number, receiptNo: string) {
      const found = RECEIPT_NO.test(receiptNo) ? await repo.ofReceipt(personId, receiptNo) : undefined;
      if (!found) throw notFound('未找到该收费单');
      const bills = await Promise.all(found.bills.map((e) => withQr(view(e))));
      return { receipt: found.receipt, bills };
    },

    async one(personId: number, billCode: string, billNo: string) {
      return withQr(await mine(personId, billCode, billNo));
    },

    async pdf(personId: number, billCode: string, billNo: string) {
      const b = await mine(personId, billCode, billNo);
      return { filename: `ebill-${b.billCode}-${b.billNo}.pdf`, body: await renderBillPdf(b) };
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
