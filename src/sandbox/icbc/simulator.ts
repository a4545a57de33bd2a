// ICBC e-pay (工银e支付), simulated (the other side of src/gateways/icbc): the PC payment page of
// 图22 the merchant's signed form lands on (订单信息, 商户名称, 商品名称, 金额; 手机号码 and
// 卡(账)号后六位/别名, 下一步; then 确认支付 / 取消支付), the open-platform APIs (query,
// refund, statement) and signed notifications to mer_url until the merchant answers with its
// signed return_code 0.
//
// Chosen here, not public: the retry schedule — 0, 1m, 5m, 15m, 30m, 1h, 2h (ICBC documents
// only that it "retries"); the statement file — base64 UTF-8 text, a # title line then
// out_trade_no|order_id|pay_time|PAY or REFUND|amount fen|fee fen rows.
import { randomBytes, randomInt } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { Config } from '../../config';
import { businessDate } from '../../domain/business-date';
import { fromFen, plainMoney } from '../../domain/money';
import { compactDateTime, dashedDateTime, encodeForm, nonce, parseShanghai } from '../../gateways/common/crypto';
import { API, SIGN_TYPE, sign, signedAnswer, verify, verifyNotifyAnswer, type Fields } from '../../gateways/icbc/codec';
import { REFUND_NOT_FOUND, REFUND_QUERY_PATH } from '../../gateways/icbc/adapter';
import type { Logger } from '../../logger';
import { expireIfDue, queryFault, type Mutation, type SandboxControl, type SimTrade } from '../control';
import { ensureKeyPair } from '../keys';

export const ICBC_SCHEDULE_S = [0, 60, 300, 900, 1800, 3600, 7200];

export interface IcbcSandboxSettings { appId: string; merId: string }

