// 中国工商银行 工银e支付 (PC) through ICBC's API open platform: the signed form the browser
// posts to the e-pay page (图22), the notification to our URL (answered in ICBC's signed JSON
// dialect), order query, refund and a statement. Wire format: ./codec.ts.
//
// Chosen where ICBC publishes nothing (kept identical in the sandbox):
//  - notification biz_content: {return_code, return_msg, msg_id, out_trade_no, order_id,
//    total_amt (fen), pay_time (yyyyMMddHHmmss), mer_id, card_no (masked), pay_status "0"};
//  - query answer: {return_code, return_msg, msg_id, pay_status: "0" paid / "1" failed-or-closed
//    / "2" unpaid-or-processing, out_trade_no, order_id, total_amt, pay_time}; return_code
//    96111 = no such order;
//  - close: e-pay has no close for an unpaid order; it lapses at expire_time, which we send.
//    close() asks and reports paid if paid, closed otherwise;
//  - statement: see API.statement in the codec and the sandbox.
import { fromFen, toFen } from '../../domain/money';
import { channelFetch, compactDateTime, dashedDateTime, encodeForm, lazyPems, nonce, parseFormStrict, parseShanghai } from '../common/crypto';
import {
  ChannelError,
  type ChannelAdapter, type ChannelAnswer, type ChannelOrder, type CloseResult, type CreatedPayment, type PaidEvent,
  type ParsedNotification, type QueryResult, type RawNotification, type RefundQueryResult, type RefundResult, type Statement, type StatementLine,
} from '../types';
import { API, FEN, SIGN_TYPE, sign, signedNotifyAnswer, verify, verifyAnswer, type Fields } from './codec';

export interface IcbcConfig {
  /** Gateway base, e.g. https://gw.open.icbc.com.cn */
  url: string;
  appId: string;
  /** 商户编号 and 协议编号 as ICBC assigns them. */
  merId: string;
  merPrtclNo: string;
  privateKeyFile: string;
  icbcPublicKeyFile: string;
  timeoutMs?: number;
}

export const NOT_FOUND = '96111';

/**
 * 退款查询 of the aggregate-pay B2C API family (beside orderqry and merrefund). Its fields are not
 * public, chosen here and spoken by the sandbox: request {mer_id, out_trade_no, reject_no,
 * icbc_appid}; answer {return_code, return_msg, msg_id, reject_no, reject_seq, reject_amt (fen),
 * reject_status "0" done / "1" failed / "2" processing}; return_code 96333 = no refund under that
 * reject_no (it never reached ICBC, so sending it again with the same reject_no is safe).
 * Chosen over "send merrefund again and read its answer" because a query can never move money.
 */
export const REFUND_QUERY_PATH = '/api/cardbusiness/aggregatepay/b2c/online/refundqry/V1';
export const REFUND_NOT_FOUND = '96333';

function paidEvent(b: Record<string, unknown>): PaidEvent | null {
  const { out_trade_no: orderNo, order_id: icbcOrder, total_amt: amt, pay_time: payTime } = b;
  if (typeof orderNo !== 'string' || typeof icbcOrder !== 'string' || typeof amt !== 'string' || !FEN.test(amt) || typeof payTime !== 'string') return null;
  const at = parseShanghai(payTime);
  if (!at) return null;
  return { kind: 'paid', channelOrderId: orderNo, orderNo, channelTradeNo: icbcOrder, amount: fromFen(amt), paidAt: at, payMethod: '工银e支付' };
}

