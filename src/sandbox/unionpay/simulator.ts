// 银联在线支付 (online gateway 全渠道 5.1.0, signMethod 01), simulated — the other side of
// src/gateways/unionpay: frontTransReq.do receives the merchant's signed front form the browser
// auto-posts and shows the bank page in the style of 图22 (订单信息; 手机号码 and 卡(账)号后六位,
// 下一步; then 确认支付 / 取消支付); back notifications (signed form posts) to backUrl,
// repeated until the merchant answers HTTP 200; queryTrans.do (origRespCode), backTransReq.do
// (refund, txnType 04) answering in the ACP `k=v&k=v` format, and fileTransfer (txnType 76) on
// its own file-download host path (/filedownload/). Every answer and notification is signed with
// the sandbox's UnionPay signing certificate and carries it as signPubKeyCert (./pki.ts: root →
// middle → signing, issued at first start); the control fault `rotate_key` switches to a new
// signing certificate (new serial, same chain) mid-run. Merchant requests must be signed with the
// merchant .pfx's key and carry its serial as certId.
//
// Chosen here, not public (or not confirmed):
//  - the back-notification retry schedule: at once, then 1m, 2m, 4m, 8m, 16m (UnionPay documents
//    that it re-sends while the answer is not HTTP 200, not its exact intervals);
//  - the front notification: the real gateway auto-posts signed fields to frontUrl; the
//    platform's return page is a GET, so here the paid page links back to frontUrl instead;
//  - an order the payer never submitted card details for answers queryTrans with respCode 34
//    (查无此交易), as does an order only known after a reordered (held) payment; once card details
//    are in but not confirmed, respCode 00 with origRespCode 05 (still processing);
//  - the statement: fileContent = base64(zlib(zip)) holding INN<yymmdd>88ZM_<merId> (GBK,
//    fixed width, src/gateways/unionpay/statement.ts) and an empty …ZME_ file; fileName
//    <merId>_<yyyymmdd>.zip (the ACP demo's sample is named 802310048993424_20150905.zip; the
//    "88" in the inner names is our guess of the batch part). Fee 0 (C000000000000).
//    No transaction that day answers respCode 98 (文件不存在);
//  - a refund is named by orderId + txnTime; a new request whose txnTime is more than 15 minutes
//    from the gateway's clock is refused (respCode 12, our choice of window: UnionPay requires the
//    current time but does not publish its tolerance); the same orderId + txnTime again is the
//    same refund (answered as before, not refunded twice).
//
// Built from the simulators' kit (../kit): the trade book, refunds (named here by orderId +
// txnTime), the statement's rows, the bank page's routes and the reorder hold; what is left here is
// UnionPay's own: its messages, certificates, answers and file layout. Refunds: ./refunds.ts;
// the statement file: ./file-transfer.ts.
import { X509Certificate, randomInt } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { Config } from '../../config';
import { businessDate } from '../../domain/business-date';
import { fromFen, plainMoney } from '../../domain/money';
import { compactDateTime, encodeForm, parseShanghai } from '../../gateways/common/crypto';
import { SIGN_METHOD, VERSION, formatAcpResponse, sign as signWith, verify, type Fields } from '../../gateways/unionpay/codec';
import type { Logger } from '../../logger';
import {
  checkoutRoutes, expireIfDue, newTrade, notifyPaid, queryFault, releaseHeld, subPaymentBook, tradeBook,
  type Mutation, type SandboxControl, type SimTrade, type SubPaymentChannel,
} from '../kit';
import { fileTransferRoutes } from './file-transfer';
import { ensureUnionpayPki } from './pki';
import { refundRoutes, txnKey, type RefundTxn } from './refunds';

export const UNIONPAY_SCHEDULE_S = [0, 60, 120, 240, 480, 960];

export interface UnionpaySandboxSettings { merId: string; certId: string }

/** The fiscal merchant's merId (甘肃省财政厅's account behind the non-tax cashier). */
export const FISCAL_MER_ID = '898620000000620';

