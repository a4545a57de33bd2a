// 中国工商银行 工银e支付 (PC) through ICBC's API open platform: the signed form the browser
// posts to the e-pay page (图22), the notification to our URL (answered in ICBC's signed JSON
// dialect), order query, refund (merrefund V1) and refund query (refundqry V1). Wire format:
// ./codec.ts; statements: ./statement.ts (a file finance uploads, ICBC has no statement API).
//
// Field names follow the SDK's examples (jian1098/icbc-sdk src/example/
// CardbusinessAggregatepayB2cOnlineMerrefundV1Test.php, …RefundqryV1Test.php, …OrderqryV1Test.php).
// Chosen where ICBC publishes nothing (kept identical in the sandbox; the school confirms them
// with its ICBC branch, see docs/channels.md, ICBC):
//  - notification biz_content: read as real ICBC notifications carry it (two published ones:
//    test/unit/vectors/icbc-notification.test.ts): return_code ("0" paid, else failed), msg_id,
//    out_trade_no, order_id, total_amt (fen), pay_time (yyyyMMddHHmmss), mer_id, card_no …;
//    e-pay's own field list is not public beyond these;
//  - query answer: {return_code, return_msg, msg_id, pay_status: "0" paid / "1" failed-or-closed
//    / "2" unpaid-or-processing, out_trade_no, order_id, total_amt, pay_time}; return_code
//    96111 = no such order;
//  - refundqry answer when no refund is known under that outtrx_serial_no: return_code 96333;
//  - close: e-pay has no close API. An unpaid attempt stays payable at ICBC until the
//    expire_time we send, so close() never reports "closed" before then (see close()).
import { fromFen, toFen } from '../../domain/money';
import { channelFetch, compactDateTime, dashedDateTime, encodeForm, lazyPems, nonce, parseFormStrict, parseShanghai } from '../common/crypto';
import { handleNotification, type NotificationSpec } from '../common/notification';
import { pastGrace } from '../common/expiry';
import {
  ChannelError,
  type ChannelAdapter, type ChannelAnswer, type ChannelOrder, type CloseResult, type CreatedPayment, type PaidEvent,
  type QueryResult, type RefundQueryResult, type RefundResult, type Statement,
} from '../types';
import { API, FEN, GATEWAY_SIGN_TYPE, returnCode, sign, signedNotifyAnswer, verify, verifyAnswer, type Fields, type SignType } from './codec';
import { parseIcbcStatement } from './statement';

export interface IcbcConfig {
  /** Gateway base, e.g. https://gw.open.icbc.com.cn */
  url: string;
  appId: string;
  /** 商户编号 and 协议编号 as ICBC assigns them. */
  merId: string;
  merPrtclNo: string;
  privateKeyFile: string;
  icbcPublicKeyFile: string;
  /** The sign_type the app registered on the open platform: what our requests and notify answers carry. */
  signType: SignType;
  /**
   * The path of the notify URL we give ICBC (PUBLIC_URL + our notify route): what ICBC signs a
   * notification over, whatever path a proxy in front of us forwards it on.
   */
  notifyPath: string;
  timeoutMs?: number;
}

