// 支付宝 OpenAPI, simulated (the other side of src/gateways/alipay): gateway.do answering
// alipay.trade.precreate (a QR the payer "scans": our checkout page with 确认支付 / 取消支付),
// alipay.trade.page.pay (the browser's signed form lands on the same checkout), alipay.trade.wap.pay
// (a phone's form lands on the mobile cashier, ./wap.ts), trade.query,
// trade.close, trade.refund and the bill download URL, every answer a signed
// `alipay_trade_xxx_response` JSON; asynchronous notifications as form posts signed RSA2
// (trade_status TRADE_SUCCESS) on Alipay's published retry schedule — 4m, 10m, 10m, 1h, 2h, 6h,
// 15h after the first — until the body is exactly `success`; the bill a zip of GBK CSV files.
//
// As Alipay does, and no easier: a precreated trade does not exist at Alipay until the payer
// scans the QR (here: opens the checkout page): before that, trade.query / trade.close /
// trade.refund answer 40004 ACQ.TRADE_NOT_EXIST, and the QR stays payable until its expiry
// (time_expire, else timeout_express counted from the precreate). Refund faults through the
// control API (refund_system_error …, see ../control.ts). 公钥证书 mode (setCertMode): requests
// must carry the app_cert_sn / alipay_root_cert_sn of the certificates given and are verified with
// the key in the app's certificate; answers carry alipay_cert_sn and are signed, like
// notifications, with the key of Alipay's certificate.
//
// Chosen here, not public: trade numbers (2026…), buyer ids, the checkout page's look, and the
// sub_code for a wrong certificate SN (isv.cert-sn-not-match: Alipay's exact code is not published).
// The API calls and the bill files: ./gateway.ts; the trades, notifications and checkout: here.
import { randomBytes, randomInt } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import type { Config } from '../../config';
import { businessDate } from '../../domain/business-date';
import { Decimal, fromFen, plainMoney, toFen } from '../../domain/money';
import { YUAN, signNotification, signedResponse, type Params } from '../../gateways/alipay/codec';
import { certPublicKey, certSn, pemCertificates, rootCertSn } from '../../gateways/alipay/cert';
import { dashedDateTime, encodeForm, parseShanghai } from '../../gateways/common/crypto';
import type { Logger } from '../../logger';
import { ensureKeyPair } from '../keys';
import { BUYER_ID, BUYER_LOGON, gatewayRoutes } from './gateway';
import { wapCashier } from './wap';
import {
  checkoutRoutes, newTrade, notifyPaid, subPaymentBook, tradeBook,
  type Mutation, type SandboxControl, type SimTrade, type SubPaymentChannel,
} from '../kit';

/** Seconds before each attempt: at once, then Alipay's 4m, 10m, 10m, 1h, 2h, 6h, 15h. */
export const ALIPAY_SCHEDULE_S = [0, 240, 600, 600, 3600, 7200, 21600, 54000];

export interface AlipaySandboxSettings { appId: string; sellerId: string }

/** The fiscal merchant's Alipay partner id (甘肃省财政厅's account behind the non-tax cashier). */
export const FISCAL_SELLER_ID = '2088621000000620';

