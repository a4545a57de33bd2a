// A bill as a PDF laid out like the printed form: title, numbers, the item grid, 合计 in capitals
// and figures, 执收单位 with its seal, 备注, 经办人, and a QR code to the public verification page.
// The CJK font is embedded; pdfkit subsets it to the glyphs used, so a bill stays small and its
// text stays extractable (pdftotext).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { LABELS } from './labels';
import type { BillView } from './view';

const require = createRequire(import.meta.url);
/** fontkit's font, as pdfkit takes it in place of the file's bytes (registerFont's src). */
type ParsedFont = { layout: (text: string) => unknown };
let parsed: ParsedFont | undefined;

/**
 * Noto Sans SC Regular, read and parsed once per process (per PDF worker). Given the bytes,
 * pdfkit parsed the 10 MB font anew for every bill (node_modules/pdfkit/js/pdfkit.js,
 * PDFFontFactory.open: fontkit.create(src)), and decoding its tables and glyph metrics was about
 * a third of drawing one; given a font it already has (`typeof src.layout === 'function'`) it
 * keeps fontkit's decoded tables and glyphs across bills. Each document still makes its own
 * subset (EmbeddedFont: font.createSubset()), so the bytes of a bill do not change. fontkit is
 * required as pdfkit requires it, so both use the one copy.
 */
function cjkFont(): ParsedFont {
  parsed ??= (require('fontkit') as { create(b: Buffer): ParsedFont }).create(
    readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf')),
  );
  return parsed;
}

/** Raise when the drawing below changes: PDFs kept in ebill_pdfs are then drawn anew. */
export const PDF_LAYOUT = 1;

const RED = '#c0392b';
const INK = '#1a1a1a';
const LINE = '#8a4b2d'; // the brown-red of printed bill forms

// A5 landscape: the size of a printed receipt.
const PAGE = { width: 595.28, height: 419.53 };
const M = 28;
const W = PAGE.width - 2 * M;
const COLS = [88, 190, 42, 42, 84, W - 88 - 190 - 42 - 42 - 84]; // 项目编码 项目名称 单位 数量 标准 金额
const ROW = 22;
const MIN_ROWS = 6;

