// The Alipay trade bill as it arrives: `<PID>0156_<day>.csv.zip` holding
// `<PID>0156_<day>_业务明细.csv` and `…_业务明细(汇总).csv`, the names in GBK with the zip's
// UTF-8 flag (general purpose bit 11) clear, the contents GBK, `#` title/footer lines around the
// 业务明细 table, every data value followed by a tab. The archive is built here byte by byte (not
// with our own writer), so the reader is checked against the layout, not against itself.
import iconv from 'iconv-lite';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money';
import { DETAIL_HEADER, buildAlipayStatement, parseAlipayStatement } from '../../src/gateways/alipay/statement';
import { readZip } from '../../src/gateways/common/zip';

/** A zip as Windows' archivers write it for code page 936: names in GBK, bit 11 clear. */
function zipOf(files: { name: Buffer; data: Buffer; flags?: number }[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const packed = deflateRawSync(f.data);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(f.flags ?? 0, 6);
    h.writeUInt16LE(8, 8);
    h.writeUInt32LE(crc32(f.data), 14);
    h.writeUInt32LE(packed.length, 18);
    h.writeUInt32LE(f.data.length, 22);
    h.writeUInt16LE(f.name.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(f.flags ?? 0, 8);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(crc32(f.data), 16);
    c.writeUInt32LE(packed.length, 20);
    c.writeUInt32LE(f.data.length, 24);
    c.writeUInt16LE(f.name.length, 28);
    c.writeUInt32LE(offset, 42);
    parts.push(h, f.name, packed);
    central.push(c, f.name);
    offset += 30 + f.name.length + packed.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

const PID = '2088621000000620';
const row = (v: string[]) => v.map((x) => `${x}\t`).join(',');
const empty = (n: number) => Array.from({ length: n }, () => '');
const DETAIL = [
  '#支付宝业务明细查询',
  `#账号：[${PID}0156]`,
  '#起始日期：[2026年11月27日 00:00:00]   终止日期：[2026年11月28日 00:00:00]',
  '#-----------------------------------------业务明细列表----------------------------------------',
  DETAIL_HEADER.join(','),
  row(['2026112722001400001000000001', 'XF261127LUT000001', '交易', '兰州理工大学 2026年度 学费', '2026-11-27 09:59:12', '2026-11-27 10:00:30', ...empty(4), 'san***@example.com', '9099.95', '9099.95', '0.00', '0.00', '0.00', '0.00', '0.00', '', '0.00', '0.00', '', '0.00', '0.00', '']),
  row(['2026112722001400001000000002', 'XF261127LUT000002', '交易', '兰州理工大学 2026年度 住宿费', '2026-11-27 11:00:00', '2026-11-27 11:00:59', ...empty(4), 'li***@example.com', '0.01', '0.01', '0.00', '0.00', '0.00', '0.00', '0.00', '', '0.00', '0.00', '', '0.00', '0.00', '']),
  row(['2026112722001400001000000003', 'XF261127LUT000003', '交易', '兰州理工大学 医疗保险', '2026-11-27 12:00:00', '2026-11-27 12:01:00', ...empty(4), 'wang***@example.com', '99999999.99', '99999999.99', '0.00', '0.00', '0.00', '0.00', '0.00', '', '0.00', '0.00', '', '0.00', '0.00', '']),
  row(['2026112722001400001000000001', 'XF261127LUT000001', '退款', '兰州理工大学 2026年度 学费', '2026-11-27 09:59:12', '2026-11-27 15:20:00', ...empty(4), 'san***@example.com', '9099.95', '-249.99', '0.00', '0.00', '0.00', '0.00', '0.00', '', '0.00', '0.00', 'TF20261127000001', '0.00', '0.00', '']),
  '#-----------------------------------------业务明细列表结束------------------------------------',
  '#交易合计：3笔，商家实收共100009099.95元，商家优惠共0.00元',
  '#退款合计：1笔，商家实收退款共-249.99元，商家优惠退款0.00元',
  '#导出时间：[2026年11月28日 10:12:30]',
].join('\r\n');
const SUMMARY = ['#支付宝业务汇总查询', `#账号：[${PID}0156]`, '门店编号,门店名称,交易订单总笔数,退款订单总笔数', '合计,,3,1', '#导出时间：[2026年11月28日 10:12:30]'].join('\r\n');

const gbk = (s: string) => iconv.encode(s, 'gbk');
const ARCHIVE = zipOf([
  { name: gbk(`${PID}0156_20261127_业务明细(汇总).csv`), data: gbk(SUMMARY) },
  { name: gbk(`${PID}0156_20261127_业务明细.csv`), data: gbk(DETAIL) },
]);

describe('the Alipay bill archive as Alipay delivers it', () => {
  it('readZip reads GBK names without the UTF-8 flag, UTF-8 names with it, and ASCII names either way', () => {
    expect(readZip(ARCHIVE).map((f) => f.name)).toEqual([`${PID}0156_20261127_业务明细(汇总).csv`, `${PID}0156_20261127_业务明细.csv`]);
    const utf8 = zipOf([{ name: Buffer.from('账单.csv', 'utf8'), data: Buffer.from('x'), flags: 0x0800 }, { name: Buffer.from('INN26112701ZM_898000000000001', 'ascii'), data: Buffer.from('y') }]);
    expect(readZip(utf8).map((f) => [f.name, f.data.toString()])).toEqual([['账单.csv', 'x'], ['INN26112701ZM_898000000000001', 'y']]);
  });

  it('the parser picks the 业务明细 file (not the 汇总), skips the # lines and reads payments and refunds to the fen', () => {
    const st = parseAlipayStatement(ARCHIVE);
    expect(st.raw).toContain('#支付宝业务明细查询');
    expect(st.lines.map((l) => [l.kind, l.orderNo, l.channelTradeNo, l.amount.toFixed(2), l.fee.toFixed(2), l.paidAt.toISOString()])).toEqual([
      ['payment', 'XF261127LUT000001', '2026112722001400001000000001', '9099.95', '0.00', '2026-11-27T02:00:30.000Z'],
      ['payment', 'XF261127LUT000002', '2026112722001400001000000002', '0.01', '0.00', '2026-11-27T03:00:59.000Z'],
      ['payment', 'XF261127LUT000003', '2026112722001400001000000003', '99999999.99', '0.00', '2026-11-27T04:01:00.000Z'],
      ['refund', 'XF261127LUT000001', '2026112722001400001000000001', '249.99', '0.00', '2026-11-27T07:20:00.000Z'],
    ]);
    // The totals of the footer, to the fen.
    const sum = (k: string) => st.lines.filter((l) => l.kind === k).reduce((s, l) => s.plus(l.amount), new Decimal(0)).toFixed(2);
    expect(sum('payment')).toBe('100009099.95');
    expect(sum('refund')).toBe('249.99');
  });

  it('an archive without a 业务明细 file is an error, not an empty day', () => {
    expect(() => parseAlipayStatement(zipOf([{ name: gbk(`${PID}0156_20261127_业务明细(汇总).csv`), data: gbk(SUMMARY) }]))).toThrow(/no 业务明细 file/);
  });

  it('the sandbox builds its archive the same way: GBK names, bit 11 clear, GBK content', () => {
    const zip = buildAlipayStatement(PID, '2026-11-27', [{ tradeNo: '2026112722001400001000000009', orderNo: 'XF9', kind: '交易', subject: '学费', createdAt: '2026-11-27 10:00:00', finishedAt: '2026-11-27 10:00:01', buyer: 'a***@b.c', amount: '249.99', received: '249.99', refundNo: '', fee: '0.00' }], '2026-11-28 10:00:00');
    // First local header: flags at offset 6, the name after the 30-byte header.
    expect(zip.readUInt16LE(6) & 0x0800).toBe(0);
    const name = zip.subarray(30, 30 + zip.readUInt16LE(26));
    expect(name.equals(gbk(`${PID}0156_20261127_业务明细.csv`))).toBe(true);
    expect(parseAlipayStatement(zip).lines.map((l) => l.amount.toFixed(2))).toEqual(['249.99']);
  });
});
