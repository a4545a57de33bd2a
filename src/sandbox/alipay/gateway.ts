// The simulated gateway.do: every API call the merchant signs (precreate, page.pay, query, close,
// refund, refund query, the bill's download URL), answered as Alipay answers, and the bill files
// those URLs point at. The trades, notifications and keys are the simulator's (./simulator.ts).
import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { Decimal, toFen } from '../../domain/money';
import { SUCCESS_CODE, YUAN, verifyRequest, type Params } from '../../gateways/alipay/codec';
import { buildAlipayStatement, type AlipayStatementRow } from '../../gateways/alipay/statement';
import { dashedDateTime, parseFormStrict } from '../../gateways/common/crypto';
import { asUnpaid, queryFault, refundTrade, releaseHeld, statementRows, type SandboxControl, type SimTrade, type TradeBook } from '../kit';

export const BUYER_ID = '2088102177846880';
export const BUYER_LOGON = 'san***@example.com';

/** What the gateway needs of the simulator: its trades, its keys and how it answers. */
export interface AlipayGatewayDeps {
  control: SandboxControl;
  settings: { appId: string; sellerId: string };
  book: TradeBook;
  /** 公钥证书 mode as it is now (it can be switched on and off while running). */
  cert(): { appCertSn: string; alipayRootCertSn: string; appPublicKey: string } | null;
  merchantPublicKey: string;
  /** The trade as Alipay's API sees it: one whose QR nobody has scanned does not exist yet. */
  find(no: string): SimTrade | undefined;
  open(biz: Record<string, unknown>, p: Params): { t: SimTrade } | { code: string; msg: string; sub: string; subMsg: string };
  tradeStatus(t: SimTrade): string;
  notify(t: SimTrade): void;
  checkoutUrl(req: Request, t: SimTrade): string;
  /** 手机网站支付's cashier page of a trade. */
  wapUrl(req: Request, t: SimTrade): string;
  /** The trade exists at Alipay from now on (a scan, or the phone's form arriving). */
  scan(t: SimTrade): void;
  yuanOf(fen: bigint): string;
  answer(res: Response, method: string, body: object): void;
  fail(res: Response, method: string, code: string, msg: string, subCode: string, subMsg: string): void;
  notExist(res: Response, method: string): void;
}

