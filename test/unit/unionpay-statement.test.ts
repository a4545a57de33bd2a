// The 全渠道商户对账文件 as fileTransfer delivers it: fileContent = base64(zlib(zip)) holding
// INN<yymmdd>88ZM_<merId> (GBK, fixed width, one byte between fields; widths of the ACP demo's
// DemoBase.parseZMFile) and a ZME file. Built here byte for byte, parsed exact to the fen.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeZip } from '../../src/gateways/common/zip';
import { ZM, ZM_LINE_BYTES, ZM_WIDTHS, formatZmLine, parseFileContent, splitZmLine } from '../../src/gateways/unionpay/statement';
import { Decimal } from '../../src/domain/money';

const MER = '777290058110048';
const base = { [ZM.txnCode]: 'S22', [ZM.merId]: MER, [ZM.fee]: 'D000000000012', [ZM.bizType]: '000201', [ZM.accNo]: '6216261000000000018' };
const pay = (orderId: string, queryId: string, fen: string, time: string) =>
  formatZmLine({ ...base, [ZM.transTime]: time, [ZM.txnAmt]: fen, [ZM.queryId]: queryId, [ZM.orderId]: orderId, [ZM.txnType]: '01', [ZM.txnSubType]: '01', [ZM.settleAmt]: `C${fen.padStart(12, '0')}` });

/** A line whose 二级商户简称 (field 31) is 学费 in GBK (D1 A7 B7 D1): 4 bytes, not 2 characters. */
function withGbkName(line: Buffer): Buffer {
  const at = ZM_WIDTHS.slice(0, 30).reduce((a, w) => a + w + 1, 0);
  const out = Buffer.from(line);
  Buffer.from([0xd1, 0xa7, 0xb7, 0xd1]).copy(out, at);
  return out;
}

describe('UnionPay INN…ZM statement', () => {
  it('a line is the sum of the widths plus one separator each', () => {
    expect(pay('XF1', 'Q1', '1', '1202103000').length).toBe(ZM_LINE_BYTES);
    expect(splitZmLine(withGbkName(pay('XF1', 'Q1', '1', '1202103000')))[30]).toBe('学费');
  });

  it('payments and a refund come back to the fen, the refund under its original order', () => {
    const refund = formatZmLine({
      ...base, [ZM.txnCode]: 'S30', [ZM.transTime]: '1202154501', [ZM.txnAmt]: '909994', [ZM.queryId]: '512212021545010000001', [ZM.orderId]: 'TF2612020000000001',
      [ZM.txnType]: '04', [ZM.txnSubType]: '00', [ZM.origQryId]: '512212021030000000001', [ZM.origOrderId]: 'XF261202LUT000001', [ZM.settleAmt]: 'D000000909994',
    });
    const zm = Buffer.concat([withGbkName(pay('XF261202LUT000001', '512212021030000000001', '909995', '1202103000')), Buffer.from('\r\n'),
      pay('XF261202LUT000002', '512212021031000000002', '9999999999', '1202103100'), Buffer.from('\r\n'), refund, Buffer.from('\r\n')]);
    const fileContent = deflateSync(writeZip([{ name: `INN26120288ZM_${MER}`, data: zm }, { name: `INN26120288ZME_${MER}`, data: Buffer.alloc(0) }])).toString('base64');
    const { names, lines } = parseFileContent(fileContent, '2026-12-02');
    expect(names).toEqual([`INN26120288ZM_${MER}`, `INN26120288ZME_${MER}`]);
    expect(lines.map((l) => [l.kind, l.orderNo, l.channelTradeNo, l.amount.toFixed(2), l.fee.toFixed(2)])).toEqual([
      ['payment', 'XF261202LUT000001', '512212021030000000001', '9099.95', '0.12'],
      ['payment', 'XF261202LUT000002', '512212021031000000002', '99999999.99', '0.12'],
      ['refund', 'XF261202LUT000001', '512212021545010000001', '9099.94', '0.12'],
    ]);
    expect(lines[0]!.paidAt.toISOString()).toBe('2026-12-02T02:30:00.000Z');
    const paid = lines.filter((l) => l.kind === 'payment').reduce((a, l) => a.plus(l.amount), new Decimal(0));
    expect(paid.toFixed(2)).toBe('100009099.94');
  });

  it('the 1 January file dates a 31 December transaction in the year before', () => {
    const fc = deflateSync(writeZip([{ name: `INN27010188ZM_${MER}`, data: pay('XF1', 'Q1', '1', '1231235959') }])).toString('base64');
    expect(parseFileContent(fc, '2027-01-01').lines[0]!.paidAt.toISOString()).toBe('2026-12-31T15:59:59.000Z');
  });

  it('a broken line or an unknown txnType is refused, never skipped', () => {
    const short = deflateSync(writeZip([{ name: `INN26120288ZM_${MER}`, data: Buffer.from('S22 0000') }])).toString('base64');
    expect(() => parseFileContent(short, '2026-12-02')).toThrow();
    const odd = formatZmLine({ ...base, [ZM.transTime]: '1202103000', [ZM.txnAmt]: '1', [ZM.queryId]: 'Q', [ZM.orderId]: 'X', [ZM.txnType]: '02' });
    expect(() => parseFileContent(deflateSync(writeZip([{ name: `INN26120288ZM_${MER}`, data: odd }])).toString('base64'), '2026-12-02')).toThrow(/txnType 02/);
  });
});