export function createAlipaySimulator(opts: { config: Config; control: SandboxControl; settings: AlipaySandboxSettings; keyDir: string; logger?: Logger }) {
  const { control, settings: s } = opts;
  const platform = ensureKeyPair(opts.keyDir, 'alipay-platform');
  const merchant = ensureKeyPair(opts.keyDir, 'alipay-merchant');
  const book = tradeBook();
  // Payments the non-tax platform opens here for 甘肃省财政厅 (its cashier's 支付宝).
  const fiscal = subPaymentBook();

  /** 公钥证书 mode, off unless a test (or a demo) turns it on. */
  let cert: { appCertSn: string; alipayRootCertSn: string; alipayCertSn: string; appPublicKey: string; signingKey: string } | null = null;
  function setCertMode(c: { appCert: string; alipayCert: string; alipayCertPrivateKey: string; rootCert: string } | null) {
    cert = c && {
      appCertSn: certSn(pemCertificates(c.appCert)[0]!), alipayRootCertSn: rootCertSn(c.rootCert), alipayCertSn: certSn(pemCertificates(c.alipayCert)[0]!),
      appPublicKey: certPublicKey(c.appCert), signingKey: c.alipayCertPrivateKey,
    };
  }
  const signingKey = () => cert?.signingKey ?? platform.privateKey;

  const yuanOf = (fen: bigint) => plainMoney(fromFen(fen));
  const answer = (res: Response, method: string, body: object) =>
    res.type('application/json; charset=utf-8').send(signedResponse(method, body, signingKey(), cert?.alipayCertSn));
  const fail = (res: Response, method: string, code: string, msg: string, subCode: string, subMsg: string) =>
    answer(res, method, { code, msg, sub_code: subCode, sub_msg: subMsg });
  const notExist = (res: Response, method: string) => fail(res, method, '40004', 'Business Failed', 'ACQ.TRADE_NOT_EXIST', '交易不存在');

  /** The trade as Alipay's API sees it: one whose QR nobody has scanned does not exist yet. */
  const find = (no: string) => {
    const t = book.find(no);
    return t?.extra.scanned ? t : undefined;
  };
  const scan = (t: SimTrade) => {
    if (t.status === 'UNPAID') t.extra.scanned = '1';
  };

  const tradeStatus = (t: SimTrade) =>
    t.status === 'PAID' ? (t.refundedFen >= t.fen ? 'TRADE_CLOSED' : 'TRADE_SUCCESS') : t.status === 'CLOSED' ? 'TRADE_CLOSED' : 'WAIT_BUYER_PAY';

  function notify(t: SimTrade) {
    control.deliver({
      channel: 'alipay', orderNo: t.orderNo, scheduleS: ALIPAY_SCHEDULE_S,
      // The merchant must answer exactly "success"; anything else is a failure and retried.
      isAck: (status, text) => status === 200 && text === 'success',
      send: async (m: Mutation) => {
        const now = new Date();
        const total = yuanOf(t.fen + (m === 'wrong_amount' ? 1n : 0n));
        const fields = signNotification({
          notify_time: dashedDateTime(now), notify_type: 'trade_status_sync', notify_id: `2026${randomBytes(14).toString('hex')}`,
          app_id: s.appId, charset: 'utf-8', version: '1.0', auth_app_id: s.appId,
          trade_no: t.tradeNo!, out_trade_no: t.orderNo, buyer_id: BUYER_ID, buyer_logon_id: BUYER_LOGON,
          seller_id: m === 'wrong_merchant' ? '2088999999999999' : t.merchantId, seller_email: 'pay@example.edu.cn',
          trade_status: 'TRADE_SUCCESS', total_amount: total, receipt_amount: total, buyer_pay_amount: total, invoice_amount: total,
          subject: t.subject, gmt_create: dashedDateTime(t.createdAt), gmt_payment: dashedDateTime(t.paidAt!),
          fund_bill_list: JSON.stringify([{ amount: total, fundChannel: 'ALIPAYACCOUNT' }]),
        }, signingKey());
        // tamper: a field changed after signing, as a man in the middle would.
        if (m === 'tamper') fields.total_amount = yuanOf(t.fen + 100n);
        const r = await fetch(t.notifyUrl, {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: encodeForm(fields), signal: AbortSignal.timeout(5000),
        });
        return { status: r.status, text: await r.text() };
      },
    });
  }

  function pay(t: SimTrade) {
    t.extra.scanned = '1';
    const at = new Date();
    book.markPaid(t, `${businessDate(at).replace(/-/g, '')}22001${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e4)).padStart(4, '0')}`, at);
    if (fiscal.paid(t)) return;
    notifyPaid(control, 'alipay', t, notify);
  }

  /** A new trade from precreate or page.pay; an existing one must agree on the amount. */
  function open(biz: Record<string, unknown>, p: Params): { t: SimTrade } | { code: string; msg: string; sub: string; subMsg: string } {
    const no = biz.out_trade_no;
    const amount = biz.total_amount;
    if (typeof no !== 'string' || !/^[0-9A-Za-z_]{1,64}$/.test(no) || typeof amount !== 'string' || !YUAN.test(amount) || new Decimal(amount).lte(0) || typeof biz.subject !== 'string' || !biz.subject) {
      return { code: '40002', msg: 'Invalid Arguments', sub: 'isv.invalid-parameter', subMsg: '参数无效' };
    }
    const fen = toFen(new Decimal(amount));
    const existing = book.find(no);
    if (existing?.status === 'PAID') return { code: '40004', msg: 'Business Failed', sub: 'ACQ.TRADE_HAS_SUCCESS', subMsg: '交易已被支付' };
    if (existing && existing.fen !== fen) return { code: '40004', msg: 'Business Failed', sub: 'ACQ.CONTEXT_INCONSISTENT', subMsg: '交易信息被篡改' };
    if (existing?.status === 'CLOSED') return { code: '40004', msg: 'Business Failed', sub: 'ACQ.TRADE_HAS_CLOSE', subMsg: '交易已经关闭' };
    const t = existing ?? book.add(newTrade({
      channelOrderId: no, merchantId: s.sellerId, orderNo: no, fen, subject: biz.subject, notifyUrl: p.notify_url ?? '', returnUrl: p.return_url ?? '', expireAt: expiryOf(biz),
    }));
    // page.pay after precreate: the same trade, now with the page to send the browser back to.
    if (p.return_url) t.returnUrl = p.return_url;
    return { t };
  }

  /**
   * When an unscanned QR stops being payable: time_expire wins when it comes (Alipay's rule),
   * else qr_code_timeout_express, else timeout_express, counted from the precreate.
   */
  function expiryOf(biz: Record<string, unknown>): Date | null {
    if (typeof biz.time_expire === 'string') return parseShanghai(biz.time_expire);
    const rel = [biz.qr_code_timeout_express, biz.timeout_express].find((x): x is string => typeof x === 'string');
    const m = rel ? /^(\d+)([mhd])$/.exec(rel) : null;
    if (!m) return null;
    return new Date(Date.now() + Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd']);
  }

  const checkoutUrl = (req: Request, t: SimTrade) => `${req.protocol}://${req.get('host')}${req.baseUrl}/qr/${t.extra.token}`;
  const wapUrl = (req: Request, t: SimTrade) => `${req.protocol}://${req.get('host')}${req.baseUrl}/wap/${t.extra.token}`;

  const router = Router();
  router.use(gatewayRoutes({
    control, settings: s, book, cert: () => cert, merchantPublicKey: merchant.publicKey,
    find, open, tradeStatus, notify, checkoutUrl, wapUrl, scan, yuanOf, answer, fail, notExist,
  }));
  // 手机网站支付's cashier (./wap.ts).
  router.use(wapCashier({ book, pay, signingKey, appId: s.appId, merchantName: opts.config.schoolName, yuanOf }));

  // The payer's side: the QR to scan, 确认支付 standing in for the phone, 取消支付 walking away
  // (back to the non-tax cashier for a payment it opened).
  router.use(checkoutRoutes({
    path: '/qr/:token',
    find(req) {
      const token = String(req.params.token ?? '');
      const t = book.byToken(token) ?? fiscal.byToken(token);
      // Opening the page is the scan: from now on the trade exists at Alipay (WAIT_BUYER_PAY).
      if (t && req.method === 'GET') scan(t);
      return t;
    },
    notFound: '二维码已失效',
    async render(req, res, t, state) {
      res.render('sandbox/alipay-checkout', {
        title: '支付宝 - 扫码支付', t, state, amount: yuanOf(t.fen), merchant: fiscal.requestOf(t)?.payee ?? opts.config.schoolName,
        qr: await QRCode.toDataURL(checkoutUrl(req, t), { margin: 1, width: 220 }), action: `${req.baseUrl}/qr/${t.extra.token}`,
      });
    },
    pay,
    subPayments: fiscal,
  }));

  /** The non-tax cashier's 支付宝: a trade of 甘肃省财政厅's account, paid on the same checkout. */
  const subPayments: SubPaymentChannel = {
    openSubPayment(req) {
      const t = fiscal.open(req, FISCAL_SELLER_ID, {});
      return fiscal.handle(t, `/qr/${t.extra.token}`);
    },
  };
  return { router, trades: book.trades, fiscalTrades: fiscal.trades, platformKeys: platform, merchantKeys: merchant, pay, notify, subPayments, setCertMode, scan };
}

export type AlipaySimulator = ReturnType<typeof createAlipaySimulator>;
