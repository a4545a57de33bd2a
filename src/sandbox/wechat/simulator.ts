// WeChat Pay API v3, simulated (the other side of src/gateways/wechat): Native, H5 (./h5.ts) and JSAPI (./jsapi.ts) orders, query,
// close, refund, the trade bill, the "phone" page the code_url opens (QR + 确认支付 / 取消支付)
// and signed, encrypted TRANSACTION.SUCCESS notifications on WeChat's published retry
// schedule until the merchant answers 200/204.
// Keys: it starts signing with the WeChat Pay public key (PUB_KEY_ID_…, today's merchant
// config) and also lists a platform certificate at GET /v3/certificates, as WeChat does for a
// merchant in the middle of the migration; the rotate_key fault makes it sign from then on with
// a newly issued certificate (new serial), listed at /v3/certificates before its first use, as
// WeChat lists a new certificate before signing with it. Certificates are X.509 issued with
// node-forge and delivered encrypted under the APIv3 key (AEAD_AES_256_GCM, associated_data
// "certificate"), as the SDKs' CertificateDownloader expects them. A 404 ORDER_NOT_EXIST
// answer to a query is unsigned: the adapter must read the status before the signature.
// Keys and certificates: ./certificates.ts; refunds: ./refunds.ts; the trade bill: ./bill.ts.
import { randomBytes, randomInt } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import type { Config } from '../../config';
import { fromFen, plainMoney } from '../../domain/money';
import { compactDateTime, dashedDateTime } from '../../gateways/common/crypto';
import { encryptResource, signedHeaders, verifyRequest } from '../../gateways/wechat/codec';
import type { Logger } from '../../logger';
import { ensureKeyPair } from '../keys';
import { billRoutes } from './bill';
import { ensureApiV3Key, issuePlatformCertificate, type SimCertificate } from './certificates';
import { wechatH5 } from './h5';
import { wechatJsapi } from './jsapi';
import { refundRoutes } from './refunds';
import {
  asUnpaid, checkoutRoutes, expireIfDue, newTrade, notifyPaid, queryFault, releaseHeld, subPaymentBook, tradeBook,
  type Mutation, type SandboxControl, type SimTrade, type SubPaymentChannel,
} from '../kit';

/** Seconds before each attempt: WeChat's documented 15s/15s/30s/3m/10m/20m/30m×3/60m/3h×3/6h×2. */
export const WECHAT_SCHEDULE_S = [0, 15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];

/** The fiscal merchant's WeChat Pay mchid (甘肃省财政厅's account behind the non-tax cashier). */
export const FISCAL_MCH_ID = '1620000620';

export { ensureApiV3Key, issuePlatformCertificate, type SimCertificate } from './certificates';

export interface WechatSandboxSettings { appId: string; mchId: string; merchantSerialNo: string; platformKeyId: string }

