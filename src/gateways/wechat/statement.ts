// WeChat Pay's trade bill (交易账单, /v3/bill/tradebill, bill_type ALL), laid out as WeChat
// delivers it; the layout is copied from the real bill kept in wechatpay-axios-plugin's test
// suite (TheNorthMemory/wechatpay-axios-plugin tests/fixtures/bill.ALL.csv, commit a29ee06) and
// read the way its Formatter.castCsvBill / castCsvLine (lib/formatter.js) read it:
//  - UTF-8 with a BOM, CRLF line ends, a CRLF after the last line;
//  - the header line, plain names separated by ",";
//  - one line per payment (交易状态 SUCCESS) or refund (REFUND), every field prefixed by a
//    back-quote (so spreadsheets keep long numbers as text): fields are separated by ",`", not
//    by ",", so a comma inside 商品名称 stays in its field;
//  - the summary header (总交易单数,应结订单总金额,…) plain, and its summary line back-quoted,
//    written as WeChat writes it ("45.0", "0.47", "0.0").
// Amounts are yuan with two decimals (手续费 with five). Payment lines carry 应结订单金额 and
// 订单金额, 微信退款单号/商户退款单号 "0", 退款金额 0.00; refund lines carry 应结订单金额 0.00, the
// refund in 退款金额 and 申请退款金额, 退款类型 ORIGINAL and 退款状态 SUCCESS. The download answer
// carries the file's SHA1, checked before use; the summary line is checked against the lines.
import { createHash } from 'node:crypto';
import { Decimal } from '../../domain/money';
import { parseShanghai } from '../common/crypto';
import { ChannelError, type Statement, type StatementLine } from '../types';

export const HEADER = ['交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行', '货币种类', '应结订单金额', '代金券金额', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型', '退款状态', '商品名称', '商户数据包', '手续费', '费率', '订单金额', '申请退款金额', '费率备注'];
export const SUMMARY_HEADER = ['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额'];

export interface WechatBillRow {
  time: string; appId: string; mchId: string; transactionId: string; orderNo: string; openId: string; state: 'SUCCESS' | 'REFUND';
  amount: string; refundId: string; refundNo: string; refund: string; subject: string; fee: string;
  /** 交易类型: NATIVE (QR), MWEB (H5), JSAPI; NATIVE when not given. */
  tradeType?: string;
}

/** One back-quoted data line. A value cannot hold the separator ",`" or a line end: WeChat's own format has no escape for them. */
const bq = (vals: string[]) => vals.map((v) => `\`${v.replace(/`/g, "'").replace(/[\r\n]/g, ' ')}`).join(',');

/** The summary line's numbers as the real bill writes them: 45.0, 0.47, 0.0. */
const summaryNumber = (d: Decimal) => (d.isInteger() ? d.toFixed(1) : d.toString());

export function buildWechatBill(rows: WechatBillRow[]): Buffer {
  const sum = (f: (r: WechatBillRow) => string) => rows.reduce((s, r) => s.plus(f(r) || '0'), new Decimal(0));
  const pay = (r: WechatBillRow) => r.state === 'SUCCESS';
  const lines = [
    HEADER.join(','),
    ...rows.map((r) => bq([r.time, r.appId, r.mchId, '0', '', r.transactionId, r.orderNo, r.openId, r.tradeType ?? 'NATIVE', r.state, 'OTHERS', 'CNY',
      pay(r) ? r.amount : '0.00', '0.00', pay(r) ? '0' : r.refundId, pay(r) ? '0' : r.refundNo, pay(r) ? '0.00' : r.refund, '0.00', pay(r) ? '' : 'ORIGINAL', pay(r) ? '' : 'SUCCESS',
      r.subject, '', r.fee, '0.60%', pay(r) ? r.amount : '0.00', pay(r) ? '0.00' : r.refund, ''])),
    SUMMARY_HEADER.join(','),
    bq([`${rows.length}.0`, ...[
      sum((r) => (pay(r) ? r.amount : '0')), sum((r) => (pay(r) ? '0' : r.refund)), new Decimal(0), sum((r) => r.fee),
      sum((r) => (pay(r) ? r.amount : '0')), sum((r) => (pay(r) ? '0' : r.refund)),
    ].map(summaryNumber)]),
    '',
  ];
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n'), 'utf8')]);
}

export const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

/** A back-quoted line's fields: the first back-quote dropped, then split on ",`" (castCsvLine). */
export function bqFields(line: string): string[] | null {
  if (!line.startsWith('`')) return null;
  return line.slice(1).split(',`');
}

