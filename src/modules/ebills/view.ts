// What a bill shows, computed once for the HTML page and the PDF alike.
import QRCode from 'qrcode';
import { capitalAmount } from '../../domain/capital-amount';
import { formatMoney, plainMoney } from '../../domain/money';
import { billTitle, sealText, verifyPath } from './labels';
import type { Ebill } from './repo';

export interface BillView extends Pick<Ebill, 'kind' | 'billCode' | 'billNo' | 'checkCode' | 'issuedOn' | 'payerName' | 'payerNumber' | 'receiptNo' | 'lines'> {
  title: string;
  totalFigure: string; // 0.01 (¥: in front)
  totalCapital: string; // 壹分
  unitName: string;
  seal: string;
  remark: string;
  handler: string;
  verifyUrl: string;
  pdfPath: string;
}

export function toBillView(e: Ebill, o: { schoolName: string; publicUrl: string }): BillView {
  return {
    kind: e.kind,
    title: billTitle(e.kind, o.schoolName),
    billCode: e.billCode,
    billNo: e.billNo,
    checkCode: e.checkCode,
    issuedOn: e.issuedOn,
    payerName: e.payerName,
    payerNumber: e.payerNumber,
    receiptNo: e.receiptNo,
    lines: e.lines.map((l) => ({ ...l, standard: plainMoney(l.standard), amount: plainMoney(l.amount) })),
    totalFigure: formatMoney(e.total),
    totalCapital: capitalAmount(e.total),
    unitName: e.unitName,
    seal: sealText(e.kind),
    remark: e.remark,
    handler: e.handler,
    verifyUrl: `${o.publicUrl}${verifyPath(e)}`,
    pdfPath: `/transactions/ebills/${encodeURIComponent(e.billCode)}/${encodeURIComponent(e.billNo)}/pdf`,
  };
}

/** The QR code as inline SVG markup for the HTML page (no script, no style attribute: CSP-safe). */
export function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
}