export function gatewayRoutes(d: AlipayGatewayDeps): Router {
  const { control, settings: s, book, find, open, tradeStatus, notify, checkoutUrl, wapUrl, scan, yuanOf, answer, fail, notExist } = d;
  const bills = new Map<string, Buffer>();
  const router = Router();
  router.use('/gateway.do', express.text({ type: () => true, limit: '64kb' }));

  /** Every request: the form as sent, signed by the merchant's key, for our app. */
  const checked = (req: Request): { p: Params; biz: Record<string, unknown> } | { error: [string, string, string, string] } => {
    const cert = d.cert();
    const p = parseFormStrict(typeof req.body === 'string' ? req.body : '');
    if (!p || !p.method) return { error: ['40001', 'Missing Required Arguments', 'isv.missing-method', '缺少方法名参数'] };
    if (p.app_id !== s.appId) return { error: ['40002', 'Invalid Arguments', 'isv.invalid-app-id', '无效的AppID参数'] };
    if (cert && (p.app_cert_sn !== cert.appCertSn || p.alipay_root_cert_sn !== cert.alipayRootCertSn)) {
      return { error: ['40002', 'Invalid Arguments', 'isv.cert-sn-not-match', '应用公钥证书序列号或支付宝根证书序列号不匹配'] };
    }
    if (!verifyRequest(p, cert?.appPublicKey ?? d.merchantPublicKey)) return { error: ['40002', 'Invalid Arguments', 'isv.invalid-signature', '验签出错'] };
    try {
      return { p, biz: JSON.parse(p.biz_content ?? '{}') as Record<string, unknown> };
    } catch {
      return { error: ['40002', 'Invalid Arguments', 'isv.invalid-parameter', 'biz_content 无效'] };
    }
  };

  router.post('/gateway.do', async (req, res) => {
    const c = checked(req);
    const method = parseFormStrict(typeof req.body === 'string' ? req.body : '')?.method ?? 'alipay.trade.query';
    // A cashier form the browser itself posted is answered with a page, not JSON.
    const byBrowser = method === 'alipay.trade.page.pay' || method === 'alipay.trade.wap.pay';
    if ('error' in c) {
      if (byBrowser) return res.status(400).type('text/plain; charset=utf-8').send(`支付宝: ${c.error[3]}`);
      return fail(res, method, ...c.error);
    }
    const { p, biz } = c;
    const no = typeof biz.out_trade_no === 'string' ? biz.out_trade_no : '';
    switch (p.method) {
      case 'alipay.trade.precreate': {
        const r = open(biz, p);
        if (!('t' in r)) return fail(res, method, r.code, r.msg, r.sub, r.subMsg);
        return answer(res, method, { code: SUCCESS_CODE, msg: 'Success', out_trade_no: r.t.orderNo, qr_code: checkoutUrl(req, r.t) });
      }
      case 'alipay.trade.page.pay': {
        // The browser itself posted the merchant's form: show the cashier, not JSON.
        const r = open(biz, p);
        if (!('t' in r)) return res.status(400).type('text/plain; charset=utf-8').send(`支付宝: ${r.subMsg}`);
        return res.redirect(303, checkoutUrl(req, r.t));
      }
      case 'alipay.trade.wap.pay': {
        // A phone's browser posted the merchant's 手机网站支付 form: the trade exists at Alipay from
        // now on (query and close find it), and the payer is on Alipay's mobile cashier. The
        // product must be the one signed for (QUICK_WAP_WAY); the wording of the refusal is ours.
        if (biz.product_code !== 'QUICK_WAP_WAY') return res.status(400).type('text/plain; charset=utf-8').send('支付宝: 商家订单参数异常（product_code）');
        const r = open(biz, p);
        if (!('t' in r)) return res.status(400).type('text/plain; charset=utf-8').send(`支付宝: ${r.subMsg}`);
        scan(r.t);
        r.t.extra.wap = '1';
        if (typeof biz.quit_url === 'string') r.t.extra.quitUrl = biz.quit_url;
        return res.redirect(303, wapUrl(req, r.t));
      }
      case 'alipay.trade.query': {
        if (await queryFault(control, 'alipay', res)) return;
        const t = find(no);
        if (!t) return notExist(res, method);
        // A held (reordered) payment is not visible yet: the close must overtake it.
        const v = t.heldForClose ? asUnpaid(t) : t;
        return answer(res, method, {
          code: SUCCESS_CODE, msg: 'Success', out_trade_no: t.orderNo, trade_status: tradeStatus(v), total_amount: yuanOf(t.fen),
          ...(v.tradeNo ? { trade_no: v.tradeNo, buyer_logon_id: BUYER_LOGON, buyer_user_id: BUYER_ID, buyer_pay_amount: yuanOf(t.fen), receipt_amount: yuanOf(t.fen), send_pay_date: dashedDateTime(v.paidAt!) } : {}),
          subject: t.subject,
        });
      }
      case 'alipay.trade.close': {
        const t = find(no);
        if (!t) return notExist(res, method);
        // A held (reordered) payment: the close succeeds, then the notification overtakes it.
        if (releaseHeld(t, notify)) return answer(res, method, { code: SUCCESS_CODE, msg: 'Success', out_trade_no: t.orderNo });
        if (t.status === 'PAID') return fail(res, method, '40004', 'Business Failed', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
        t.status = 'CLOSED';
        return answer(res, method, { code: SUCCESS_CODE, msg: 'Success', out_trade_no: t.orderNo });
      }
      case 'alipay.trade.refund': {
        const t = find(no);
        if (!t) return notExist(res, method);
        if (t.status !== 'PAID') return fail(res, method, '40004', 'Business Failed', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
        const amt = typeof biz.refund_amount === 'string' && YUAN.test(biz.refund_amount) ? toFen(new Decimal(biz.refund_amount)) : 0n;
        const reqNo = typeof biz.out_request_no === 'string' && biz.out_request_no ? biz.out_request_no : t.orderNo;
        // The same out_request_no with another amount is not the same refund (Alipay's
        // ACQ.DISCORDANT_REPEAT_REQUEST): nothing more is refunded. Checked before any fault is
        // taken, as the refusal involves no refund processing.
        const earlier = t.refunds.find((r) => r.refundNo === reqNo);
        if (earlier && earlier.fen !== amt) return fail(res, method, '40004', 'Business Failed', 'ACQ.DISCORDANT_REPEAT_REQUEST', '请求信息不一致');
        const fault = control.take('alipay', ['refund_system_error', 'refund_system_error_done', 'refund_lost', 'refund_timeout']);
        if (fault?.kind === 'refund_system_error') return fail(res, method, '40004', 'Business Failed', 'ACQ.SYSTEM_ERROR', '系统错误');
        const outcome = refundTrade(t, reqNo, amt);
        if (outcome.kind === 'exceeds' || outcome.kind === 'invalid') return fail(res, method, '40004', 'Business Failed', 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
        // not_paid and mismatch were answered above.
        if (outcome.kind !== 'created' && outcome.kind !== 'repeated') return fail(res, method, '40004', 'Business Failed', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
        if (fault?.kind === 'refund_system_error_done') return fail(res, method, '40004', 'Business Failed', 'ACQ.SYSTEM_ERROR', '系统错误');
        if (fault?.kind === 'refund_lost') return void req.socket.destroy();
        if (fault?.kind === 'refund_timeout') {
          await control.sleep(fault.ms ?? 30_000);
          if (res.headersSent || req.socket.destroyed) return;
        }
        return answer(res, method, {
          code: SUCCESS_CODE, msg: 'Success', trade_no: t.tradeNo, out_trade_no: t.orderNo, buyer_logon_id: BUYER_LOGON,
          fund_change: outcome.kind === 'created' ? 'Y' : 'N', refund_fee: yuanOf(t.refundedFen), gmt_refund_pay: dashedDateTime(new Date()),
        });
      }
      case 'alipay.trade.fastpay.refund.query': {
        if (await queryFault(control, 'alipay', res)) return;
        const t = find(no);
        if (!t) return notExist(res, method);
        const r = t.refunds.find((x) => x.refundNo === biz.out_request_no);
        // No refund under this number: Alipay answers success without the refund's fields.
        if (!r) return answer(res, method, { code: SUCCESS_CODE, msg: 'Success', out_trade_no: t.orderNo, trade_no: t.tradeNo });
        return answer(res, method, {
          code: SUCCESS_CODE, msg: 'Success', trade_no: t.tradeNo, out_trade_no: t.orderNo, out_request_no: r.refundNo,
          total_amount: yuanOf(t.fen), refund_amount: yuanOf(r.fen), refund_status: 'REFUND_SUCCESS', gmt_refund_pay: dashedDateTime(r.at),
        });
      }
      case 'alipay.data.dataservice.bill.downloadurl.query': {
        const day = typeof biz.bill_date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(biz.bill_date) ? biz.bill_date : null;
        if (biz.bill_type !== 'trade' || !day) return fail(res, method, '40004', 'Business Failed', 'isp.bill_not_exist', '账单不存在');
        const rows = statementRows(book.trades.values(), day).map((r): AlipayStatementRow => ({
          tradeNo: r.trade.tradeNo!, orderNo: r.trade.orderNo, kind: r.kind === 'payment' ? '交易' : '退款', subject: r.trade.subject,
          createdAt: dashedDateTime(r.trade.createdAt), finishedAt: dashedDateTime(r.at), buyer: BUYER_LOGON, amount: yuanOf(r.trade.fen),
          received: r.kind === 'payment' ? yuanOf(r.fen) : `-${yuanOf(r.fen)}`, refundNo: r.kind === 'refund' ? r.refund.refundNo : '', fee: '0.00',
        }));
        const token = randomBytes(8).toString('hex');
        bills.set(token, buildAlipayStatement(s.sellerId, day, rows, dashedDateTime(new Date())));
        return answer(res, method, { code: SUCCESS_CODE, msg: 'Success', bill_download_url: `${req.protocol}://${req.get('host')}${req.baseUrl}/bill/${token}.csv.zip` });
      }
      default:
        return fail(res, method, '40004', 'Business Failed', 'isv.invalid-method', '不存在的方法名');
    }
  });

  router.get('/bill/:file', (req, res) => {
    const file = bills.get(req.params.file.replace(/\.csv\.zip$/, ''));
    if (!file) return res.status(404).type('text/plain').send('not found');
    res.type('application/zip').send(file);
  });
  return router;
}