const AMOUNT = /^\d+\.\d{2}$/;
const FEE = /^\d+\.\d{2,6}$/;

export function parseWechatBill(file: Buffer, expectedSha1: string): Statement {
  if (sha1(file).toLowerCase() !== expectedSha1.toLowerCase()) throw new ChannelError('wechat bill: SHA1 does not match the announced hash', true);
  let text = file.toString('utf8');
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const rows = text.split(/\r?\n/);
  while (rows.length && rows.at(-1) === '') rows.pop();
  const bad = (why: string) => new ChannelError(`wechat bill: ${why}`, true);
  const header = (rows.shift() ?? '').split(',').map((h) => h.replace(/^`/, ''));
  const idx = (n: string) => {
    const i = header.indexOf(n);
    if (i < 0) throw bad(`no column ${n}`);
    return i;
  };
  const col = {
    time: idx('交易时间'), transactionId: idx('微信订单号'), orderNo: idx('商户订单号'), state: idx('交易状态'), settle: idx('应结订单金额'),
    refund: idx('退款金额'), fee: idx('手续费'),
  };
  const summaryAt = rows.findIndex((r) => r.replace(/^`/, '').startsWith(SUMMARY_HEADER[0]!));
  if (summaryAt < 0 || summaryAt + 2 !== rows.length) throw bad('no summary (总交易单数) at the end');
  const summaryHead = rows[summaryAt]!.split(',').map((h) => h.replace(/^`/, ''));
  const summary = bqFields(rows[summaryAt + 1]!);
  if (!summary || summary.length !== summaryHead.length) throw bad('unreadable summary line');
  const total = (n: string) => {
    const v = summary[summaryHead.indexOf(n)];
    if (v === undefined || !/^\d+(\.\d+)?$/.test(v)) throw bad(`summary has no ${n}`);
    return new Decimal(v);
  };
  let settled = new Decimal(0);
  let refunded = new Decimal(0);
  const lines: StatementLine[] = rows.slice(0, summaryAt).map((row) => {
    const v = bqFields(row);
    if (!v || v.length !== header.length) throw bad(`malformed line ${row.slice(0, 80)}`);
    const paidAt = parseShanghai(v[col.time]!);
    const state = v[col.state];
    if (state !== 'SUCCESS' && state !== 'REFUND') throw bad(`unknown 交易状态 ${String(state)}`);
    const refund = state === 'REFUND';
    const amount = refund ? v[col.refund]! : v[col.settle]!;
    const fee = v[col.fee] || '0.00';
    if (!paidAt || !AMOUNT.test(amount) || !FEE.test(fee)) throw bad(`malformed line ${row.slice(0, 80)}`);
    if (refund) refunded = refunded.plus(amount);
    else settled = settled.plus(amount);
    return {
      channelOrderId: v[col.orderNo]!, orderNo: v[col.orderNo]!, channelTradeNo: v[col.transactionId]!, amount: new Decimal(amount),
      fee: new Decimal(fee), paidAt, kind: refund ? 'refund' : 'payment',
    };
  });
  // The summary must describe these very lines: a cut or doubled file is not reconciled.
  if (!total('总交易单数').eq(lines.length) || !total('应结订单总金额').eq(settled) || !total('退款总金额').eq(refunded)) {
    throw bad('the summary line does not match the lines');
  }
  return { raw: text, lines };
}
