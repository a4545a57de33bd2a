// 银联在线支付 (online gateway 全渠道 5.1.0, signMethod 01), simulated — the other side of
// src/gateways/unionpay: frontTransReq.do receives the merchant's signed front form the browser
// auto-posts and shows the bank page in the style of 图22 (订单信息; 手机号码 and 卡(账)号后六位,
// 下一步; then 确认支付 / 取消支付); back notifications (signed form posts) to backUrl,
// repeated until the merchant answers HTTP 200; queryTrans.do (origRespCode), backTransReq.do
// (refund, txnType 04) and fileTransfer.do (txnType 76) answering in the ACP `k=v&k=v` format,
// signed with the sandbox's key.
//
// Chosen here, not public (or not confirmed):
//  - the back-notification retry schedule: at once, then 1m, 2m, 4m, 8m, 16m (UnionPay documents
//    that it re-sends while the answer is not HTTP 200, not its exact intervals);
//  - the front notification: the real gateway auto-posts signed fields to frontUrl; the
//    platform's return page is a GET, so here the paid page links back to frontUrl instead;
//  - an order the payer never submitted card details for answers queryTrans with respCode 34
//    (查无此交易), as does an order only known after a reordered (held) payment;
//  - the statement: the real fileContent is a deflated zip of fixed-width files; ours is
//    base64(zlib deflate(UTF-8 text)): `#` title lines, then one line per transaction
//    `orderId|queryId|txnTime|txnType|txnAmt(fen)|fee(fen)`, txnType 01 payment, 04 refund.
//    No transaction that day answers respCode 98 (文件不存在).
import { randomBytes, randomInt } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import express, { Router, type Request, type Response } from 'express';
import type { Config } from '../../config';
import { businessDate } from '../../domain/business-date';
import { fromFen, plainMoney } from '../../domain/money';
import { compactDateTime, encodeForm, parseShanghai } from '../../gateways/common/crypto';
import { FEN, SIGN_METHOD, VERSION, formatAcpResponse, sign, verify, type Fields } from '../../gateways/unionpay/codec';
import type { Logger } from '../../logger';
import { expireIfDue, queryFault, type Mutation, type SandboxControl, type SimTrade } from '../control';
import { ensureKeyPair } from '../keys';
import { subPaymentBook, type SubPaymentChannel } from '../sub-payment';

export const UNIONPAY_SCHEDULE_S = [0, 60, 120, 240, 480, 960];

export interface UnionpaySandboxSettings { merId: string; certId: string }

/** The serial of the sandbox's own signing certificate (UnionPay's test environment uses this one). */
export const UNIONPAY_SANDBOX_CERT_ID = '69042905377';

/** The fiscal merchant's merId (甘肃省财政厅's account behind the non-tax cashier). */
export const FISCAL_MER_ID = '898620000000620';