export function createUnionpaySimulator(opts: { config: Config; control: SandboxControl; settings: UnionpaySandboxSettings; keyDir: string; logger?: Logger }) {
  const { control, settings: s } = opts;
  const pki = ensureUnionpayPki(opts.keyDir, s.certId);
  const merchantPublicKey = new X509Certificate(pki.merchant.certPem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const book = tradeBook();
  const trades = book.trades;
  /**
   * Refund transactions by orderId + txnTime, which is also the refund's number in the trade book
   * (the same orderId at another txnTime is another transaction); each has its own queryId.
   */
  const refundTxns = new Map<string, RefundTxn>();
  /** A transaction's queryId: yyMMddHHmmss and nine random digits, 21 characters. */
  const queryIdAt = (at: Date) => `${compactDateTime(at).slice(2)}${String(randomInt(0, 1e9)).padStart(9, '0')}`.slice(0, 21);
  // Payments the non-tax platform opens here for 甘肃省财政厅 (its cashier's 银联).
  const fiscal = subPaymentBook();

  /** Signs as UnionPay: the current signing certificate's key, the certificate itself in signPubKeyCert. */
  const sign = (f: Fields): Fields => {
    if (control.take('unionpay', ['rotate_key'])) pki.rotate();
    const k = pki.signing();
    return signWith({ version: VERSION, encoding: 'UTF-8', signMethod: SIGN_METHOD, accessType: '0', ...f, signPubKeyCert: k.certPem }, k.keyPem);
  };
  const answer = (res: Response, f: Fields) => res.type('text/plain; charset=utf-8').send(formatAcpResponse(sign(f)));

  /** MMddHHmmss, the traceTime / settle time of the gateway. */
  const traceTime = (at: Date) => compactDateTime(at).slice(4);

  const paidFields = (t: SimTrade, m: Mutation = null): Fields => ({
    merId: m === 'wrong_merchant' ? '777290058119999' : t.merchantId, orderId: t.orderNo, txnTime: t.extra.txnTime!,
    txnAmt: String(t.fen + (m === 'wrong_amount' ? 1n : 0n)), currencyCode: '156',
    queryId: t.tradeNo!, traceNo: t.extra.traceNo!, traceTime: traceTime(t.paidAt!), settleAmt: String(t.fen + (m === 'wrong_amount' ? 1n : 0n)),
    settleCurrencyCode: '156', settleDate: businessDate(t.paidAt!).slice(5).replace('-', ''),
    accNo: `621626*******${t.extra.card ?? '0018'}`.slice(0, 19), payType: '0001', payCardType: '01',
  });

  function notify(t: SimTrade) {
    control.deliver({
      channel: 'unionpay', orderNo: t.orderNo, scheduleS: UNIONPAY_SCHEDULE_S,
      isAck: (status) => status === 200,
      send: async (m) => {
        const f = sign({
          txnType: '01', txnSubType: '01', bizType: '000201', ...paidFields(t, m), respCode: '00', respMsg: 'Success!',
          ...(t.extra.reqReserved ? { reqReserved: t.extra.reqReserved } : {}),
        });
        if (m === 'tamper') f.txnAmt = String(t.fen + 100n);
        const r = await fetch(t.notifyUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body: encodeForm(f), signal: AbortSignal.timeout(5000) });
        return { status: r.status, text: await r.text() };
      },
    });
  }

  function pay(t: SimTrade) {
    const at = new Date();
    book.markPaid(t, queryIdAt(at), at);
    t.extra.traceNo = String(randomInt(0, 1e6)).padStart(6, '0');
    if (fiscal.paid(t)) return;
    notifyPaid(control, 'unionpay', t, notify);
  }

  /** A trade is orderId + txnTime. */
  const find = (orderId: string, txnTime?: string) => {
    const t = book.find(orderId);
    return t && (txnTime === undefined || t.extra.txnTime === txnTime) ? t : undefined;
  };

  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));

  /** A merchant request: signed with the merchant's key, for our merchant, in version 5.1.0. */
  const checked = (req: Request): Fields | null => {
    const f = req.body as Fields;
    if (!f || typeof f !== 'object' || f.version !== VERSION || f.merId !== s.merId || f.certId !== pki.merchant.certId) return null;
    for (const v of Object.values(f)) if (typeof v !== 'string') return null;
    return verify(f, merchantPublicKey) ? f : null;
  };

  const render = (res: Response, t: SimTrade | null, step: string, extra: Record<string, unknown> = {}) =>
    res.render('sandbox/unionpay-bank', {
      // channelType 08 (手机): UnionPay's mobile web pages; 07: the PC gateway page.
      title: t?.extra.channelType === '08' ? '银联在线支付（手机）' : '银联在线支付', t, step, merchant: (t && fiscal.requestOf(t)?.payee) ?? opts.config.schoolName, amount: t ? plainMoney(fromFen(t.fen)) : '',
      action: t ? `${res.req.baseUrl}/pay/${t.extra.token}` : '', message: '', ...extra,
    });

  // The browser arrives with the merchant's auto-posted front form.
  router.post('/gateway/api/frontTransReq.do', (req, res) => {
    const f = checked(req);
    if (!f) return render(res.status(400), null, 'error', { message: '商户签名验证失败，请返回商户重新提交。' });
    if (f.txnType !== '01' || (f.channelType !== '07' && f.channelType !== '08') || !/^[1-9]\d{0,13}$/.test(f.txnAmt ?? '') || !/^[0-9A-Za-z]{8,40}$/.test(f.orderId ?? '') || !parseShanghai(f.txnTime ?? '') || !/^https?:\/\//.test(f.backUrl ?? '')) {
      return render(res.status(400), null, 'error', { message: '订单信息不完整。' });
    }
    const existing = trades.get(f.orderId!);
    if (existing && (existing.fen !== BigInt(f.txnAmt!) || existing.extra.txnTime !== f.txnTime)) return render(res.status(409), null, 'error', { message: '重复的订单号。' });
    const t = existing ?? book.add(newTrade({
      channelOrderId: f.orderId!, merchantId: s.merId, orderNo: f.orderId!, fen: BigInt(f.txnAmt!), subject: f.reqReserved ?? '',
      notifyUrl: f.backUrl!, returnUrl: f.frontUrl ?? '', expireAt: parseShanghai(f.payTimeout ?? ''),
      extra: { txnTime: f.txnTime!, reqReserved: f.reqReserved ?? '', channelType: f.channelType! },
    }));
    expireIfDue(t);
    render(res, t, t.status === 'PAID' ? 'paid' : t.status === 'CLOSED' ? 'closed' : 'card');
  });

  // The bank page by address (where the non-tax cashier sends the payer, and a reload lands):
  // 下一步 (phone number and card), then 确认支付 / 取消支付.
  router.use(checkoutRoutes({
    path: '/pay/:token',
    find: (req) => book.byToken(String(req.params.token)) ?? fiscal.byToken(String(req.params.token)),
    notFound: '订单不存在',
    render: (_req, res, t, state) => render(res, t, state),
    pay,
    openState: 'card',
    subPayments: fiscal,
    steps: {
      next(req, res, t) {
        const { mobile = '', card = '' } = req.body as Record<string, string>;
        if (!/^1\d{10}$/.test(mobile.trim()) || !/^\d{6}$/.test(card.trim())) {
          return render(res.status(400), t, 'card', { error: '请输入正确的手机号码和卡(账)号后六位', mobile, card });
        }
        t.extra.mobile = mobile.trim();
        t.extra.card = card.trim();
        render(res, t, t.status === 'UNPAID' ? 'confirm' : t.status === 'PAID' ? 'paid' : 'closed', { mobile: `${t.extra.mobile.slice(0, 3)}****${t.extra.mobile.slice(7)}` });
      },
    },
  }));

  const head = (f: Fields): Fields => ({ txnType: f.txnType ?? '', txnSubType: f.txnSubType ?? '', bizType: f.bizType ?? '', merId: s.merId, orderId: f.orderId ?? '', txnTime: f.txnTime ?? '' });

  router.post('/gateway/api/queryTrans.do', async (req, res) => {
    if (await queryFault(control, 'unionpay', res)) return;
    const f = checked(req);
    if (!f) return answer(res, { merId: s.merId, respCode: '11', respMsg: '验证签名失败' });
    // A refund (txnType 04) is a transaction of its own, queried by its own orderId + txnTime.
    const r = refundTxns.get(txnKey(f.orderId ?? '', f.txnTime ?? ''));
    if (r) {
      return answer(res, {
        ...head(f), txnType: '04', txnSubType: '00', txnAmt: String(r.fen), currencyCode: '156', origQryId: r.trade.tradeNo ?? '', queryId: r.queryId,
        respCode: '00', respMsg: '成功[0000000]', origRespCode: '00', origRespMsg: '成功[0000000]',
      });
    }
    const t = find(f.orderId ?? '', f.txnTime);
    // The payer has given card details but not confirmed: the transaction exists and is still
    // being processed (origRespCode 05 交易已受理，请稍后查询交易结果): ask again, never closed.
    if (t && t.status === 'UNPAID' && t.extra.card) {
      return answer(res, { ...head(f), txnAmt: String(t.fen), respCode: '00', respMsg: '成功[0000000]', origRespCode: '05', origRespMsg: '交易已受理，请稍后查询交易结果[6154037]' });
    }
    if (!t || t.status !== 'PAID') return answer(res, { ...head(f), respCode: '34', respMsg: '查无此交易' });
    // reorder fault: the gateway has no close, so the merchant's closing query is what the
    // late payment overtakes — "no such transaction", then the paid notification goes out.
    if (releaseHeld(t, notify)) return answer(res, { ...head(f), respCode: '34', respMsg: '查无此交易' });
    answer(res, { ...head(f), ...paidFields(t), respCode: '00', respMsg: '成功[0000000]', origRespCode: '00', origRespMsg: '成功[0000000]' });
  });

  const gateway = { settings: s, trades, refundTxns, checked, answer, head };
  refundRoutes(router, { ...gateway, queryIdAt });
  fileTransferRoutes(router, gateway);

  /** The non-tax cashier's 银联: an order of 甘肃省财政厅's merId, paid on the same bank page. */
  const subPayments: SubPaymentChannel = {
    openSubPayment(req) {
      const t = fiscal.open(req, FISCAL_MER_ID, { txnTime: compactDateTime(new Date()) });
      return fiscal.handle(t, `/pay/${t.extra.token}`);
    },
  };

  return { router, trades, refundTxns, fiscalTrades: fiscal.trades, pki, sign, pay, notify, subPayments };
}

export type UnionpaySimulator = ReturnType<typeof createUnionpaySimulator>;
