// Alipay's trade statement (对账单, bill_type=trade): a zip holding two GBK CSV files, the
// detail (…_业务明细.csv) and the summary (…_业务明细(汇总).csv). Lines starting with # are
// titles, the account, the period and the closing totals; the detail's data rows have every
// value followed by a tab (Alipay pads them so Excel keeps long numbers as text). Column set of
// the detail as Alipay documents it for 账单 downloads; we read the columns by header name.
// The archive is `<PID>0156_<yyyyMMdd>.csv.zip` holding `<PID>0156_<yyyyMMdd>_业务明细.csv` and
// `…_业务明细(汇总).csv` (the account number is the PID followed by 0156), names in GBK without
// the zip's UTF-8 flag. This layout is not in an official SDK; it is what the integrations that
// read real archives record (their readers open the zip as GBK and pick the name containing
// 业务明细 but not 汇总). The school must check its first real archive against this parser.
import iconv from 'iconv-lite';
import { Decimal } from '../../domain/money';
import { parseShanghai } from '../common/crypto';
import { readZip, writeZip } from '../common/zip';
import { ChannelError, type Statement, type StatementLine } from '../types';

export const DETAIL_HEADER = [
  '支付宝交易号', '商户订单号', '业务类型', '商品名称', '创建时间', '完成时间', '门店编号', '门店名称', '操作员', '终端号', '对方账户',
  '订单金额（元）', '商家实收（元）', '支付宝红包（元）', '集分宝（元）', '支付宝优惠（元）', '商家优惠（元）', '券核销金额（元）', '券名称',
  '商家红包消费金额（元）', '卡消费金额（元）', '退款批次号/请求号', '服务费（元）', '分润（元）', '备注',
];

export interface AlipayStatementRow {
  tradeNo: string;
  orderNo: string;
  kind: '交易' | '退款';
  subject: string;
  createdAt: string;
  finishedAt: string;
  buyer: string;
  amount: string;
  received: string;
  refundNo: string;
  fee: string;
}

/** Sandbox side: the archive exactly as Alipay would serve it. */
export function buildAlipayStatement(pid: string, day: string, rows: AlipayStatementRow[], exportedAt: string): Buffer {
  const compact = day.replace(/-/g, '');
  const [y, m, d] = day.split('-');
  const next = new Date(`${day}T00:00:00+08:00`);
  next.setUTCDate(next.getUTCDate() + 1);
  const nd = next.toISOString().slice(0, 10).split('-');
  const head = [
    '#支付宝业务明细查询',
    `#账号：[${pid}0156]`,
    `#起始日期：[${y}年${m}月${d}日 00:00:00]   终止日期：[${nd[0]}年${nd[1]}月${nd[2]}日 00:00:00]`,
    '#-----------------------------------------业务明细列表----------------------------------------',
  ];
  const pay = rows.filter((r) => r.kind === '交易');
  const ref = rows.filter((r) => r.kind === '退款');
  const total = (rs: AlipayStatementRow[]) => rs.reduce((s, r) => s.plus(r.received), new Decimal(0)).toFixed(2);
  const detail = [
    ...head,
    DETAIL_HEADER.join(','),
    ...rows.map((r) => [r.tradeNo, r.orderNo, r.kind, r.subject, r.createdAt, r.finishedAt, '', '', '', '', r.buyer, r.amount, r.received, '0.00', '0.00', '0.00', '0.00', '0.00', '', '0.00', '0.00', r.refundNo, r.fee, '0.00', '']
      .map((v) => `${v.replace(/[,\r\n]/g, ' ')}\t`).join(',')),
    '#-----------------------------------------业务明细列表结束------------------------------------',
    `#交易合计：${pay.length}笔，商家实收共${total(pay)}元，商家优惠共0.00元`,
    `#退款合计：${ref.length}笔，商家实收退款共${total(ref)}元，商家优惠退款0.00元`,
    `#导出时间：[${exportedAt}]`,
  ].join('\r\n');
  const summary = [
    '#支付宝业务汇总查询',
    `#账号：[${pid}0156]`,
    head[2],
    '#-----------------------------------------业务汇总列表----------------------------------------',
    '门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）,商家实收（元）,支付宝优惠（元）,商家优惠（元）,卡消费金额（元）,服务费（元）,分润（元）,实收净额（元）',
    `合计,,${pay.length},${ref.length},${total(rows)},${total(rows)},0.00,0.00,0.00,${rows.reduce((s, r) => s.plus(r.fee), new Decimal(0)).toFixed(2)},0.00,${total(rows)}`,
    '#-----------------------------------------业务汇总列表结束------------------------------------',
    `#导出时间：[${exportedAt}]`,
  ].join('\r\n');
  return writeZip([
    { name: `${pid}0156_${compact}_业务明细.csv`, data: iconv.encode(detail, 'gbk') },
    { name: `${pid}0156_${compact}_业务明细(汇总).csv`, data: iconv.encode(summary, 'gbk') },
  ], { names: 'gbk' });
}

/** Adapter side: the detail file's rows as statement lines; `raw` keeps the decoded detail text. */
export function parseAlipayStatement(zip: Buffer): Statement {
  let files: { name: string; data: Buffer }[];
  try {
    files = readZip(zip);
  } catch (e) {
    throw new ChannelError(`alipay statement: ${(e as Error).message}`, true);
  }
  const detail = files.find((f) => /业务明细\.csv$/.test(f.name) && !f.name.includes('汇总'));
  if (!detail) throw new ChannelError('alipay statement: no 业务明细 file in the archive', true);
  const text = iconv.decode(detail.data, 'gbk');
  const rows = text.split(/\r?\n/).filter((l) => l && !l.startsWith('#'));
  const header = rows.shift()?.split(',').map((h) => h.trim()) ?? [];
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new ChannelError(`alipay statement: no column ${name}`, true);
    return i;
  };
  const [cTrade, cOrder, cKind, cDone, cReceived, cFee] = ['支付宝交易号', '商户订单号', '业务类型', '完成时间', '商家实收（元）', '服务费（元）'].map(col) as [number, number, number, number, number, number];
  const lines: StatementLine[] = rows.map((row) => {
    const v = row.split(',').map((x) => x.trim());
    const amount = v[cReceived] ?? '';
    const paidAt = parseShanghai(v[cDone] ?? '');
    if (!/^-?\d+\.\d{2}$/.test(amount) || !paidAt || !v[cOrder]) throw new ChannelError(`alipay statement: malformed row ${row.slice(0, 80)}`, true);
    return {
      channelOrderId: v[cOrder]!, orderNo: v[cOrder]!, channelTradeNo: v[cTrade]!, amount: new Decimal(amount).abs(), fee: new Decimal(v[cFee] || '0').abs(),
      paidAt, kind: v[cKind] === '退款' ? 'refund' : 'payment',
    };
  });
  return { raw: text, lines };
}