export function createUnionpaySimulator(opts: { config: Config; control: SandboxControl; settings: UnionpaySandboxSettings; keyDir: string; logger?: Logger }) {
  const { control, settings: s } = opts;
  const platform = ensureKeyPair(opts.keyDir, 'unionpay-platform');
  const merchant = ensureKeyPair(opts.keyDir, 'unionpay-merchant');
  const trades = new Map<string, SimTrade>();
  // Payments the non-tax platform opens here for 甘肃省财政厅 (its cashier's 银联).
  const fiscal = subPaymentBook();

  const common = (f: Fields): Fields => ({ version: VERSION, encoding: 'UTF-8', signMethod: SIGN_METHOD, certId: UNIONPAY_SANDBOX_CERT_ID, accessType: '0', ...f });
  const answer = (res: Response, f: Fields) => res.type('text/plain; charset=utf-8').send(formatAcpResponse(sign(common(f), platform.privateKey)));

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
        const f = sign(common({
          txnType: '01', txnSubType: '01', bizType: '000201', ...paidFields(t, m), respCode: '00', respMsg: 'Success!',
          ...(t.extra.reqReserved ? { reqReserved: t.extra.reqReserved } : {}),
        }), platform.privateKey);
        if (m === 'tamper') f.txnAmt = String(t.fen + 100n);
        const r = await fetch(t.notifyUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body: encodeForm(f), signal: AbortSignal.timeout(5000) });
        return { status: r.status, text: await r.text() };
      },
    });
  }

  function pay(t: SimTrade) {
    t.status = 'PAID';
    t.paidAt = new Date();
    t.tradeNo = `${compactDateTime(t.paidAt).slice(2)}${String(randomInt(0, 1e9)).padStart(9, '0')}`.slice(0, 21);
    t.extra.traceNo = String(randomInt(0, 1e6)).padStart(6, '0');
    if (fiscal.paid(t)) return;
    if (control.take('unionpay', ['reorder'])) t.heldForClose = true;
    else notify(t);
  }

  const find = (orderId: string, txnTime?: string) => {
    const t = trades.get(orderId);
    if (!t || (txnTime !== undefined && t.extra.txnTime !== txnTime)) return undefined;
    expireIfDue(t);
    return t;
  };

  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));

  /** A merchant request: signed with the merchant's key, for our merchant, in version 5.1.0. */
  const checked = (req: Request): Fields | null => {
    const f = req.body as Fields;
    if (!f || typeof f !== 'object' || f.version !== VERSION || f.merId !== s.merId || f.certId !== s.certId) return null;
    for (const v of Object.values(f)) if (typeof v !== 'string') return null;
    return verify(f, merchant.publicKey) ? f : null;
  };

  const render = (res: Response, t: SimTrade | null, step: string, extra: Record<string, unknown> = {}) =>
    res.render('sandbox/unionpay-bank', {
      title: '银联在线支付', t, step, merchant: (t && fiscal.requestOf(t)?.payee) ?? opts.config.schoolName, amount: t ? plainMoney(fromFen(t.fen)) : '',
      action: t ? `${res.req.baseUrl}/pay/${t.extra.token}` : '', message: '', ...extra,
    });

  // The browser arrives with the merchant's auto-posted front form.
  router.post('/gateway/api/frontTransReq.do', (req, res) => {
    const f = checked(req);
    if (!f) return render(res.status(400), null, 'error', { message: '商户签名验证失败，请返回商户重新提交。' });
    if (f.txnType !== '01' || !/^[1-9]\d{0,13}$/.test(f.txnAmt ?? '') || !/^[0-9A-Za-z]{8,40}$/.test(f.orderId ?? '') || !parseShanghai(f.txnTime ?? '') || !/^https?:\/\//.test(f.backUrl ?? '')) {
      return render(res.status(400), null, 'error', { message: '订单信息不完整。' });
    }
    const existing = trades.get(f.orderId!);
    if (existing && (existing.fen !== BigInt(f.txnAmt!) || existing.extra.txnTime !== f.txnTime)) return render(res.status(409), null, 'error', { message: '重复的订单号。' });
    const t: SimTrade = existing ?? {
      channelOrderId: f.orderId!, merchantId: s.merId, orderNo: f.orderId!, fen: BigInt(f.txnAmt!), subject: f.reqReserved ?? '',
      notifyUrl: f.backUrl!, returnUrl: f.frontUrl ?? '', createdAt: new Date(), expireAt: parseShanghai(f.payTimeout ?? ''),
      status: 'UNPAID', refundedFen: 0n, refunds: [], extra: { token: randomBytes(8).toString('hex'), txnTime: f.txnTime!, reqReserved: f.reqReserved ?? '' },
    };
    trades.set(t.orderNo, t);
    expireIfDue(t);
    render(res, t, t.status === 'PAID' ? 'paid' : t.status === 'CLOSED' ? 'closed' : 'card');
  });

  const byToken = (token: string) => {
    const t = [...trades.values(), ...fiscal.trades.values()].find((x) => x.extra.token === token);
    if (t) expireIfDue(t);
    return t;
  };
  const stepOf = (t: SimTrade) => (t.status === 'PAID' ? 'paid' : t.status === 'CLOSED' ? 'closed' : 'card');
  // The bank page by address: where the non-tax cashier sends the payer (and a reload lands).
  router.get('/pay/:token', (req, res) => {
    const t = byToken(req.params.token);
    if (!t) return res.status(404).type('text/plain; charset=utf-8').send('订单不存在');
    render(res, t, stepOf(t));
  });
  router.post('/pay/:token/next', (req, res) => {
    const t = byToken(req.params.token);
    if (!t) return res.status(404).type('text/plain; charset=utf-8').send('订单不存在');
    const { mobile = '', card = '' } = req.body as Record<string, string>;
    if (!/^1\d{10}$/.test(mobile.trim()) || !/^\d{6}$/.test(card.trim())) {
      return render(res.status(400), t, 'card', { error: '请输入正确的手机号码和卡(账)号后六位', mobile, card });
    }
    t.extra.mobile = mobile.trim();
    t.extra.card = card.trim();
    render(res, t, t.status === 'UNPAID' ? 'confirm' : t.status === 'PAID' ? 'paid' : 'closed', { mobile: `${t.extra.mobile.slice(0, 3)}****${t.extra.mobile.slice(7)}` });
  });
  router.post('/pay/:token/confirm', (req, res) => {
    const t = byToken(req.params.token);
    if (!t) return res.status(404).type('text/plain; charset=utf-8').send('订单不存在');
    if (t.status === 'UNPAID') pay(t);
    render(res, t, t.status === 'PAID' ? 'paid' : 'closed');
  });
  router.post('/pay/:token/cancel', (req, res) => {
    const t = byToken(req.params.token);
    if (!t) return res.status(404).type('text/plain; charset=utf-8').send('订单不存在');
    // Opened by the non-tax cashier: walking away goes back to that cashier.
    const sub = fiscal.requestOf(t);
    if (sub && t.status === 'UNPAID') return res.redirect(303, sub.cancelUrl);
    render(res, t, t.status === 'UNPAID' ? 'cancelled' : t.status === 'PAID' ? 'paid' : 'closed');
  });

  const head = (f: Fields): Fields => ({ txnType: f.txnType ?? '', txnSubType: f.txnSubType ?? '', bizType: f.bizType ?? '', merId: s.merId, orderId: f.orderId ?? '', txnTime: f.txnTime ?? '' });

  router.post('/gateway/api/queryTrans.do', async (req, res) => {
    if (await queryFault(control, 'unionpay', res)) return;
    const f = checked(req);
    if (!f) return answer(res, { merId: s.merId, respCode: '11', respMsg: '验证签名失败' });
    // A refund (txnType 04) is a transaction of its own, queried by its orderId. Its txnTime is
    // not kept by this simulator, so only the orderId is matched here.
    for (const x of trades.values()) {
      const r = x.refunds.find((y) => y.refundNo === f.orderId);
      if (r) {
        return answer(res, {
          ...head(f), txnType: '04', txnAmt: String(r.fen), currencyCode: '156', origQryId: x.tradeNo ?? '', queryId: `R${x.tradeNo!.slice(1)}${r.refundNo.slice(-4)}`.slice(0, 21),
          respCode: '00', respMsg: '成功[0000000]', origRespCode: '00', origRespMsg: '成功[0000000]',
        });
      }
    }
    const t = find(f.orderId ?? '', f.txnTime);
    if (!t || t.status !== 'PAID') return answer(res, { ...head(f), respCode: '34', respMsg: '查无此交易' });
    if (t.heldForClose) {
      // reorder fault: the gateway has no close, so the merchant's closing query is what the
      // late payment overtakes — "no such transaction", then the paid notification goes out.
      t.heldForClose = false;
      answer(res, { ...head(f), respCode: '34', respMsg: '查无此交易' });
      return notify(t);
    }
    answer(res, { ...head(f), ...paidFields(t), respCode: '00', respMsg: '成功[0000000]', origRespCode: '00', origRespMsg: '成功[0000000]' });
  });

  router.post('/gateway/api/backTransReq.do', (req, res) => {
    const f = checked(req);
    if (!f) return answer(res, { merId: s.merId, respCode: '11', respMsg: '验证签名失败' });
    if (f.txnType !== '04') return answer(res, { ...head(f), respCode: '12', respMsg: '交易类型不支持' });
    const t = [...trades.values()].find((x) => x.tradeNo && x.tradeNo === f.origQryId);
    if (!t || t.status !== 'PAID') return answer(res, { ...head(f), respCode: '35', respMsg: '原交易不存在或状态不正确' });
    const refundNo = f.orderId ?? '';
    if (!t.refunds.some((r) => r.refundNo === refundNo)) {
      const amt = FEN.test(f.txnAmt ?? '') ? BigInt(f.txnAmt!) : 0n;
      if (amt <= 0n || t.refundedFen + amt > t.fen) return answer(res, { ...head(f), respCode: '36', respMsg: '退货金额超限' });
      t.refundedFen += amt;
      t.refunds.push({ refundNo, fen: amt, at: new Date() });
    }
    answer(res, { ...head(f), txnAmt: f.txnAmt ?? '', origQryId: f.origQryId ?? '', queryId: `R${t.tradeNo!.slice(1)}${refundNo.slice(-4)}`.slice(0, 21), respCode: '00', respMsg: '成功[0000000]' });
  });

  router.post('/gateway/api/fileTransfer.do', (req, res) => {
    const f = checked(req);
    if (!f) return answer(res, { merId: s.merId, respCode: '11', respMsg: '验证签名失败' });
    const mmdd = /^\d{4}$/.test(f.settleDate ?? '') ? `${f.settleDate!.slice(0, 2)}-${f.settleDate!.slice(2)}` : '';
    const rows: string[] = [];
    for (const t of trades.values()) {
      if (t.status === 'PAID' && t.paidAt && businessDate(t.paidAt).slice(5) === mmdd) rows.push([t.orderNo, t.tradeNo, compactDateTime(t.paidAt), '01', String(t.fen), '0'].join('|'));
      for (const r of t.refunds.filter((x) => businessDate(x.at).slice(5) === mmdd)) rows.push([r.refundNo, `R${t.tradeNo!.slice(1)}${r.refundNo.slice(-4)}`.slice(0, 21), compactDateTime(r.at), '04', String(r.fen), '0'].join('|'));
    }
    if (!rows.length) return answer(res, { txnType: '76', txnSubType: f.txnSubType ?? '', bizType: '000000', merId: s.merId, settleDate: f.settleDate ?? '', respCode: '98', respMsg: '文件不存在' });
    const text = [`#银联全渠道对账文件|${s.merId}|${f.settleDate}`, '#orderId|queryId|txnTime|txnType|txnAmt|fee', ...rows].join('\n');
    answer(res, {
      txnType: '76', txnSubType: f.txnSubType ?? '', bizType: '000000', merId: s.merId, settleDate: f.settleDate ?? '', txnTime: f.txnTime ?? '',
      fileType: '00', fileName: `INN${f.settleDate}00_${s.merId}.txt`, fileContent: deflateSync(Buffer.from(text, 'utf8')).toString('base64'),
      respCode: '00', respMsg: '成功[0000000]',
    });
  });

  /** The non-tax cashier's 银联: an order of 甘肃省财政厅's merId, paid on the same bank page. */
  const subPayments: SubPaymentChannel = {
    openSubPayment(req) {
      const t = fiscal.open(req, FISCAL_MER_ID, { txnTime: compactDateTime(new Date()) });
      return fiscal.handle(t, `/pay/${t.extra.token}`);
    },
  };

  return { router, trades, fiscalTrades: fiscal.trades, platformKeys: platform, merchantKeys: merchant, pay, notify, subPayments };
}

export type UnionpaySimulator = ReturnType<typeof createUnionpaySimulator>;
