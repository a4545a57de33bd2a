// ICBC e-pay (工银e支付), simulated (the other side of src/gateways/icbc): the PC payment page of
// 图22 the merchant's signed form lands on (订单信息, 商户名称, 商品名称, 金额; 手机号码 and
// 卡(账)号后六位/别名, 下一步; then 确认支付 / 取消支付), the open-platform APIs (query,
// refund, statement) and signed notifications to mer_url until the merchant answers with its
// signed return_code 0.
//
// As strict as ICBC (src/gateways/icbc/codec.ts cites each rule): answers signed SHA1withRSA
// over response_biz_content, notifications sign_type=RSA over the mer_url's path; a request not
// signed in the app's registered sign_type is refused; merrefund and refundqry take only their
// V1 fields (outtrx_serial_no, ret_total_amt, trnsc_ccy) and refuse the QR-code reject API's
// (reject_no, reject_amt, cur_type); there is no close API.
//
// Chosen here, not public: the retry schedule — 0, 1m, 5m, 15m, 30m, 1h, 2h (ICBC documents
// only that it "retries"); the statement file (ICBC has no statement API: finance uploads the
// file) in the layout of src/gateways/icbc/statement.ts, GBK, served on loopback only at
// GET /icbc/statement-file?day=YYYY-MM-DD for the tests and the demo.
import { randomInt } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { Config } from '../../config';
import { fromFen, plainMoney } from '../../domain/money';
import { compactDateTime, dashedDateTime, encodeForm, nonce, parseShanghai } from '../../gateways/common/crypto';
import iconv from 'iconv-lite';
import { API, GATEWAY_SIGN_TYPE, sign, signedAnswer, verify, verifyNotifyAnswer, type Fields, type SignType } from '../../gateways/icbc/codec';
import { NOT_FOUND, REFUND_NOT_FOUND, TRNSC_CCY_CNY } from '../../gateways/icbc/adapter';
import { writeIcbcStatement } from '../../gateways/icbc/statement';
import type { Logger } from '../../logger';
import {
  asUnpaid, checkoutRoutes, loopbackOnly, newTrade, notifyPaid, queryFault, refundTrade, releaseHeld, statementRows, tradeBook,
  type Mutation, type SandboxControl, type SimRefund, type SimTrade,
} from '../kit';
import { ensureKeyPair } from '../keys';

export const ICBC_SCHEDULE_S = [0, 60, 300, 900, 1800, 3600, 7200];

export interface IcbcSandboxSettings { appId: string; merId: string; /** the app's registered sign_type */ signType: SignType }