export const NOT_FOUND = 96111;
export const REFUND_NOT_FOUND = 96333;
/** 交易币种 of merrefund as the SDK example sends it (…MerrefundV1Test.php: "trnsc_ccy"=>"1"). */
export const TRNSC_CCY_CNY = '1';

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
    app_id: cfg.appId, msg_id: nonce(16), format: 'json', charset: 'UTF-8', sign_type: cfg.signType, timestamp: dashedDateTime(new Date()), biz_content: JSON.stringify(biz),
  });

  /** One API call; the answer's signature checked as DefaultIcbcClient checks it (codec.verifyAnswer). */
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
    const code = returnCode(b);
    if (code === NOT_FOUND) return { status: 'not_found' };
    if (code !== 0) throw new ChannelError(`icbc query: ${String(b.return_code)} ${String(b.return_msg ?? '')}`, true);
    if (b.out_trade_no !== order.orderNo) throw new ChannelError('icbc query: answer is for another order', true);
    if (b.pay_status === '0') {
      const event = paidEvent(b);
      if (!event) throw new ChannelError('icbc query: paid without payment details', true);
      return { status: 'paid', event };
    }
    // pay_status 1 is a failed try (a declined card): the signed form stays payable until its
    // expire_time, so it is only closed once that (and the clock grace) has passed.
    return { status: pastGrace(order.expiresAt) ? 'closed' : 'unpaid' };
  }

  /** A notification as posted: the form and its biz_content, unverified. */
  type Note = { f: Fields; biz: Record<string, unknown> };
  /** The merchant's answer in ICBC's dialect: signed with our key, echoing ICBC's msg_id. */
  const notifyAnswer = (d: Note | null, code: number, msg: string): ChannelAnswer => ({
    status: 200, contentType: 'application/json; charset=utf-8',
    body: signedNotifyAnswer({ return_code: code, return_msg: msg, msg_id: typeof d?.biz.msg_id === 'string' ? d.biz.msg_id : '' }, keys().privateKey, cfg.signType),
  });
  const notificationSpec: NotificationSpec<Note, Note> = {
    decode(raw) {
      const f = parseFormStrict(raw.rawBody);
      if (!f?.biz_content) return null;
      const biz = JSON.parse(f.biz_content) as unknown;
      return biz && typeof biz === 'object' ? { f, biz: biz as Record<string, unknown> } : null;
    },
    claimedOrderNo: (d) => d.biz.out_trade_no,
    // Signed over the path of the notify URL we registered (what ICBC requested), not the path
    // this request arrived on: a proxy may have stripped or added a prefix.
    verify: (d) => (verify(cfg.notifyPath, d.f, keys().icbcKey, GATEWAY_SIGN_TYPE) ? { ok: true, fields: d } : { ok: false, reason: 'signature' }),
    merchant: ({ f, biz }) => f.app_id === cfg.appId && biz.mer_id === cfg.merId,
    status: ({ biz }) => (returnCode(biz) !== 0 || (biz.pay_status !== undefined && biz.pay_status !== '0') ? 'unsupported' : 'paid'),
    amount: { unit: 'fen', of: ({ biz }) => biz.total_amt },
    paid: ({ biz }) => paidEvent(biz),
    ack: (_f, d) => notifyAnswer(d, 0, 'success'),
    nack(why, d) {
      if (why === 'signature') return notifyAnswer(d, -12345, 'icbc sign not pass.');
      // ICBC's own word that the payment failed (return_code ≠ 0): nothing to credit, but it is
      // ICBC's message, received, so it is acknowledged rather than notified again and again.
      if (why === 'unsupported' && d && returnCode(d.biz) !== 0) return notifyAnswer(d, 0, 'success');
      return notifyAnswer(d, -1, 'fail');
    },
    // Our key unreadable: no signed answer can be built, and ICBC must retry once we are fixed.
    fallbackNack: { status: 500, contentType: 'text/plain', body: 'keys unavailable' },
  };

  return {
    id: 'icbc',
    alwaysClosable: false,
    statementByUpload: true,

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

    parseNotification: (raw) => handleNotification(notificationSpec, raw),

    query,

    /**
     * ICBC e-pay has no close: the signed form the payer holds stays payable at ICBC until the
     * expire_time we sent. So: paid if ICBC says paid; closed only once its expiry and the clock
     * grace have passed (a failed try, pay_status 1, leaves the form payable); otherwise still
     * open until then (an order ICBC has not seen yet is open too: the payer's browser may still
     * post the form).
     */
    async close(order): Promise<CloseResult> {
      // e-pay has no close: an unpaid (or not yet posted) order stays payable until expire_time.
      const q = await query(order);
      if (q.status === 'paid') return { status: 'paid', event: q.event };
      if ((q.status === 'closed' || q.status === 'not_found') && pastGrace(order.expiresAt)) return { status: 'closed' };
      return { status: 'open', until: order.expiresAt };
    },

    /**
     * merrefund V1 (…MerrefundV1Test.php): outtrx_serial_no our refund number (the same number
     * again is the same refund), ret_total_amt in fen, trnsc_ccy. A negative return_code is a
     * system error whose outcome is unknown: thrown as uncertain, so the refund is asked about
     * (refundqry) under the same number before anything is sent again.
     */
    async refund(order, amount, refundNo): Promise<RefundResult> {
      const fen = toFen(amount).toString();
      const b = await call(API.refund, {
        mer_id: cfg.merId, outtrx_serial_no: refundNo, out_trade_no: order.orderNo, ret_total_amt: fen, trnsc_ccy: TRNSC_CCY_CNY, icbc_appid: cfg.appId, mer_prtcl_no: cfg.merPrtclNo,
      });
      const code = returnCode(b);
      if (code === null || code < 0) throw new ChannelError(`icbc refund: system error ${String(b.return_code)} ${String(b.return_msg ?? '')}`.trim(), true);
      if (code > 0) return { status: 'failed', reason: `${code} ${String(b.return_msg ?? '')}`.trim() };
      if (b.outtrx_serial_no !== undefined && b.outtrx_serial_no !== refundNo) throw new ChannelError('icbc refund: answer is for another refund', true);
      if (b.reject_amt !== undefined && b.reject_amt !== fen) throw new ChannelError(`icbc refund: refunded ${String(b.reject_amt)} fen, asked ${fen}`, true);
      return { status: 'succeeded', channelRefundNo: typeof b.intrx_serial_no === 'string' && b.intrx_serial_no ? b.intrx_serial_no : refundNo };
    },

    /** refundqry V1 (…RefundqryV1Test.php): by outtrx_serial_no; pay_status 0 done, 1 failed, 2 unknown. */
    async queryRefund(order, ref): Promise<RefundQueryResult> {
      const b = await call(API.refundQuery, { mer_id: cfg.merId, out_trade_no: order.orderNo, outtrx_serial_no: ref.refundNo });
      const code = returnCode(b);
      if (code === REFUND_NOT_FOUND || code === NOT_FOUND) return { status: 'not_found' };
      if (code !== 0) throw new ChannelError(`icbc refund query: ${String(b.return_code)} ${String(b.return_msg ?? '')}`, true);
      if (b.outtrx_serial_no !== ref.refundNo) throw new ChannelError('icbc refund query: answer is for another refund', true);
      if (b.pay_status === '2') return { status: 'pending' };
      if (b.pay_status !== '0') return { status: 'failed', reason: `pay_status ${String(b.pay_status)}` };
      if (typeof b.reject_amt !== 'string' || !FEN.test(b.reject_amt)) throw new ChannelError('icbc refund query: refunded without an amount', true);
      return { status: 'succeeded', channelRefundNo: typeof b.intrx_serial_no === 'string' && b.intrx_serial_no ? b.intrx_serial_no : ref.refundNo, amount: fromFen(b.reject_amt) };
    },

    /** ICBC publishes no statement API for e-pay: the day's file comes from ICBC's file service and is uploaded. */
    downloadStatement(): Promise<Statement> {
      return Promise.reject(new ChannelError('工银e支付对账单由工行文件服务下发，请在管理控制台“对账”页上传当日对账文件'));
    },

    parseStatement: (day, file) => parseIcbcStatement(file, day, cfg.merId),
  };
}