export function createIcbcSimulator(opts: { config: Config; control: SandboxControl; settings: IcbcSandboxSettings; keyDir: string; logger?: Logger }) {
  const { control, settings: s } = opts;
  const gateway = ensureKeyPair(opts.keyDir, 'icbc-gateway');
  const merchant = ensureKeyPair(opts.keyDir, 'icbc-merchant');
  const trades = new Map<string, SimTrade>();

  const answer = (res: Response, biz: object) => res.type('application/json; charset=utf-8').send(signedAnswer(biz, gateway.privateKey));

  const bizOf = (t: SimTrade, m: Mutation = null) => ({
    return_code: 0, return_msg: 'success', msg_id: nonce(12), out_trade_no: t.orderNo, order_id: t.tradeNo ?? '',
    total_amt: String(t.fen + (m === 'wrong_amount' ? 1n : 0n)), pay_time: t.paidAt ? compactDateTime(t.paidAt) : '',
    mer_id: m === 'wrong_merchant' ? '0200000000999' : t.merchantId, card_no: t.extra.card ? `622202******${t.extra.card}` : '', pay_status: t.status === 'PAID' ? '0' : t.status === 'CLOSED' ? '1' : '2',
  });

  function notify(t: SimTrade) {
    const notifyPath = new URL(t.notifyUrl).pathname;
    control.deliver({
      channel: 'icbc', orderNo: t.orderNo, scheduleS: ICBC_SCHEDULE_S,
      isAck: (status, text) => status === 200 && verifyNotifyAnswer(text, merchant.publicKey)?.return_code === 0,
      send: async (m) => {
        const f: Fields = {
          from: 'icbc-api', api: API.pay, app_id: s.appId, charset: 'UTF-8', format: 'json', sign_type: SIGN_TYPE,
          timestamp: dashedDateTime(new Date()), biz_content: JSON.stringify(bizOf(t, m)),
        };
        const signed = sign(notifyPath, f, gateway.privateKey);
        if (m === 'tamper') signed.biz_content = signed.biz_content!.replace(`"total_amt":"${t.fen}"`, `"total_amt":"${t.fen + 100n}"`);
        const r = await fetch(t.notifyUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }, body: encodeForm(signed), signal: AbortSignal.timeout(5000) });
        return { status: r.status, text: await r.text() };
      },
    });
  }

  function pay(t: SimTrade) {
    t.status = 'PAID';
    t.paidAt = new Date();
    t.tradeNo = `${compactDateTime(t.paidAt)}${String(randomInt(0, 1e9)).padStart(9, '0')}`;
    if (control.take('icbc', ['reorder'])) t.heldForClose = true;
    else notify(t);
  }

  const find = (no: string) => {
    const t = trades.get(no);
    if (t) expireIfDue(t);
    return t;
  };

  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '64kb' }));

  /** Every request, from the browser or from the merchant's server, is checked the same way. */
  const checked = (req: Request): Record<string, unknown> | null => {
    const f = req.body as Fields;
    if (!f || f.app_id !== s.appId || !verify(req.path, f, merchant.publicKey)) return null;
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
    const existing = find(str('out_trade_no'));
    if (existing && existing.fen !== BigInt(str('amount'))) return res.status(409).render('sandbox/icbc-bank', { title: '工银e支付', t: null, step: 'error', message: '同一订单号金额不一致。', merchant: '', amount: '', action: '' });
    const t: SimTrade = existing ?? {
      channelOrderId: str('out_trade_no'), merchantId: s.merId, orderNo: str('out_trade_no'), fen: BigInt(str('amount')), subject: str('goods_name'),
      notifyUrl: str('mer_url'), returnUrl: str('return_url'), createdAt: new Date(), expireAt: parseShanghai(str('expire_time')),
      status: 'UNPAID', refundedFen: 0n, refunds: [], extra: { token: randomBytes(8).toString('hex') },
    };
    trades.set(t.orderNo, t);
    render(res, t, t.status === 'PAID' ? 'paid' : t.status === 'CLOSED' ? 'closed' : 'card');
  });

  const byToken = (token: string) => [...trades.values()].find((t) => t.extra.token === token);
  router.post('/epay/:token/next', (req, res) => {
    const t = byToken(req.params.token);
    if (!t) return res.status(404).type('text/plain; charset=utf-8').send('订单不存在');
    expireIfDue(t);
    const { mobile = '', card = '' } = req.body as Record<string, string>;
    if (!/^1\d{10}$/.test(mobile.trim()) || !/^(\d{6}|[\p{L}\d]{2,20})$/u.test(card.trim())) {
      return render(res.status(400), t, 'card', { error: '请输入正确的手机号码和卡(账)号后六位/别名', mobile, card });
    }
    t.extra.mobile = mobile.trim();
    t.extra.card = card.trim().slice(-6);
    render(res, t, t.status === 'UNPAID' ? 'confirm' : t.status === 'PAID' ? 'paid' : 'closed', { mobile: `${t.extra.mobile.slice(0, 3)}****${t.extra.mobile.slice(7)}` });
  });
  router.post('/epay/:token/confirm', (req, res) => {
    const t = byToken(req.params.token);
    if (!t) return res.status(404).type('text/plain; charset=utf-8').send('订单不存在');
    expireIfDue(t);
    if (t.status === 'UNPAID') pay(t);
    render(res, t, t.status === 'PAID' ? 'paid' : 'closed');
  });
  router.post('/epay/:token/cancel', (req, res) => {
    const t = byToken(req.params.token);
    if (!t) return res.status(404).type('text/plain; charset=utf-8').send('订单不存在');
    render(res, t, 'cancelled');
  });

  router.post(API.query, async (req, res) => {
    if (await queryFault(control, 'icbc', res)) return;
    const b = checked(req);
    if (!b) return answer(res, { return_code: 400017, return_msg: 'sign verify failed', msg_id: '' });
    const t = typeof b.out_trade_no === 'string' ? find(b.out_trade_no) : undefined;
    if (!t || b.mer_id !== t.merchantId) return answer(res, { return_code: 96111, return_msg: '订单不存在', msg_id: nonce(8) });
    if (t.heldForClose) {
      // reorder fault: e-pay has no close API, so the merchant's closing query is what the late
      // payment overtakes — answer "unpaid", then let the paid notification go.
      t.heldForClose = false;
      answer(res, bizOf({ ...t, status: 'UNPAID', tradeNo: undefined, paidAt: undefined }));
      return notify(t);
    }
    answer(res, bizOf(t));
  });

  router.post(API.refund, (req, res) => {
    const b = checked(req);
    if (!b) return answer(res, { return_code: 400017, return_msg: 'sign verify failed', msg_id: '' });
    const t = typeof b.out_trade_no === 'string' ? find(b.out_trade_no) : undefined;
    const amt = typeof b.reject_amt === 'string' && /^[1-9]\d*$/.test(b.reject_amt) ? BigInt(b.reject_amt) : 0n;
    if (!t || t.status !== 'PAID') return answer(res, { return_code: 96111, return_msg: '原订单不存在或未支付', msg_id: nonce(8) });
    if (!t.refunds.some((r) => r.refundNo === b.reject_no)) {
      if (amt <= 0n || t.refundedFen + amt > t.fen) return answer(res, { return_code: 96222, return_msg: '退款金额超过可退金额', msg_id: nonce(8) });
      t.refundedFen += amt;
      t.refunds.push({ refundNo: String(b.reject_no), fen: amt, at: new Date() });
    }
    answer(res, { return_code: 0, return_msg: 'success', msg_id: nonce(8), reject_no: b.reject_no, reject_seq: `RJ${String(b.reject_no)}`, reject_amt: b.reject_amt });
  });

  // 退款查询 (fields chosen: see REFUND_QUERY_PATH in src/gateways/icbc/adapter.ts).
  router.post(REFUND_QUERY_PATH, async (req, res) => {
    if (await queryFault(control, 'icbc', res)) return;
    const b = checked(req);
    if (!b) return answer(res, { return_code: 400017, return_msg: 'sign verify failed', msg_id: '' });
    const t = typeof b.out_trade_no === 'string' ? find(b.out_trade_no) : undefined;
    const r = t?.refunds.find((x) => x.refundNo === b.reject_no);
    if (!t || !r) return answer(res, { return_code: Number(REFUND_NOT_FOUND), return_msg: '退款记录不存在', msg_id: nonce(8) });
    answer(res, { return_code: 0, return_msg: 'success', msg_id: nonce(8), out_trade_no: t.orderNo, reject_no: r.refundNo, reject_seq: `RJ${r.refundNo}`, reject_amt: String(r.fen), reject_status: '0' });
  });

  router.post(API.statement, (req, res) => {
    const b = checked(req);
    if (!b) return answer(res, { return_code: 400017, return_msg: 'sign verify failed', msg_id: '' });
    const day = String(b.bill_date ?? '').replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');
    const rows = [`#工银e支付对账单|${s.merId}|${day}`];
    for (const t of trades.values()) {
      if (t.status === 'PAID' && t.paidAt && businessDate(t.paidAt) === day) rows.push([t.orderNo, t.tradeNo, compactDateTime(t.paidAt), 'PAY', String(t.fen), '0'].join('|'));
      for (const r of t.refunds.filter((x) => businessDate(x.at) === day)) rows.push([t.orderNo, `RJ${r.refundNo}`, compactDateTime(r.at), 'REFUND', String(r.fen), '0'].join('|'));
    }
    answer(res, { return_code: 0, return_msg: 'success', msg_id: nonce(8), file_content: Buffer.from(rows.join('\n'), 'utf8').toString('base64') });
  });

  return { router, trades, gatewayKeys: gateway, merchantKeys: merchant, pay, notify };
}

export type IcbcSimulator = ReturnType<typeof createIcbcSimulator>;
