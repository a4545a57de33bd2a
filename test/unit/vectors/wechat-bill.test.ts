// The WeChat Pay trade bill (bill_type ALL) as WeChat delivers it. The sample is the real bill
// kept in wechatpay-axios-plugin's test suite, copied byte for byte:
// TheNorthMemory/wechatpay-axios-plugin tests/fixtures/bill.ALL.csv (commit a29ee06; 45 lines,
// 14 of them refunds; BOM, CRLF, plain header, back-quoted fields, 总交易单数 summary "45.0").
// The sandbox's bill is checked against the same SDK's reader (Formatter.castCsvBill).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money';
import { buildWechatBill, parseWechatBill, sha1, type WechatBillRow } from '../../../src/gateways/wechat/statement';

// Only the SDK's Formatter: its index loads the whole axios client (ten times the time).
const Formatter = createRequire(import.meta.url)('wechatpay-axios-plugin/lib/formatter') as { castCsvBill(b: Buffer): { rows: Record<string, string>[]; summary: Record<string, string> } };
const SAMPLE = readFileSync(path.join(import.meta.dirname, 'fixtures/wechatpay-axios-plugin-bill.ALL.csv'));
const sum = (xs: Decimal[]) => xs.reduce((a, b) => a.plus(b), new Decimal(0)).toFixed(2);

describe('the real bill from wechatpay-axios-plugin tests/fixtures/bill.ALL.csv', () => {
  it('is read line by line: 45 lines, 31 payments and 14 refunds, totals as its summary says (0.47 / 0.14)', () => {
    expect(SAMPLE.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(SAMPLE.toString('utf8')).toContain('\r\n');
    const st = parseWechatBill(SAMPLE, sha1(SAMPLE));
    expect(st.lines).toHaveLength(45);
    const pays = st.lines.filter((l) => l.kind === 'payment');
    const refunds = st.lines.filter((l) => l.kind === 'refund');
    expect([pays.length, refunds.length]).toEqual([31, 14]);
    expect(sum(pays.map((l) => l.amount))).toBe('0.47');
    expect(sum(refunds.map((l) => l.amount))).toBe('0.14');
    expect(refunds[0]).toMatchObject({ orderNo: 'autotest_20190216081946_82335', channelTradeNo: '4200000263201902167700134212' });
    expect(refunds[0]!.amount.toFixed(2)).toBe('0.01');
    expect(refunds[0]!.paidAt.toISOString()).toBe('2019-02-18T21:01:46.000Z');
    // Our reading agrees with the SDK's own reader of the same file.
    const sdk = Formatter.castCsvBill(SAMPLE);
    expect(sdk.rows.map((r) => r['商户订单号'])).toEqual(st.lines.map((l) => l.orderNo));
  });

  it('a tampered copy is refused: a hash that does not match, a cut line, a changed summary or amount', () => {
    expect(() => parseWechatBill(SAMPLE, sha1(Buffer.from('x')))).toThrow(/SHA1/);
    const text = SAMPLE.toString('utf8');
    const lines = text.split('\r\n');
    const cut = Buffer.from([...lines.slice(0, 5), ...lines.slice(6)].join('\r\n'), 'utf8');
    expect(() => parseWechatBill(cut, sha1(cut))).toThrow(/summary/);
    const summary = Buffer.from(text.replace('`45.0,`0.47', '`45.0,`0.48'), 'utf8');
    expect(() => parseWechatBill(summary, sha1(summary))).toThrow(/summary/);
    const amount = Buffer.from(text.replace('`CNY,`0.01,`0.00,`0,`0,', '`CNY,`0.02,`0.00,`0,`0,'), 'utf8');
    expect(amount.equals(SAMPLE)).toBe(false);
    expect(() => parseWechatBill(amount, sha1(amount))).toThrow(/summary/);
    const split = Buffer.from(text.replace(',`', ','), 'utf8');
    expect(() => parseWechatBill(split, sha1(split))).toThrow(/malformed/);
  });
});

describe('the sandbox bill, built in the same layout', () => {
  const row = (o: Partial<WechatBillRow>): WechatBillRow => ({
    time: '2026-12-01 10:00:00', appId: 'wx0000000000000001', mchId: '1900000001', transactionId: '4200000000202612010000000001', orderNo: 'XF261201LUT000001',
    openId: 'oSandbox0000000000000000000', state: 'SUCCESS', amount: '9099.95', refundId: '', refundNo: '', refund: '', subject: '兰州理工大学 学费,住宿费（2026）', fee: '0.00000', ...o,
  });
  const rows = [
    row({}),
    row({ orderNo: 'XF261201LUT000002', transactionId: '4200000000202612010000000002', amount: '0.01', subject: '医疗保险,大病统筹,代收' }),
    row({ time: '2026-12-01 11:00:00', state: 'REFUND', refundId: '50300000000000000001', refundNo: 'RF0001', refund: '100.00' }),
  ];
  const file = buildWechatBill(rows);

  it('has the BOM, CRLF, the plain header, back-quoted lines and the summary written as WeChat writes it', () => {
    expect(file.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = file.subarray(3).toString('utf8').split('\r\n');
    expect(lines[0]!.startsWith('交易时间,公众账号ID,商户号,')).toBe(true);
    expect(lines.slice(1, 4).every((l) => l.startsWith('`'))).toBe(true);
    expect(lines[4]).toBe('总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额');
    expect(lines[5]).toBe('`3.0,`9099.96,`100.0,`0.0,`0.0,`9099.96,`100.0');
    expect(lines[6]).toBe('');
  });

  it('keeps the commas in 商品名称, for our parser and for the SDK\'s reader, to the cent', () => {
    const st = parseWechatBill(file, sha1(file));
    expect(st.lines.map((l) => [l.kind, l.orderNo, l.amount.toFixed(2)])).toEqual([
      ['payment', 'XF261201LUT000001', '9099.95'], ['payment', 'XF261201LUT000002', '0.01'], ['refund', 'XF261201LUT000001', '100.00'],
    ]);
    const sdk = Formatter.castCsvBill(file);
    expect(sdk.rows.map((r) => r['商品名称'])).toEqual(['兰州理工大学 学费,住宿费（2026）', '医疗保险,大病统筹,代收', '兰州理工大学 学费,住宿费（2026）']);
    expect(sdk.rows.map((r) => r['应结订单金额'])).toEqual(['9099.95', '0.01', '0.00']);
    expect(sdk.rows[2]!['退款金额']).toBe('100.00');
    expect(sdk.summary['总交易单数']).toBe('3.0');
  });
});