export function createWechatSimulator(opts: { config: Config; control: SandboxControl; settings: WechatSandboxSettings; keyDir: string; logger?: Logger }) {
  const { control, settings: s } = opts;
  const platform = ensureKeyPair(opts.keyDir, 'wechat-platform');
  const merchant = ensureKeyPair(opts.keyDir, 'wechat-merchant');
  const apiV3 = ensureApiV3Key(opts.keyDir);
  const merchantKeys = { [`${s.mchId}:${s.merchantSerialNo}`]: merchant.publicKey };
  // Issued certificates, oldest first; all stay listed until they expire.
  const certificates: SimCertificate[] = [issuePlatformCertificate(s.mchId)];
  let signer: { id: string; privateKey: string } = { id: s.platformKeyId, privateKey: platform.privateKey };
  /** The key for the next signed message; rotate_key switches it to a new certificate first. */
  const signing = () => {
    if (control.take('wechat', ['rotate_key'])) {
      const c = issuePlatformCertificate(s.mchId);
      certificates.push(c);
      signer = { id: c.serialNo, privateKey: c.privateKey };
      opts.logger?.info({ serial: c.serialNo }, 'sandbox wechat: signing key rotated');
    }
    return signer;
  };
  const knownKeyIds = () => new Set([s.platformKeyId, ...certificates.map((c) => c.serialNo)]);
  const book = tradeBook();
  const trades = book.trades;
  // Payments the non-tax platform opens here for 甘肃省财政厅 (its cashier's 微信).
  const fiscal = subPaymentBook();

  const send = (res: Response, status: number, body?: object, o: { unsigned?: boolean } = {}) => {
    const text = body ? JSON.stringify(body) : '';
    res.status(status);
    if (!o.unsigned) {
      const k = signing();
      res.set(signedHeaders(text, k.id, k.privateKey));
    }
    res.set('Request-ID', randomBytes(16).toString('hex'));
    if (body) res.type('application/json').send(text);
    else res.end();
  };

  const transaction = (t: SimTrade, m: Mutation = null) => ({
    appid: s.appId, mchid: m === 'wrong_merchant' ? '1900009999' : t.merchantId, out_trade_no: t.orderNo,
    ...(t.tradeNo ? { transaction_id: t.tradeNo } : {}), trade_type: t.extra.tradeType ?? 'NATIVE',
    trade_state: t.status === 'PAID' ? (t.refundedFen > 0n ? 'REFUND' : 'SUCCESS') : t.status === 'CLOSED' ? 'CLOSED' : 'NOTPAY',
    trade_state_desc: t.status === 'PAID' ? '支付成功' : t.status === 'CLOSED' ? '订单已关闭' : '订单未支付', attach: t.subject,
    ...(t.paidAt ? { success_time: `${dashedDateTime(t.paidAt).replace(' ', 'T')}+08:00`, bank_type: 'OTHERS', payer: { openid: t.extra.openid ?? 'oSandbox0000000000000000000' } } : {}),
    // Fen as a JSON integer, as WeChat sends it; below 2^53 the number is exact.
    amount: { total: Number(t.fen + (m === 'wrong_amount' ? 1n : 0n)), payer_total: Number(t.fen), currency: 'CNY', payer_currency: 'CNY' },
  });

  function notify(t: SimTrade) {
    control.deliver({
      channel: 'wechat', orderNo: t.orderNo, scheduleS: WECHAT_SCHEDULE_S,
      isAck: (status) => status === 200 || status === 204,
      send: async (m) => {
        const body = JSON.stringify({
          id: `EV-${randomBytes(8).toString('hex')}`, create_time: `${dashedDateTime(new Date()).replace(' ', 'T')}+08:00`, resource_type: 'encrypt-resource',
          event_type: 'TRANSACTION.SUCCESS', summary: '支付成功', resource: encryptResource(JSON.stringify(transaction(t, m)), apiV3, 'transaction'),
        });
        const k = signing();
        const headers = signedHeaders(body, k.id, k.privateKey);
        const sent = m === 'tamper' ? body.replace('"summary":"支付成功"', '"summary":"支付成功 "') : body;
        const r = await fetch(t.notifyUrl, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: sent, signal: AbortSignal.timeout(5000) });
        return { status: r.status, text: await r.text() };
      },
    });
  }

  function pay(t: SimTrade) {
    const at = new Date();
    book.markPaid(t, `4200${compactDateTime(at)}${String(randomInt(0, 1e9)).padStart(9, '0')}`, at);
    if (fiscal.paid(t)) return;
    notifyPaid(control, 'wechat', t, notify);
  }

  const api = Router();
  api.use(express.text({ type: () => true, limit: '64kb' }));
  api.use('/v3', (req, res, next) => {
    const body = typeof req.body === 'string' ? req.body : '';
    const v = verifyRequest({ method: req.method, pathWithQuery: req.originalUrl, body, authorization: req.get('authorization') }, merchantKeys);
    if (!v.ok) return send(res, 401, { code: 'SIGN_ERROR', message: `签名错误 (${v.reason})` });
    // Wechatpay-Serial names the WeChat key the merchant holds; one we never issued is refused.
    const serial = req.get('wechatpay-serial');
    if (serial !== undefined && !knownKeyIds().has(serial)) return send(res, 400, { code: 'PARAM_ERROR', message: 'Wechatpay-Serial 对应的证书或公钥不存在' });
    next();
  });
  const json = (req: Request) => {
    try {
      return JSON.parse(typeof req.body === 'string' ? req.body : '{}') as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  // 下载平台证书: every certificate still valid, encrypted under the APIv3 key.
  api.get('/v3/certificates', (_req, res) => {
    const k = signing();
    const t = new Date();
    const rfc = (d: Date) => `${dashedDateTime(d).replace(' ', 'T')}+08:00`;
    const data = certificates.filter((c) => c.expire > t).map((c) => {
      const e = encryptResource(c.pem, apiV3, 'certificate', 'certificate');
      return { serial_no: c.serialNo, effective_time: rfc(c.effective), expire_time: rfc(c.expire), encrypt_certificate: { algorithm: e.algorithm, nonce: e.nonce, associated_data: e.associated_data, ciphertext: e.ciphertext } };
    });
    const text = JSON.stringify({ data });
    res.status(200).set(signedHeaders(text, k.id, k.privateKey)).type('application/json').send(text);
  });

  api.post('/v3/pay/transactions/native', (req, res) => {
    const b = json(req);
    const amount = b.amount as { total?: unknown } | undefined;
    if (b.mchid !== s.mchId || b.appid !== s.appId) return send(res, 400, { code: 'MCH_NOT_EXISTS', message: '商户号不存在' });
    if (typeof b.out_trade_no !== 'string' || typeof b.notify_url !== 'string' || !Number.isSafeInteger(amount?.total) || (amount!.total as number) <= 0) {
      return send(res, 400, { code: 'PARAM_ERROR', message: '参数错误' });
    }
    const existing = book.find(b.out_trade_no);
    if (existing?.status === 'PAID') return send(res, 400, { code: 'ORDERPAID', message: '该订单已支付' });
    // One out_trade_no is one product: an H5 order cannot become a Native one (./h5.ts).
    if (existing && (existing.extra.tradeType ?? 'NATIVE') !== 'NATIVE') return send(res, 400, { code: 'INVALID_REQUEST', message: '201 商户订单号重复' });
    if (existing && existing.fen !== BigInt(amount!.total as number)) return send(res, 400, { code: 'INVALID_REQUEST', message: '订单金额与原订单不一致' });
    const t = book.add(existing ?? newTrade({
      channelOrderId: b.out_trade_no, merchantId: s.mchId, orderNo: b.out_trade_no, fen: BigInt(amount!.total as number), subject: String(b.description ?? ''),
      notifyUrl: b.notify_url, returnUrl: '', expireAt: typeof b.time_expire === 'string' ? new Date(b.time_expire) : null, extra: { pr: randomBytes(6).toString('hex') },
    }));
    send(res, 200, { code_url: `${req.protocol}://${req.get('host')}${req.baseUrl}/pay/${t.extra.pr}?no=${encodeURIComponent(t.orderNo)}` });
  });

  api.get('/v3/pay/transactions/out-trade-no/:no', async (req, res) => {
    if (await queryFault(control, 'wechat', res)) return;
    const t = book.find(req.params.no);
    if (!t || req.query.mchid !== s.mchId) return send(res, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' }, { unsigned: true });
    // A held (reordered) payment is not visible yet: the close must overtake it.
    send(res, 200, transaction(t.heldForClose ? asUnpaid(t) : t));
  });

  api.post('/v3/pay/transactions/out-trade-no/:no/close', (req, res) => {
    const t = book.find(req.params.no);
    if (!t) return send(res, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' });
    // reorder fault: closed as far as this answer says; the held payment's notification follows it.
    if (releaseHeld(t, notify)) return send(res, 204);
    if (t.status === 'PAID') return send(res, 400, { code: 'ORDERPAID', message: '订单已支付' });
    t.status = 'CLOSED';
    send(res, 204);
  });

  // H5: a phone's browser (./h5.ts). Its domain is the one the school registered: PUBLIC_URL's host.
  const h5 = wechatH5({ settings: s, book, send, json, pay, registeredHost: new URL(opts.config.publicUrl).hostname, merchantName: opts.config.schoolName });
  h5.prepay(api);
  // JSAPI and the official account's 网页授权 (./jsapi.ts), for a payer inside WeChat's browser.
  const jsapi = wechatJsapi({ settings: s, book, send, json, pay, merchantPublicKey: merchant.publicKey, registeredHost: new URL(opts.config.publicUrl).hostname, merchantName: opts.config.schoolName, keyDir: opts.keyDir });
  jsapi.prepay(api);
  refundRoutes(api, { control, book, json, send });
  billRoutes(api, { settings: s, book, send });

  // The phone: what scanning code_url opens (?no= names the trade, :pr is its page). 确认支付
  // pays, 取消支付 walks away (back to the non-tax cashier for a payment it opened).
  const tradeOfPage = (req: Request) => {
    const no = String(req.query.no ?? '');
    const t = book.find(no) ?? fiscal.trades.get(no);
    if (t) expireIfDue(t);
    return t && t.extra.pr === req.params.pr ? t : undefined;
  };
  const page = async (req: Request, res: Response, t: SimTrade, state: string) => {
    const url = `${req.protocol}://${req.get('host')}${req.baseUrl}/pay/${t.extra.pr}?no=${encodeURIComponent(t.orderNo)}`;
    res.render('sandbox/wechat-checkout', {
      title: '微信支付', t, state, amount: plainMoney(fromFen(t.fen)), merchant: fiscal.requestOf(t)?.payee ?? opts.config.schoolName, qr: await QRCode.toDataURL(url, { margin: 1, width: 220 }),
      action: `${t.extra.pr}?no=${encodeURIComponent(t.orderNo)}`,
    });
  };
  const phone = checkoutRoutes({ path: '/pay/:pr', find: tradeOfPage, notFound: '二维码已失效', render: page, pay, subPayments: fiscal });

  const router = Router();
  router.use(phone, h5.page, jsapi.page, api);

  /** The non-tax cashier's 微信: a trade of 甘肃省财政厅's mchid, paid on the same phone page. */
  const subPayments: SubPaymentChannel = {
    openSubPayment(req) {
      const t = fiscal.open(req, FISCAL_MCH_ID, { pr: randomBytes(6).toString('hex') });
      return fiscal.handle(t, `/pay/${t.extra.pr}?no=${encodeURIComponent(t.orderNo)}`);
    },
  };
  return {
    router, trades, fiscalTrades: fiscal.trades, platformKeys: platform, merchantKeys: merchant, apiV3Key: apiV3, pay, subPayments, certificates,
    /** The id of the key the next message is signed with (after any armed rotation). */
    signingKeyId: () => signer.id,
  };
}

export type WechatSimulator = ReturnType<typeof createWechatSimulator>;