export function createIcbcSimulator(opts: { config: Config; control: SandboxControl; settings: IcbcSandboxSettings; keyDir: string; logger?: Logger }) {
  const { control, settings: s } = opts;
  const gateway = ensureKeyPair(opts.keyDir, 'icbc-gateway');
  const merchant = ensureKeyPair(opts.keyDir, 'icbc-merchant');
  const book = tradeBook();
  const trades = book.trades;

  const answer = (res: Response, biz: object) => res.type('application/json; charset=utf-8').send(signedAnswer(biz, gateway.privateKey));

  const bizOf = (t: SimTrade, m: Mutation = null) => ({
    return_code: 0, return_msg: 'success', msg_id: nonce(12), out_trade_no: t.orderNo, order_id: t.tradeNo ?? '',
    total_amt: String(t.fen + (m === 'wrong_amount' ? 1n : 0n)), pay_time: t.paidAt ? compactDateTime(t.paidAt) : '',
    mer_id: m === 'wrong_merchant' ? '0200000000999' : t.merchantId, card_no: t.extra.card ? `622202******${t.extra.card}` : '', pay_status: t.status === 'PAID' ? '0' : t.status === 'CLOSED' ? '1' : '2',
  });

  /**
   * A notification's biz_content with the field set of real ICBC notifications (two published
   * ones, see test/unit/vectors/icbc-notification.test.ts): return_code as a string, amounts in
   * fen, no pay_status.
   */
  const notifyBizOf = (t: SimTrade, m: Mutation = null) => {
    const fen = String(t.fen + (m === 'wrong_amount' ? 1n : 0n));
    return {
      access_type: '9', attach: '', bank_disc_amt: '0', card_flag: '', card_kind: '', card_no: t.extra.card ? `622202******${t.extra.card}` : '', coupon_amt: '0', cust_id: '',
      decr_flag: '', ecoupon_amt: '0', mer_disc_amt: '0', mer_id: m === 'wrong_merchant' ? '0200000000999' : t.merchantId, msg_id: nonce(12), open_id: '', order_id: t.tradeNo ?? '',
      out_trade_no: t.orderNo, pay_time: t.paidAt ? compactDateTime(t.paidAt) : '', pay_type: '1', payment_amt: fen, point_amt: '0', return_code: '0', return_msg: '交易成功',
      third_party_coupon_amt: '0', third_party_discount_amt: '0', third_trade_no: '', total_amt: fen, total_disc_amt: '0',
    };
  };

  function notify(t: SimTrade) {
    const notifyPath = new URL(t.notifyUrl).pathname;
    control.deliver({
      channel: 'icbc', orderNo: t.orderNo, scheduleS: ICBC_SCHEDULE_S,
      isAck: (status, text) => status === 200 && verifyNotifyAnswer(text, merchant.publicKey, s.signType)?.return_code === 0,
      send: async (m) => {
        const f: Fields = {
          from: 'icbc-api', api: API.pay, app_id: s.appId, charset: 'UTF-8', format: 'json', sign_type: GATEWAY_SIGN_TYPE,
          timestamp: dashedDateTime(new Date()), biz_content: JSON.stringify(notifyBizOf(t, m)),
        };
        const signed = sign(notifyPath, f, gateway.privateKey);
        if (m === 'tamper') signed.biz_content = signed.biz_content!.replace(`"total_amt":"${t.fen}"`, `"total_amt":"${t.fen + 100n}"`);
        const r = await fetch(t.notifyUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }, body: encodeForm(signed), signal: AbortSignal.timeout(5000) });
        return { status: r.status, text: await r.text() };
      },
    });
  }

  function pay(t: SimTrade) {
    const at = new Date();
    book.markPaid(t, `${compactDateTime(at)}${String(randomInt(0, 1e9)).padStart(9, '0')}`, at);
    notifyPaid(control, 'icbc', t, notify);
  }

  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));

  /** Every request, from the browser or from the merchant's server, is checked the same way. */
  const checked = (req: Request): Record<string, unknown> | null => {
    const f = req.body as Fields;
    if (!f || f.app_id !== s.appId || !verify(req.path, f, merchant.publicKey, s.signType)) return null;
    try {
      return JSON.parse(f.biz_content ?? '') as Record<string, unknown>;
    } catch {
      return null;
    }
  };

  const render = (res: Response, t: SimTrade | null, step: string, extra: Record<string, unknown> = {}) =>
    res.render('sandbox/icbc-bank', {
      title: '工银e支付', t, step, merchant: opts.config.schoolName, amount: t ? plainMoney(fromFen(t.fen)) : '',
      action: t ? `${res.req.baseUrl}/epay/${t.extra.token}` : '', ...extra,
    });

  // The browser arrives here with the merchant's signed form (图22).
  router.post(API.pay, (req, res) => {
    const b = checked(req);
    const str = (k: string) => (typeof b?.[k] === 'string' ? (b[k] as string) : '');
    if (!b || str('mer_id') !== s.merId) return res.status(400).render('sandbox/icbc-bank', { title: '工银e支付', t: null, step: 'error', message: '商户签名验证失败，请返回商户重新提交。', merchant: '', amount: '', action: '' });
    if (!/^[1-9]\d{0,13}$/.test(str('amount')) || !str('out_trade_no') || !/^https?:\/\//.test(str('mer_url'))) {
      return res.status(400).render('sandbox/icbc-bank', { title: '工银e支付', t: null, step: 'error', message: '订单信息不完整。', merchant: '', amount: '', action: '' });
    }
    const existing = book.find(str('out_trade_no'));
    if (existing && existing.fen !== BigInt(str('amount'))) return res.status(409).render('sandbox/icbc-bank', { title: '工银e支付', t: null, step: 'error', message: '同一订单号金额不一致。', merchant: '', amount: '', action: '' });
    const t = book.add(existing ?? newTrade({
      channelOrderId: str('out_trade_no'), merchantId: s.merId, orderNo: str('out_trade_no'), fen: BigInt(str('amount')), subject: str('goods_name'),
      notifyUrl: str('mer_url'), returnUrl: str('return_url'), expireAt: parseShanghai(str('expire_time')),
    }));
    render(res, t, t.status === 'PAID' ? 'paid' : t.status === 'CLOSED' ? 'closed' : 'card');
  });

  // The page is first reached by the merchant's POSTed form (above), so no GET; 下一步 (phone
  // number and card) comes before 确认支付.
  router.use(checkoutRoutes({
    path: '/epay/:token', get: false, openState: 'card',
    find: (req) => book.byToken(String(req.params.token)),
    notFound: '订单不存在',
    render: (_req, res, t, state) => render(res, t, state),
    pay,
    steps: { next },
  }));
  function next(req: Request, res: Response, t: SimTrade) {
    const { mobile = '', card = '' } = req.body as Record<string, string>;
    if (!/^1\d{10}$/.test(mobile.trim()) || !/^(\d{6}|[\p{L}\d]{2,20})$/u.test(card.trim())) {
      return render(res.status(400), t, 'card', { error: '请输入正确的手机号码和卡(账)号后六位/别名', mobile, card });
    }
    t.extra.mobile = mobile.trim();
    t.extra.card = card.trim().slice(-6);
    render(res, t, t.status === 'UNPAID' ? 'confirm' : t.status === 'PAID' ? 'paid' : 'closed', { mobile: `${t.extra.mobile.slice(0, 3)}****${t.extra.mobile.slice(7)}` });
  }

  router.post(API.query, async (req, res) => {
    if (await queryFault(control, 'icbc', res)) return;
    const b = checked(req);
    if (!b) return answer(res, { return_code: 400017, return_msg: 'sign verify failed', msg_id: '' });
    const t = typeof b.out_trade_no === 'string' ? book.find(b.out_trade_no) : undefined;
    if (!t || b.mer_id !== t.merchantId) return answer(res, { return_code: NOT_FOUND, return_msg: '订单不存在', msg_id: nonce(8) });
    // reorder fault: e-pay has no close API, so the merchant's closing query is what the late
    // payment overtakes — answer "unpaid", then let the paid notification go.
    if (releaseHeld(t, notify)) return answer(res, bizOf(asUnpaid(t)));
    // declined fault: the payer's last try failed (a card declined); ICBC answers pay_status 1
    // while the signed form stays payable until its expire_time.
    if (t.status !== 'PAID' && control.take('icbc', ['declined'])) return answer(res, bizOf({ ...t, status: 'CLOSED' }));
    answer(res, bizOf(t));
  });

  const SIGN_FAILED = { return_code: 400017, return_msg: 'sign verify failed', msg_id: '' };
  /** ICBC's number for a refund: the trade's number and the refund's place among its refunds. */
  const intrxOf = (t: SimTrade, r: SimRefund) => `${t.tradeNo ?? t.orderNo}${String(t.refunds.indexOf(r) + 1).padStart(3, '0')}`;
  /** The QR-code reject API's fields, which merrefund / refundqry V1 do not take. */
  const rejectApiField = (b: Record<string, unknown>) => ['reject_no', 'reject_amt', 'cur_type'].find((k) => k in b);

  // merrefund V1: outtrx_serial_no, ret_total_amt (fen), trnsc_ccy, out_trade_no or order_id.
  router.post(API.refund, async (req, res) => {
    const b = checked(req);
    if (!b) return answer(res, SIGN_FAILED);
    const stray = rejectApiField(b);
    const no = typeof b.outtrx_serial_no === 'string' ? b.outtrx_serial_no : '';
    const amt = typeof b.ret_total_amt === 'string' && /^[1-9]\d{0,13}$/.test(b.ret_total_amt) ? BigInt(b.ret_total_amt) : 0n;
    if (stray || !/^[0-9A-Za-z]{1,40}$/.test(no) || b.trnsc_ccy !== TRNSC_CCY_CNY || b.mer_id !== s.merId) {
      return answer(res, { return_code: 400001, return_msg: stray ? `参数 ${stray} 不属于本接口` : '参数错误', msg_id: nonce(8) });
    }
    const t = typeof b.out_trade_no === 'string' ? book.find(b.out_trade_no) : undefined;
    const out = t ? refundTrade(t, no, amt) : null;
    if (!t || !out || out.kind === 'not_paid') return answer(res, { return_code: NOT_FOUND, return_msg: '原订单不存在或未支付', msg_id: nonce(8) });
    if (!('refund' in out)) return answer(res, { return_code: 96222, return_msg: '退款金额超过可退金额', msg_id: nonce(8) });
    // Stricter than echoing the first refund: the same outtrx_serial_no for another amount is refused.
    if (out.kind === 'mismatch') return answer(res, { return_code: 96223, return_msg: '同一退货流水号金额不一致', msg_id: nonce(8) });
    // Faults after the refund is booked: ICBC took it, the merchant cannot tell.
    const f = control.take('icbc', ['refund_error', 'refund_timeout']);
    if (f?.kind === 'refund_error') return answer(res, { return_code: -500, return_msg: '系统忙，请稍后查询', msg_id: nonce(8) });
    if (f?.kind === 'refund_timeout') {
      await control.sleep(f.ms ?? 30_000);
      if (!res.headersSent) res.status(504).end();
      return;
    }
    const r = out.refund;
    answer(res, {
      return_code: 0, return_msg: 'success', msg_id: nonce(8), out_trade_no: t.orderNo, order_id: t.tradeNo ?? '', outtrx_serial_no: r.refundNo, intrx_serial_no: intrxOf(t, r),
      reject_amt: String(r.fen), real_reject_amt: String(r.fen), refund_time: compactDateTime(r.at),
    });
  });

  // refundqry V1: by outtrx_serial_no (with out_trade_no or order_id).
  router.post(API.refundQuery, async (req, res) => {
    if (await queryFault(control, 'icbc', res)) return;
    const b = checked(req);
    if (!b) return answer(res, SIGN_FAILED);
    const stray = rejectApiField(b);
    if (stray || typeof b.outtrx_serial_no !== 'string') return answer(res, { return_code: 400001, return_msg: stray ? `参数 ${stray} 不属于本接口` : '参数错误', msg_id: nonce(8) });
    const hit = book.findRefund(b.outtrx_serial_no);
    if (!hit || hit.trade.orderNo !== b.out_trade_no) return answer(res, { return_code: REFUND_NOT_FOUND, return_msg: '退款记录不存在', msg_id: nonce(8) });
    const { trade: t, refund: r } = hit;
    answer(res, {
      return_code: 0, return_msg: 'success', msg_id: nonce(8), out_trade_no: t.orderNo, order_id: t.tradeNo ?? '', outtrx_serial_no: r.refundNo, intrx_serial_no: intrxOf(t, r),
      pay_status: '0', reject_amt: String(r.fen), real_reject_amt: String(r.fen), refund_time: compactDateTime(r.at),
    });
  });

  /** The day's statement file as ICBC's file service would hand it to finance (layout: src/gateways/icbc/statement.ts). */
  function statementFile(day: string): Buffer {
    const rows = statementRows(book.trades.values(), day).map((r) => ({
      orderNo: r.trade.orderNo, icbcNo: r.kind === 'payment' ? r.trade.tradeNo! : intrxOf(r.trade, r.refund), at: r.at, kind: r.kind, amount: plainMoney(fromFen(r.fen)), fee: '0.00',
    }));
    return iconv.encode(writeIcbcStatement(day, s.merId, rows), 'gbk');
  }

  router.get('/statement-file', loopbackOnly, (req, res) => {
    const day = typeof req.query.day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(req.query.day) ? req.query.day : null;
    if (!day) return res.status(400).type('text/plain').send('day=YYYY-MM-DD');
    res.type('text/plain; charset=GBK').attachment(`ICBC_${s.merId}_${day.replace(/-/g, '')}.txt`).send(statementFile(day));
  });

  return { router, trades, gatewayKeys: gateway, merchantKeys: merchant, pay, notify, statementFile };
}

export type IcbcSimulator = ReturnType<typeof createIcbcSimulator>;
