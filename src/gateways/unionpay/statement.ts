// 全渠道商户对账文件, as fileTransfer (txnType 76, fileType 00) delivers it:
//  - fileContent = base64 of a zlib-deflated zip (AcpService.deCodeFileContent: base64Decode, then
//    SDKUtil.inflater = java.util.zip.Inflater(false), i.e. zlib, then written to fileName; the
//    demo then unzips it: pengjianbo3478/gyf-unionpay-acp-sdk,
//    src/main/java/com/unionpay/acp/sdk/AcpService.java and SDKUtil.java);
//  - inside, the ZM file (一般交易明细, name containing "ZM_") and the ZME file (差错, "ZME_"); the
//    ACP demo picks them by `file.indexOf("ZM_")` (Xuchengen/demo-pay, commit
//    f77631f3e2c289a1cdfd03c2f870ec1ba366aa4b, src/main/java/com/unionpay/acp/demo/DemoBase.java
//    parseZMFile / parseFile, and Form_6_6_FileTransfer.java: txnType 76, txnSubType 01, bizType
//    000000, fileType 00, settleDate MMDD, posted to acpsdk.fileTransUrl);
//  - a ZM line is GBK, fixed width, the fields separated by one byte: the demo's widths
//    {3,11,11,6,10,19,12,4,2,21,2,32,2,6,10,13,13,4,15,2,2,6,2,4,32,1,21,15,1,15,32,13,13,8,32,13,13,12,2,1,32,98}
//    (DemoBase.parseZMFile, "参照《全渠道平台接入接口规范 第3部分 文件接口》6.1 ZM文件"), read as bytes
//    then decoded (parseFile reads ISO-8859-1 and slices bytes, "文件是gbk编码").
// Field meanings (numbers 1-based, as the 文件接口 spec lists them; copied in several public
// reconciliation parsers): 1 交易代码, 4 系统跟踪号 traceNo, 5 交易传输时间 MMDDhhmmss, 7 交易金额
// (n12, fen, left-padded with 0), 10 查询流水号 queryId, 12 商户订单号 orderId, 16 商户手续费 (X+n12:
// C/D then 12 digits), 17 结算金额 (X+n12), 20 交易类型 txnType (01 消费, 04 退货, 31 消费撤销),
// 27 原交易查询流水号 origQryId, 28 商户代码 merId, 41 原始交易订单号 (set on 退货/撤销).
// Not public in the SDK and to be confirmed with UnionPay: the spec's 注1-注5 (交易代码 values, the
// C/D sign convention of 商户手续费). We take the fee as its magnitude and the kind from 交易类型.
import { inflateSync } from 'node:zlib';
import { fromFen } from '../../domain/money';
import { parseShanghai } from '../common/crypto';
import { readZip } from '../common/zip';
import type { StatementLine } from '../types';

export const ZM_WIDTHS = [3, 11, 11, 6, 10, 19, 12, 4, 2, 21, 2, 32, 2, 6, 10, 13, 13, 4, 15, 2, 2, 6, 2, 4, 32, 1, 21, 15, 1, 15, 32, 13, 13, 8, 32, 13, 13, 12, 2, 1, 32, 98] as const;
export const ZM_LINE_BYTES = ZM_WIDTHS.reduce((a, b) => a + b, 0) + ZM_WIDTHS.length - 1;

/** 0-based field positions in a ZM line. */
export const ZM = { txnCode: 0, traceNo: 3, transTime: 4, accNo: 5, txnAmt: 6, queryId: 9, orderId: 11, fee: 15, settleAmt: 16, txnType: 19, txnSubType: 20, bizType: 21, origQryId: 26, merId: 27, origOrderId: 40 } as const;

const gbk = new TextDecoder('gbk', { fatal: true });

