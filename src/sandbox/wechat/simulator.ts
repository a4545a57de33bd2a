// WeChat Pay API v3, simulated (the other side of src/gateways/wechat): Native orders, query,
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
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type Request, type Response } from 'express';
import forge from 'node-forge';
import QRCode from 'qrcode';
import type { Config } from '../../config';
import { fromFen, plainMoney } from '../../domain/money';
import { compactDateTime, dashedDateTime } from '../../gateways/common/crypto';
import { encryptResource, signedHeaders, verifyRequest } from '../../gateways/wechat/codec';
import { buildWechatBill, sha1, type WechatBillRow } from '../../gateways/wechat/statement';
import type { Logger } from '../../logger';
import { ensureKeyPair } from '../keys';
import {
  asUnpaid, checkoutRoutes, expireIfDue, newTrade, notifyPaid, queryFault, refundTrade, releaseHeld, statementRows, subPaymentBook, tradeBook,
  type Mutation, type SandboxControl, type SimTrade, type SubPaymentChannel,
} from '../kit';

/** Seconds before each attempt: WeChat's documented 15s/15s/30s/3m/10m/20m/30m×3/60m/3h×3/6h×2. */
export const WECHAT_SCHEDULE_S = [0, 15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];

/** The fiscal merchant's WeChat Pay mchid (甘肃省财政厅's account behind the non-tax cashier). */
export const FISCAL_MCH_ID = '1620000620';

export interface WechatSandboxSettings { appId: string; mchId: string; merchantSerialNo: string; platformKeyId: string }