export function icbcAdapter(cfg: IcbcConfig, fetchImpl: typeof fetch = fetch): ChannelAdapter {
  const keys = lazyPems('icbc', { privateKey: cfg.privateKeyFile, icbcKey: cfg.icbcPublicKeyFile });

  const envelope = (biz: object): Fields => ({
    app_id: cfg.appId, msg_id: nonce(16), format: 'json', charset: 'UTF-8', sign_type: SIGN_TYPE, timestamp: dashedDateTime(new Date()), biz_content: JSON.stringify(biz),
  });

  async function call(path: string, biz: object): Promise<Record<string, unknown>> {
    const k = keys();
    const r = await channelFetch('icbc', path, `${cfg.url}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body: encodeForm(sign(path, envelope(biz), k.privateKey)), timeoutMs: cfg.timeoutMs,
    }, fetchImpl);
    const v = verifyAnswer(r.text, k.icbcKey);
    if (!v.ok) throw new ChannelError(`icbc ${path}: answer failed verification (${v.reason})`, true);
    return v.biz;
  }

  async function query(order: ChannelOrder): Promise<QueryResult> {
    const b = await call(API.query, { mer_id: cfg.merId, out_trade_no: order.orderNo, deal_flag: '0', icbc_appid: cfg.appId });
    if (String(b.return_code) === NOT_FOUND) return { status: 'not_found' };
    if (String(b.return_code) !== '0') throw new ChannelError(`icbc query: ${String(b.return_code)} ${String(b.return_msg ?? '')}`, true);
    if (b.out_trade_no !== order.orderNo) throw new ChannelError('icbc query: answer is for another order', true);
    if (b.pay_status === '0') {
      const event = paidEvent(b);
      if (!event) throw new ChannelError('icbc query: paid without payment details', true);
      return { status: 'paid', event };
    }
    return { status: b.pay_status === '1' || order.expiresAt <= new Date() ? 'closed' : 'unpaid' };
  }

  return {
    id: 'icbc',
    alwaysClosable: false,

    async createPayment(order): Promise<CreatedPayment> {
      const biz = {
        icbc_appid: cfg.appId, mer_id: cfg.merId, mer_prtcl_no: cfg.merPrtclNo, out_trade_no: order.orderNo, order_date: compactDateTime(order.createdAt),
        amount: toFen(order.total).toString(), installment_times: '1', cur_type: '001', goods_name: order.subject.slice(0, 60),
        expire_time: compactDateTime(order.expiresAt), mer_url: order.notifyUrl, return_url: order.returnUrl, notify_type: 'HS', result_type: '0',
        mer_custom_id: order.payer.number, language: 'zh_CN',
      };
      const fields = sign(API.pay, envelope(biz), keys().privateKey);
      return { action: { kind: 'form', url: `${cfg.url}${API.pay}`, method: 'POST', fields }, channelOrderId: order.orderNo };
    },

    parseNotification(raw: RawNotification): ParsedNotification {
      const f = parseFormStrict(raw.rawBody);
      let biz: Record<string, unknown> | null = null;
      try {
        biz = f?.biz_content ? (JSON.parse(f.biz_content) as Record<string, unknown>) : null;
      } catch {
        biz = null;
      }
      const claimedOrderNo = typeof biz?.out_trade_no === 'string' ? biz.out_trade_no.slice(0, 32) : null;
      let k: { privateKey: string; icbcKey: string };
      try {
        k = keys();
      } catch {
        return { verified: false, reason: 'unsupported', nack: { status: 500, contentType: 'text/plain', body: 'keys unavailable' }, claimedOrderNo };
      }
      const msgId = typeof biz?.msg_id === 'string' ? biz.msg_id : '';
      const answer = (code: number, msg: string): ChannelAnswer => ({
        status: 200, contentType: 'application/json; charset=utf-8', body: signedNotifyAnswer({ return_code: code, return_msg: msg, msg_id: msgId }, k.privateKey),
      });
      const nack = answer(-1, 'fail');
      if (!f || !biz) return { verified: false, reason: 'malformed', nack, claimedOrderNo };
      // The signed path is our notify URL's path, as ICBC requested it.
      if (!verify(raw.path.split('?')[0]!, f, k.icbcKey)) return { verified: false, reason: 'signature', nack: answer(-12345, 'icbc sign not pass.'), claimedOrderNo };
      if (f.app_id !== cfg.appId || biz.mer_id !== cfg.merId) return { verified: false, reason: 'merchant', nack, claimedOrderNo };
      if (String(biz.return_code) !== '0' || biz.pay_status !== '0') return { verified: false, reason: 'unsupported', nack, claimedOrderNo };
      const event = paidEvent(biz);
      if (!event) return { verified: false, reason: 'malformed', nack, claimedOrderNo };
      return { verified: true, event, ack: answer(0, 'success'), nack };
    },

    query,

    async close(order): Promise<CloseResult> {
      // e-pay has no close: an unpaid (or not yet posted) order stays payable until expire_time.
      const q = await query(order);
      if (q.status === 'paid') return { status: 'paid', event: q.event };
      return order.expiresAt <= new Date() ? { status: 'closed' } : { status: 'open', until: order.expiresAt };
    },

    async refund(order, amount, refundNo): Promise<RefundResult> {
      const b = await call(API.refund, { mer_id: cfg.merId, out_trade_no: order.orderNo, reject_no: refundNo, reject_amt: toFen(amount).toString(), cur_type: '001', icbc_appid: cfg.appId });
      if (String(b.return_code) === '0') return { status: 'succeeded', channelRefundNo: typeof b.reject_seq === 'string' ? b.reject_seq : refundNo };
      return { status: 'failed', reason: `${String(b.return_code)} ${String(b.return_msg ?? '')}`.trim() };
    },

    async queryRefund(order, ref): Promise<RefundQueryResult> {
      const b = await call(REFUND_QUERY_PATH, { mer_id: cfg.merId, out_trade_no: order.orderNo, reject_no: ref.refundNo, icbc_appid: cfg.appId });
      const code = String(b.return_code);
      if (code === REFUND_NOT_FOUND || code === NOT_FOUND) return { status: 'not_found' };
      if (code !== '0') throw new ChannelError(`icbc refund query: ${code} ${String(b.return_msg ?? '')}`, true);
      if (b.reject_no !== ref.refundNo) throw new ChannelError('icbc refund query: answer is for another refund', true);
      if (b.reject_status === '2') return { status: 'pending' };
      if (b.reject_status !== '0') return { status: 'failed', reason: `reject_status ${String(b.reject_status)}` };
      if (typeof b.reject_amt !== 'string' || !FEN.test(b.reject_amt)) throw new ChannelError('icbc refund query: refunded without an amount', true);
      return { status: 'succeeded', channelRefundNo: typeof b.reject_seq === 'string' ? b.reject_seq : ref.refundNo, amount: fromFen(b.reject_amt) };
    },

    /**
     * Statement (format chosen, ICBC's file service is not public): the answer's file_content is
     * base64 of a UTF-8 text with a title line starting with #, then `|`-separated rows
     * out_trade_no|order_id|pay_time|type(PAY/REFUND)|amount fen|fee fen.
     */
    async downloadStatement(day: string): Promise<Statement> {
      const b = await call(API.statement, { mer_id: cfg.merId, bill_date: day.replace(/-/g, ''), icbc_appid: cfg.appId });
      if (String(b.return_code) !== '0' || typeof b.file_content !== 'string') throw new ChannelError(`icbc statement: ${String(b.return_code)}`, true);
      const raw = Buffer.from(b.file_content, 'base64').toString('utf8');
      const lines: StatementLine[] = raw.split(/\r?\n/).filter((l) => l && !l.startsWith('#')).map((l) => {
        const [orderNo, icbcOrder, at, type, amt, fee] = l.split('|');
        const when = parseShanghai(at ?? '');
        if (!orderNo || !icbcOrder || !when || !FEN.test(amt ?? '') || !FEN.test(fee ?? '')) throw new ChannelError(`icbc statement: malformed line ${l.slice(0, 80)}`, true);
        return { channelOrderId: orderNo, orderNo, channelTradeNo: icbcOrder, amount: fromFen(amt!), fee: fromFen(fee!), paidAt: when, kind: type === 'REFUND' ? 'refund' : 'payment' };
      });
      return { raw, lines };
    },
  };
}