export function splitZmLine(line: Buffer): string[] {
  if (line.length < ZM_LINE_BYTES - ZM_WIDTHS[ZM_WIDTHS.length - 1]!) throw new Error(`ZM line of ${line.length} bytes`);
  const out: string[] = [];
  let at = 0;
  for (const w of ZM_WIDTHS) {
    out.push(gbk.decode(line.subarray(at, Math.min(at + w, line.length))).trim());
    at += w + 1;
  }
  return out;
}

const signed = (s: string) => {
  const m = /^([CD])(\d{12})$/.exec(s);
  if (!m) throw new Error(`not an X+n12 amount: ${s}`);
  return fromFen(BigInt(m[2]!).toString());
};

/** MMDDhhmmss of the settle day `day` (yyyy-mm-dd): the year is the settle day's, or the one before across New Year. */
function transTime(mmddhhmmss: string, day: string): Date | null {
  if (!/^\d{10}$/.test(mmddhhmmss)) return null;
  let year = Number(day.slice(0, 4));
  if (mmddhhmmss.slice(0, 2) === '12' && day.slice(5, 7) === '01') year -= 1;
  return parseShanghai(`${year}${mmddhhmmss}`);
}

export function parseZmFile(data: Buffer, day: string): StatementLine[] {
  const lines: StatementLine[] = [];
  let start = 0;
  for (let i = 0; i <= data.length; i++) {
    if (i < data.length && data[i] !== 0x0a) continue;
    let line = data.subarray(start, i);
    start = i + 1;
    if (line.length && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    if (!line.length) continue;
    const f = splitZmLine(line);
    const amt = f[ZM.txnAmt]!;
    const at = transTime(f[ZM.transTime]!, day);
    if (!/^\d{12}$/.test(amt) || !at || !f[ZM.queryId] || !f[ZM.orderId]) throw new Error(`malformed ZM line: ${line.toString('latin1').slice(0, 80)}`);
    const amount = fromFen(BigInt(amt).toString());
    const fee = signed(f[ZM.fee]!);
    const txnType = f[ZM.txnType]!;
    if (txnType === '01') {
      lines.push({ channelOrderId: f[ZM.orderId]!, orderNo: f[ZM.orderId]!, channelTradeNo: f[ZM.queryId]!, amount, fee, paidAt: at, kind: 'payment' });
    } else if (txnType === '04' || txnType === '31') {
      // 退货 / 消费撤销: the payment it returns is named by 原始交易订单号.
      const orig = f[ZM.origOrderId] || f[ZM.orderId]!;
      lines.push({ channelOrderId: orig, orderNo: orig, channelTradeNo: f[ZM.queryId]!, amount, fee, paidAt: at, kind: 'refund' });
    } else {
      throw new Error(`ZM line of txnType ${txnType} not understood`);
    }
  }
  return lines;
}

/** fileContent → the ZM lines of every ZM_ file inside (the ZME 差错 file is not a payment list). */
export function parseFileContent(fileContent: string, day: string): { names: string[]; lines: StatementLine[] } {
  const zip = inflateSync(Buffer.from(fileContent, 'base64'));
  const entries = readZip(zip);
  const lines: StatementLine[] = [];
  for (const e of entries) if (/ZM_/.test(e.name) && !/ZME_/.test(e.name)) lines.push(...parseZmFile(e.data, day));
  return { names: entries.map((e) => e.name), lines };
}

/**
 * One ZM line as UnionPay writes it (the sandbox's side): numbers left-padded with 0 where the
 * spec says n (交易金额 左补零), everything else right-padded with spaces; ASCII values only.
 */
export function formatZmLine(values: Partial<Record<number, string>>): Buffer {
  const numeric = new Set<number>([ZM.txnAmt]);
  const parts = ZM_WIDTHS.map((w, i) => {
    const v = values[i] ?? '';
    if (v.length > w || /[^\x20-\x7e]/.test(v)) throw new Error(`ZM field ${i + 1}: ${v}`);
    return numeric.has(i) ? v.padStart(w, '0') : v.padEnd(w, ' ');
  });
  return Buffer.from(parts.join(' '), 'latin1');
}
