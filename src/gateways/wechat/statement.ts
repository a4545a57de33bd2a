// WeChat Pay's trade bill (交易账单, /v3/bill/tradebill, bill_type ALL): UTF-8 CSV with a BOM;
// a header row, one row per trade/refund where every value is prefixed by a back-quote (so Excel
// keeps long numbers as text), then the summary header and the summary row, prefixed the same
// way. Amounts in this file are yuan with two decimals (fee with five). The download answer
// carries the SHA1 of the file, checked before use. Layout matches wechatpay-axios-plugin's
// Formatter.castCsvBill reader.
import { createHash } from 'node:crypto';
import { Decimal } from '../../domain/money';
import { parseShanghai } from '../common/crypto';
import { ChannelError, type Statement, type StatementLine } from '../types';

export const HEADER = ['交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态', '付款银行', '货币种类', '应结订单金额', '代金券金额', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型', '退款状态', '商品名称', '商户数据包', '手续费', '费率', '订单金额', '申请退款金额', '费率备注'];
export const SUMMARY_HEADER = ['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额'];

export interface WechatBillRow {
  time: string; appId: string; mchId: string; transactionId: string; orderNo: string; openId: string; state: 'SUCCESS' | 'REFUND';
  amount: string; refundId: string; refundNo: string; refund: string; subject: string; fee: string;
}

const bq = (vals: string[]) => vals.map((v) => `\`${v.replace(/[,`\r\n]/g, ' ')}`).join(',');

export function buildWechatBill(rows: WechatBillRow[]): Buffer {
  const sum = (f: (r: WechatBillRow) => string) => rows.reduce((s, r) => s.plus(f(r)), new Decimal(0));
  const lines = [
    HEADER.join(','),
    ...rows.map((r) => bq([r.time, r.appId, r.mchId, '0', '', r.transactionId, r.orderNo, r.openId, 'NATIVE', r.state, 'OTHERS', 'CNY',
      r.state === 'SUCCESS' ? r.amount : '0.00', '0.00', r.refundId || '0', r.refundNo || '0', r.refund || '0.00', '0.00', r.refundId ? 'ORIGINAL' : '', r.refundId ? 'SUCCESS' : '',
      r.subject, '', r.fee, '0.60%', r.amount, r.refund || '0.00', ''])),
    SUMMARY_HEADER.join(','),
    bq([String(rows.length), sum((r) => (r.state === 'SUCCESS' ? r.amount : '0')).toFixed(2), sum((r) => r.refund || '0').toFixed(2), '0.00', sum((r) => r.fee).toFixed(5), sum((r) => r.amount).toFixed(2), sum((r) => r.refund || '0').toFixed(2)]),
    '',
  ];
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n'), 'utf8')]);
}

export const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

export function parseWechatBill(file: Buffer, expectedSha1: string): Statement {
  if (sha1(file).toLowerCase() !== expectedSha1.toLowerCase()) throw new ChannelError('wechat bill: SHA1 does not match the announced hash', true);
  let text = file.toString('utf8');
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const rows = text.split(/\r?\n/).filter(Boolean);
  const header = rows.shift()?.split(',') ?? [];
  const summaryAt = rows.findIndex((r) => r.startsWith(SUMMARY_HEADER[0]!));
  const data = summaryAt < 0 ? rows : rows.slice(0, summaryAt);
  const idx = (n: string) => header.indexOf(n);
  const lines: StatementLine[] = data.map((row) => {
    const v = row.split(',').map((c) => (c.startsWith('`') ? c.slice(1) : c));
    const get = (n: string) => v[idx(n)] ?? '';
    const paidAt = parseShanghai(get('交易时间'));
    const refund = get('交易状态') === 'REFUND';
    const amount = refund ? get('退款金额') : get('应结订单金额');
    if (!paidAt || !/^\d+\.\d{2}$/.test(amount)) throw new ChannelError(`wechat bill: malformed row ${row.slice(0, 80)}`, true);
    return {
      channelOrderId: get('商户订单号'), orderNo: get('商户订单号'), channelTradeNo: get('微信订单号'), amount: new Decimal(amount),
      fee: new Decimal(get('手续费') || '0'), paidAt, kind: refund ? 'refund' : 'payment',
    };
  });
  return { raw: text, lines };
}