export async function renderBillPdf(b: BillView): Promise<Buffer> {
  const doc = new PDFDocument({
    size: [PAGE.width, PAGE.height],
    margin: M,
    info: { Title: `${b.title} ${b.billCode}-${b.billNo}`, Author: b.unitName, Subject: b.title },
    autoFirstPage: true,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // @types/pdfkit knows only paths and bytes for src; pdfkit 0.20 also takes a fontkit font.
  doc.registerFont('cjk', cjkFont() as unknown as Buffer);
  doc.font('cjk').fillColor(INK);

  // QR code, top left, drawn as vector modules so it prints sharp at any size.
  const qrSize = 58;
  drawQr(doc, b.verifyUrl, M, M - 10, qrSize);

  // Numbers, a block at the top right.
  const infoW = 132;
  const infoX = PAGE.width - M - infoW;
  doc.fontSize(8.5).fillColor(INK);
  let y = M - 8;
  for (const [k, v] of [[LABELS.billCode, b.billCode], [LABELS.billNo, b.billNo], [LABELS.checkCode, b.checkCode]] as const) {
    doc.text(`${k}：${v}`, infoX, y, { width: infoW, lineBreak: false });
    y += 13;
  }

  // Title between the QR code and the numbers, with the double rule printed bills have under it.
  const titleX = M + qrSize + 10;
  const titleW = infoX - 10 - titleX;
  doc.fontSize(16).text(b.title, titleX, M + 2, { width: titleW, align: 'center', lineBreak: false });
  const ruleW = Math.min(doc.widthOfString(b.title) + 16, titleW);
  const rx = titleX + (titleW - ruleW) / 2;
  doc.lineWidth(0.8).strokeColor(LINE);
  doc.moveTo(rx, M + 26).lineTo(rx + ruleW, M + 26).stroke();
  doc.moveTo(rx, M + 29).lineTo(rx + ruleW, M + 29).stroke();

  // 缴款人 and 开票日期 on the line above the grid, clear of the QR code.
  let top = M + qrSize - 2;
  doc.fontSize(9.5);
  doc.text(`${LABELS.payer}：${b.payerName}${b.payerNumber ? `（${b.payerNumber}）` : ''}`, M, top, { width: W / 2 });
  doc.text(`${LABELS.issuedOn}：${b.issuedOn}`, M + W / 2, top, { width: W / 2, align: 'right' });
  top += 17;

  // The grid.
  const x = colX();
  doc.lineWidth(0.7).strokeColor(LINE);
  const rows = Math.max(MIN_ROWS, b.lines.length);
  const gridBottom = top + ROW * (rows + 1);
  cellRow(doc, LABELS.columns, x, top, 'center', true);
  b.lines.forEach((l, i) => cellRow(doc, [l.code, l.name, l.unit, l.quantity, l.standard, l.amount], x, top + ROW * (i + 1), 'data'));
  for (let i = 0; i <= rows + 1; i++) hline(doc, M, M + W, top + ROW * i);
  for (const cx of [...x, M + W]) vline(doc, cx, top, gridBottom);

  // 合计: capitals across the middle columns, figures under 金额.
  const totalTop = gridBottom;
  doc.fontSize(9.5).fillColor(INK);
  doc.text(LABELS.total, x[0]!, totalTop + 6, { width: COLS[0]!, align: 'center' });
  doc.text(`（大写）${b.totalCapital}`, x[1]! + 6, totalTop + 6, { width: x[5]! - x[1]! - 12 });
  doc.text(`¥：${b.totalFigure}`, x[5]! + 4, totalTop + 6, { width: COLS[5]! - 8, align: 'right' });
  hline(doc, M, M + W, totalTop + ROW);
  for (const cx of [M, x[1]!, x[5]!, M + W]) vline(doc, cx, totalTop, totalTop + ROW);

  // 执收单位 (with the seal) and 备注, side by side.
  const unitTop = totalTop + ROW;
  const unitH = 78;
  const mid = x[3]!;
  doc.text(LABELS.unit, x[0]!, unitTop + unitH / 2 - 7, { width: COLS[0]!, align: 'center' });
  doc.text(`${LABELS.unitName}：${b.unitName}`, x[1]! + 6, unitTop + 8, { width: mid - x[1]! - 12 });
  doc.text(`${LABELS.seal}：`, x[1]! + 6, unitTop + 40);
  drawSeal(doc, x[1]! + 120, unitTop + unitH / 2, 31, b.unitName, b.seal);
  // save/restore keeps the graphics state only: the seal's small type must be undone by hand.
  doc.fontSize(9.5).fillColor(INK).text(`${LABELS.remark}：${b.remark}`, mid + 6, unitTop + 8, { width: M + W - mid - 12 });
  doc.fillColor('#666').fontSize(8).text(`收费单号：${b.receiptNo}`, mid + 6, unitTop + unitH - 18, { width: M + W - mid - 12 });
  hline(doc, M, M + W, unitTop + unitH);
  for (const cx of [M, x[1]!, mid, M + W]) vline(doc, cx, unitTop, unitTop + unitH);

  // Footer: 经办人, and what the QR code is for.
  const footY = unitTop + unitH + 8;
  doc.fillColor(INK).fontSize(9.5).text(`${LABELS.handler}：${b.handler}`, M, footY, { width: W / 2 });
  doc.fillColor('#666').fontSize(7.5).text('扫描左上角二维码可查验本票据真伪', M + W / 2, footY + 1, { width: W / 2, align: 'right' });

  doc.end();
  return done;
}

type Doc = PDFKit.PDFDocument;

function colX(): number[] {
  const out: number[] = [];
  let acc = M;
  for (const w of COLS) {
    out.push(acc);
    acc += w;
  }
  return out;
}

function hline(doc: Doc, x1: number, x2: number, y: number) {
  doc.moveTo(x1, y).lineTo(x2, y).strokeColor(LINE).stroke();
}

function vline(doc: Doc, x: number, y1: number, y2: number) {
  doc.moveTo(x, y1).lineTo(x, y2).strokeColor(LINE).stroke();
}

function cellRow(doc: Doc, cells: readonly string[], x: number[], y: number, mode: 'center' | 'data', header = false) {
  doc.fontSize(header ? 9.5 : 9).fillColor(INK);
  cells.forEach((c, i) => {
    // Numbers right, names left, short columns centred — as the printed form.
    const align = mode === 'center' ? 'center' : i === 1 ? 'left' : i >= 4 ? 'right' : 'center';
    doc.text(c, x[i]! + 4, y + 6, { width: COLS[i]! - 8, align, lineBreak: false, ellipsis: true });
  });
}

function drawQr(doc: Doc, text: string, x: number, y: number, size: number) {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const cell = size / n;
  doc.save().fillColor('#000');
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.modules.get(r, c)) doc.rect(x + c * cell, y + r * cell, cell + 0.05, cell + 0.05);
    }
  }
  doc.fill().restore();
}

/** A round red seal: the unit's name along the upper arc, a star, the seal's purpose below. */
function drawSeal(doc: Doc, cx: number, cy: number, r: number, name: string, purpose: string) {
  doc.save();
  doc.lineWidth(1.6).strokeColor(RED).fillColor(RED).opacity(0.85);
  doc.circle(cx, cy, r).stroke();
  star(doc, cx, cy - 2, 7.5);
  const chars = [...name];
  const span = Math.min(220, chars.length * 30); // degrees of arc the name takes
  doc.fontSize(7.5);
  chars.forEach((ch, i) => {
    const deg = -90 - span / 2 + (span * (i + 0.5)) / chars.length;
    const rad = (deg * Math.PI) / 180;
    const px = cx + (r - 9) * Math.cos(rad);
    const py = cy + (r - 9) * Math.sin(rad);
    doc.save().rotate(deg + 90, { origin: [px, py] }).text(ch, px - 4, py - 5, { width: 8, align: 'center', lineBreak: false }).restore();
  });
  doc.fontSize(6).text(purpose, cx - r, cy + 9, { width: 2 * r, align: 'center', lineBreak: false });
  doc.restore();
}

function star(doc: Doc, cx: number, cy: number, r: number) {
  const pts: [number, number][] = [];
  for (let i = 0; i < 10; i++) {
    const rad = (Math.PI / 5) * i - Math.PI / 2;
    const rr = i % 2 === 0 ? r : r * 0.4;
    pts.push([cx + rr * Math.cos(rad), cy + rr * Math.sin(rad)]);
  }
  doc.polygon(...pts).fill();
}
