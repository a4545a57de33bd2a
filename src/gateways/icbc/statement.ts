// 工银e支付 daily statement file (对账文件), as finance receives it from ICBC and uploads it on the
// console's 对账 page.
//
// ICBC's open-platform SDK has no statement API for e-pay / aggregatepay B2C online: the SDK ICBC
// hands to merchants (kept as jian1098/icbc-sdk, src/example/) has consumption, orderqry,
// merrefund and refundqry for this family and nothing that returns a statement. ICBC delivers
// the merchant's daily file through its bank file service / merchant portal, and its layout is
// not public. The layout read here is therefore OURS TO CONFIRM with the school's ICBC branch
// (docs/channels.md, ICBC, says what to ask); it is kept in this one file so that adapting it to
// the real file is a change here and in the sandbox's writer only:
//
//   #工银e支付对账单|商户编号:<mer_id>|对账日期:<yyyyMMdd>
//   商户订单号|工行订单号|交易时间|交易类型|交易金额|手续费
//   <out_trade_no>|<order_id or refund serial>|yyyy-MM-dd HH:mm:ss|消费|249.99|0.00
//   <out_trade_no>|<intrx_serial_no>|yyyy-MM-dd HH:mm:ss|退货|100.00|0.00
//   #合计|笔数:<n>|消费金额:<yuan>|退货金额:<yuan>
//
// Text in UTF-8 (a BOM is allowed) or GBK/GB18030, CRLF or LF line ends; `|` separates fields;
// amounts are yuan with exactly two decimals (bank files state yuan, unlike the API's fen).
// Columns are found by their header name, not their position, so that a real file with more
// columns, or in another order, still reads; a file whose title names another merchant or
// another day, an unknown 交易类型, a malformed amount or a total that does not add up is
// refused whole: reconciliation never runs over half a file.
import { decodeCsvBytes } from '../../domain/csv';
import { Decimal } from '../../domain/money';
import { parseShanghai } from '../common/crypto';
import { ChannelError, type Statement, type StatementLine } from '../types';

export const STATEMENT_TITLE = '#工银e支付对账单';
const HEADER = ['商户订单号', '工行订单号', '交易时间', '交易类型', '交易金额', '手续费'] as const;
const YUAN = /^(0|[1-9]\d{0,13})\.\d{2}$/;
const KIND: Record<string, StatementLine['kind']> = { 消费: 'payment', 退货: 'refund' };

export interface StatementRow {
  orderNo: string;
  icbcNo: string;
  at: Date;
  kind: StatementLine['kind'];
  /** yuan, two decimals */
  amount: string;
  fee: string;
}

const bad = (why: string) => new ChannelError(`工银e支付对账文件格式不符：${why}`);

/** Reads the file for `day` (YYYY-MM-DD) of merchant `merId`; throws a ChannelError saying what is wrong. */
export function parseIcbcStatement(bytes: Uint8Array, day: string, merId: string): Statement {
  const raw = decodeCsvBytes(bytes);
  const lines = raw.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const title = lines.shift() ?? '';
  const t = title.split('|');
  if (t[0] !== STATEMENT_TITLE) throw bad(`第一行应以“${STATEMENT_TITLE}”开头`);
  const mer = t.find((x) => x.startsWith('商户编号:'))?.slice(5);
  const date = t.find((x) => x.startsWith('对账日期:'))?.slice(5);
  if (mer !== merId) throw bad(`商户编号 ${mer ?? '无'} 不是本校商户 ${merId}`);
  if (date !== day.replace(/-/g, '')) throw bad(`对账日期 ${date ?? '无'} 与所选日期 ${day} 不符`);

  const header = (lines.shift() ?? '').split('|').map((h) => h.trim());
  const col = Object.fromEntries(HEADER.map((h) => [h, header.indexOf(h)])) as Record<(typeof HEADER)[number], number>;
  const missing = HEADER.filter((h) => col[h] < 0);
  if (missing.length) throw bad(`缺少列 ${missing.join('、')}`);

  const out: StatementLine[] = [];
  let summary: string[] | null = null;
  for (const [i, l] of lines.entries()) {
    if (l.startsWith('#')) {
      summary = l.split('|');
      continue;
    }
    if (summary) throw bad(`合计行之后还有明细（第 ${i + 3} 行）`);
    const f = l.split('|').map((x) => x.trim());
    const get = (h: (typeof HEADER)[number]) => f[col[h]] ?? '';
    const at = parseShanghai(get('交易时间'));
    const kind = KIND[get('交易类型')];
    const where = `第 ${i + 3} 行`;
    if (!get('商户订单号') || !get('工行订单号')) throw bad(`${where}缺少订单号`);
    if (!at) throw bad(`${where}交易时间 ${get('交易时间')} 无效`);
    if (!kind) throw bad(`${where}交易类型 ${get('交易类型')} 无法识别（应为 消费 或 退货）`);
    if (!YUAN.test(get('交易金额')) || !YUAN.test(get('手续费'))) throw bad(`${where}金额应为两位小数的元`);
    out.push({
      channelOrderId: get('商户订单号'), orderNo: get('商户订单号'), channelTradeNo: get('工行订单号'),
      amount: new Decimal(get('交易金额')), fee: new Decimal(get('手续费')), paidAt: at, kind,
    });
  }
  if (!summary) throw bad('缺少合计行');
  const num = (k: string) => summary!.find((x) => x.startsWith(`${k}:`))?.slice(k.length + 1) ?? '';
  const total = (kind: StatementLine['kind']) => out.filter((x) => x.kind === kind).reduce((s, x) => s.plus(x.amount), new Decimal(0));
  if (num('笔数') !== String(out.length)) throw bad(`合计笔数 ${num('笔数')} 与明细 ${out.length} 笔不符`);
  if (!YUAN.test(num('消费金额')) || !new Decimal(num('消费金额')).eq(total('payment'))) throw bad('合计消费金额与明细不符');
  if (!YUAN.test(num('退货金额')) || !new Decimal(num('退货金额')).eq(total('refund'))) throw bad('合计退货金额与明细不符');
  return { raw, lines: out };
}

/** The same layout written (the sandbox serves it; tests build files with it). */
export function writeIcbcStatement(day: string, merId: string, rows: StatementRow[]): string {
  const fmt = (d: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(d);
  const sum = (k: StatementLine['kind']) => rows.filter((r) => r.kind === k).reduce((s, r) => s.plus(r.amount), new Decimal(0)).toFixed(2);
  return [
    `${STATEMENT_TITLE}|商户编号:${merId}|对账日期:${day.replace(/-/g, '')}`,
    HEADER.join('|'),
    ...rows.map((r) => [r.orderNo, r.icbcNo, fmt(r.at), r.kind === 'payment' ? '消费' : '退货', r.amount, r.fee].join('|')),
    `#合计|笔数:${rows.length}|消费金额:${sum('payment')}|退货金额:${sum('refund')}`,
  ].join('\r\n') + '\r\n';
}