/** The APIv3 key the sandbox shares with the merchant: 32 characters, kept under the key dir. */
export function ensureApiV3Key(dir: string): string {
  const file = path.join(dir, 'wechat-apiv3.key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(16).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/** A platform certificate the sandbox issued: the key it signs with, the X.509 it lists. */
export interface SimCertificate { serialNo: string; pem: string; privateKey: string; publicKey: string; effective: Date; expire: Date }

/** A self-issued X.509 platform certificate (subject as WeChat's: O=财付通支付科技有限公司), 5 years. */
export function issuePlatformCertificate(mchId: string, now = new Date()): SimCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // 20 random bytes, high bit clear: a positive 40-hex serial like WeChat's.
  const serial = randomBytes(20);
  serial[0] = (serial[0]! & 0x7f) | 0x10;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + 5 * 365 * 86400_000);
  const attrs = [{ shortName: 'C', value: 'CN' }, { shortName: 'O', value: 'Tenpay.com' }, { shortName: 'OU', value: 'Tenpay.com CA Center' }, { shortName: 'CN', value: `WeChat Pay platform ${mchId}` }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { serialNo: serial.toString('hex').toUpperCase(), pem: forge.pki.certificateToPem(cert), privateKey, publicKey, effective: cert.validity.notBefore, expire: cert.validity.notAfter };
}

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
  const bills = new Map<string, Buffer>();
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
    ...(t.tradeNo ? { transaction_id: t.tradeNo } : {}), trade_type: 'NATIVE',
    trade_state: t.status === 'PAID' ? (t.refundedFen > 0n ? 'REFUND' : 'SUCCESS') : t.status === 'CLOSED' ? 'CLOSED' : 'NOTPAY',
    trade_state_desc: t.status === 'PAID' ? '支付成功' : t.status === 'CLOSED' ? '订单已关闭' : '订单未支付', attach: t.subject,
    ...(t.paidAt ? { success_time: `${dashedDateTime(t.paidAt).replace(' ', 'T')}+08:00`, bank_type: 'OTHERS', payer: { openid: 'oSandbox0000000000000000000' } } : {}),
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

  api.post('/v3/refund/domestic/refunds', (req, res) => {
    const b = json(req);
    const t = typeof b.out_trade_no === 'string' ? book.find(b.out_trade_no) : undefined;
    const amount = b.amount as { refund?: unknown; total?: unknown } | undefined;
    if (!t || t.status !== 'PAID') return send(res, 404, { code: 'RESOURCE_NOT_EXISTS', message: '订单不存在' });
    if (!Number.isSafeInteger(amount?.refund) || (amount!.refund as number) <= 0) return send(res, 400, { code: 'PARAM_ERROR', message: '退款金额无效' });
    // The same out_refund_no again is the same refund (WeChat answers it, it does not refund
    // twice); the same number for another amount is refused.
    const r = refundTrade(t, typeof b.out_refund_no === 'string' ? b.out_refund_no : '', BigInt(amount!.refund as number));
    if ('refund' in r && r.kind !== 'mismatch') {
      return send(res, 200, { refund_id: `5030${compactDateTime(new Date())}${String(randomInt(0, 1e6)).padStart(6, '0')}`, out_refund_no: r.refund.refundNo, out_trade_no: t.orderNo, transaction_id: t.tradeNo, status: 'SUCCESS', amount: { refund: Number(r.refund.fen), total: Number(t.fen), currency: 'CNY' } });
    }
    if (r.kind === 'mismatch') return send(res, 400, { code: 'INVALID_REQUEST', message: '同一退款单号金额不一致' });
    if (r.kind === 'exceeds') return send(res, 400, { code: 'NOT_ENOUGH', message: '退款金额超过可退金额' });
    if (r.kind === 'invalid') return send(res, 400, { code: 'PARAM_ERROR', message: '商户退款单号无效' });
    send(res, 404, { code: 'RESOURCE_NOT_EXISTS', message: '订单不存在' });
  });

  // 查询单笔退款: the refunds are kept on their trades; 404 when none has this out_refund_no.
  api.get('/v3/refund/domestic/refunds/:no', async (req, res) => {
    if (await queryFault(control, 'wechat', res)) return;
    const found = book.findRefund(req.params.no);
    if (!found) return send(res, 404, { code: 'RESOURCE_NOT_EXISTS', message: '退款单不存在' });
    const { trade: t, refund: r } = found;
    send(res, 200, {
      refund_id: `R${r.refundNo}`, out_refund_no: r.refundNo, transaction_id: t.tradeNo, out_trade_no: t.orderNo, channel: 'ORIGINAL', status: 'SUCCESS',
      success_time: `${dashedDateTime(r.at).replace(' ', 'T')}+08:00`, amount: { refund: Number(r.fen), total: Number(t.fen), payer_refund: Number(r.fen), currency: 'CNY' },
    });
  });

  api.get('/v3/bill/tradebill', (req, res) => {
    const day = String(req.query.bill_date ?? '');
    const rows = statementRows(book.trades.values(), day).map((x): WechatBillRow => {
      const t = x.trade;
      const row = { time: dashedDateTime(x.at), appId: s.appId, mchId: s.mchId, transactionId: t.tradeNo!, orderNo: t.orderNo, openId: 'oSandbox0000000000000000000', amount: plainMoney(fromFen(t.fen)), subject: t.subject, fee: '0.00000' };
      return x.kind === 'payment'
        ? { ...row, state: 'SUCCESS', refundId: '', refundNo: '', refund: '' }
        : { ...row, state: 'REFUND', refundId: `R${x.refund.refundNo}`, refundNo: x.refund.refundNo, refund: plainMoney(fromFen(x.fen)) };
    });
    const file = buildWechatBill(rows);
    const token = randomBytes(8).toString('hex');
    bills.set(token, file);
    send(res, 200, { hash_type: 'SHA1', hash_value: sha1(file), download_url: `${req.protocol}://${req.get('host')}${req.baseUrl}/v3/billdownload/file?token=${token}` });
  });
  api.get('/v3/billdownload/file', (req, res) => {
    const file = bills.get(String(req.query.token ?? ''));
    if (!file) return send(res, 404, { code: 'NO_STATEMENT_EXIST', message: '账单不存在' });
    res.type('text/csv').send(file);
  });

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
  router.use(phone, api);

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
