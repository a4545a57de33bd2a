// 银联在线支付 through the online gateway (全渠道) 5.1.0, signMethod 01: a front transaction form
// the browser posts to frontTransReq.do (the payer pays on UnionPay's pages), a back
// notification to backUrl, queryTrans.do (origRespCode), backTransReq.do for refunds, and
// fileTransfer on the separate file-download host (acpsdk.fileTransUrl, e.g.
// https://filedownload.95516.com/) for the statement. Wire format: ./codec.ts; statement: ./statement.ts.
//
// close: the gateway has no "close an unpaid order"; an order stops being payable at its
// payTimeout (yyyyMMddHHmmss, which we always send = the order's expiry). So close() answers
// paid if it was paid, closed only once the expiry has passed, and otherwise open until the
// expiry: "not found" (34) or "processing" (03/04/05) is never taken as closed. The ACP demo
// says as much (Xuchengen/demo-pay, commit f77631f3e2c289a1cdfd03c2f870ec1ba366aa4b,
// src/main/java/com/unionpay/acp/demo/consume/Form_6_2_FrontConsume.java: 失败，处理中，查询不到订单均
// 可能为中间状态 … 过了 payTimeout 这个时间点查询，得到的结果为最终结果; payTimeout as
// SimpleDateFormat("yyyyMMddHHmmss"); past it, an origRespCode other than 00 or A6 is a failure;
// Form_6_5_Query.java: origRespCode 03/04/05 → 需再次发起交易状态查询). A6 is never taken as closed
// (its meaning for this product is for the school to confirm with UnionPay); 网银 payments can
// still succeed after payTimeout (UnionPay then refunds them itself, same demo file).
import { readFileSync } from 'node:fs';
import { fromFen, toFen } from '../../domain/money';
import { channelFetch, compactDateTime, encodeForm, parseFormStrict, parseShanghai } from '../common/crypto';
import { handleNotification, type NotificationSpec } from '../common/notification';
import { pastGrace } from '../common/expiry';
import {
  ChannelError,
  type ChannelAdapter, type ChannelAnswer, type ChannelOrder, type CloseResult, type CreatedPayment, type PaidEvent,
  type QueryResult, type RefundQueryResult, type RefundResult, type Statement,
} from '../types';
import { ACK, FEN, NOT_FOUND, PROCESSING, SIGN_METHOD, VERSION, acpVerifier, parseAcpResponse, sign, type AcpVerifier, type Fields } from './codec';
import { readPfx, type MerchantKey } from './pfx';
import { parseFileContent } from './statement';

export interface UnionpayConfig {
  /** Gateway base, e.g. https://gateway.95516.com (we append /gateway/api/…). */
  url: string;
  /** The file-download host, posted to as is (acpsdk.fileTransUrl), e.g. https://filedownload.95516.com/. */
  fileUrl: string;
  merId: string;
  /** The merchant's signing key as UnionPay issues it: a .pfx and its password; certId is read from it. */
  signCertFile: string;
  signCertPassword: string;
  /** UnionPay's root and middle certificates (acp_root.cer / acp_middle.cer; acp_test_*.cer in the test environment). */
  rootCertFile: string;
  middleCertFile: string;
  /** acpsdk.ifValidateCNName: false only against UnionPay's test environment (accepts CN 00040000:SIGN). */
  validateCnName: boolean;
  timeoutMs?: number;
}

const text = (status: number, body: string): ChannelAnswer => ({ status, contentType: 'text/plain; charset=utf-8', body });

function paidEvent(f: Fields, channelOrderId: string): PaidEvent | null {
  if (!FEN.test(f.txnAmt ?? '') || !f.queryId) return null;
  const at = parseShanghai(f.traceTime ? `${(f.txnTime ?? '').slice(0, 4)}${f.traceTime}` : f.txnTime ?? '') ?? parseShanghai(f.txnTime ?? '');
  if (!at) return null;
  return { kind: 'paid', channelOrderId, orderNo: f.orderId ?? null, channelTradeNo: f.queryId, amount: fromFen(f.txnAmt!), paidAt: at, payMethod: '银联' };
}

/** The merchant key, read on first use: the sandbox writes its files at its own start, which may come after ours. */
function lazyMerchantKey(cfg: UnionpayConfig): () => MerchantKey {
  let cache: MerchantKey | null = null;
  return () => {
    if (cache) return cache;
    try {
      cache = readPfx(readFileSync(cfg.signCertFile), cfg.signCertPassword);
      return cache;
    } catch (e) {
      throw new ChannelError(`unionpay signing key not readable: ${(e as Error).message}`);
    }
  };
}

/** The verifier of every answer and notification: signPubKeyCert checked against the configured root and middle. */
export function unionpayVerifier(cfg: Pick<UnionpayConfig, 'rootCertFile' | 'middleCertFile' | 'validateCnName'>, now?: (f: Fields) => Date): AcpVerifier {
  return acpVerifier(() => ({ rootPem: readFileSync(cfg.rootCertFile, 'utf8'), middlePem: readFileSync(cfg.middleCertFile, 'utf8'), validateCnName: cfg.validateCnName }), now);
}

/**
 * `verifyAt`: the time a message's certificate is checked at; now, except for replaying messages
 * UnionPay signed in the past (published test vectors signed with a since-expired certificate).
 */
export function unionpayAdapter(cfg: UnionpayConfig, fetchImpl: typeof fetch = fetch, verifyAt?: (f: Fields) => Date): ChannelAdapter {
  const merchantKey = lazyMerchantKey(cfg);
  const verifier = unionpayVerifier(cfg, verifyAt);
  const check = (f: Fields) => {
    try {
      return verifier(f);
    } catch (e) {
      // The root/middle files are missing or unreadable: nothing can be verified.
      return { ok: false as const, reason: `trust anchors: ${(e as Error).message}` };
    }
  };

  const signed = (f: Fields): Fields => {
    const k = merchantKey();
    return sign({ version: VERSION, encoding: 'UTF-8', signMethod: SIGN_METHOD, certId: k.certId, accessType: '0', merId: cfg.merId, ...f }, k.privateKeyPem);
  };

  async function post(api: string, url: string, f: Fields): Promise<Fields> {
    const r = await channelFetch('unionpay', api, url, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body: encodeForm(signed(f)), timeoutMs: cfg.timeoutMs,
    }, fetchImpl);
    const a = parseAcpResponse(r.text.trim());
    if (!a) throw new ChannelError(`unionpay ${api}: HTTP ${r.status}, not an ACP answer`, true);
    const v = check(a);
    if (!v.ok) throw new ChannelError(`unionpay ${api}: answer failed verification (${v.reason})`, true);
    if (a.merId && a.merId !== cfg.merId) throw new ChannelError(`unionpay ${api}: answer for another merchant`, true);
    return a;
  }
  const back = (api: string, f: Fields) => post(api, `${cfg.url}/gateway/api/${api}`, f);

  /** Our order's txnTime is its creation time: UnionPay identifies a trade by orderId + txnTime. */
  const txnTimeOf = (order: ChannelOrder) => compactDateTime(order.createdAt);

  async function query(order: ChannelOrder): Promise<QueryResult> {
    const a = await back('queryTrans.do', { txnType: '00', txnSubType: '00', bizType: '000000', orderId: order.orderNo, txnTime: txnTimeOf(order) });
    if (a.respCode === NOT_FOUND) return { status: 'not_found' };
    if (a.respCode !== '00') throw new ChannelError(`unionpay query: respCode ${a.respCode} ${a.respMsg ?? ''}`, true);
    if (a.orderId !== order.orderNo) throw new ChannelError('unionpay query: answer is for another order', true);
    if (a.origRespCode === '00') {
      const event = paidEvent(a, order.channelOrderId ?? order.orderNo);
      if (!event) throw new ChannelError('unionpay query: paid without payment details', true);
      return { status: 'paid', event };
    }
    // 03/04/05: still being processed, ask again; never closed. A6: not a failure (see above).
    if (PROCESSING.includes(a.origRespCode ?? '') || a.origRespCode === 'A6') return { status: 'unpaid' };
    // Any other origRespCode: this attempt failed; the page stays payable until payTimeout.
    return { status: pastGrace(order.expiresAt) ? 'closed' : 'unpaid' };
  }

  /**
   * The back notification through the shared skeleton (a URL-encoded form post): only what is
   * UnionPay's own. verify is the same signPubKeyCert check (chain to the configured root and
   * middle, validity, CN) and signMethod 01 signature as every answer's; our trust anchors
   * unreadable is a ChannelError (answered 400 fail, so that UnionPay sends it again).
   */
  const notificationSpec: NotificationSpec<Fields, Fields> = {
    decode: (raw) => parseFormStrict(raw.rawBody),
    claimedOrderNo: (f) => f.orderId,
    verify(f) {
      if (!f.signature) return { ok: false, reason: 'malformed' };
      let v: ReturnType<AcpVerifier>;
      try {
        v = verifier(f);
      } catch (e) {
        throw new ChannelError(`unionpay trust anchors not readable: ${(e as Error).message}`);
      }
      return v.ok ? { ok: true, fields: f } : { ok: false, reason: 'signature' };
    },
    merchant: (f) => f.merId === cfg.merId,
    // Only the consumption's own result credits; refund results (txnType 04) are not payments.
    status: (f) => (f.txnType === '01' && f.respCode === '00' ? 'paid' : 'unsupported'),
    amount: { unit: 'fen', of: (f) => f.txnAmt },
    paid(f) {
      const e = f.orderId ? paidEvent(f, f.orderId) : null;
      if (!e) return null;
      const { kind: _kind, amount: _amount, ...rest } = e;
      return rest;
    },
    ack: () => text(200, ACK),
    // A genuine result we do not credit (a refund's) is answered 200 ok, so that it stops; every
    // other refusal, and our own trust anchors unreadable, 400 fail: UnionPay sends it again.
    nack: (why) => (why === 'unsupported' ? text(200, ACK) : text(400, 'fail')),
  };

  return {
    id: 'unionpay',
    alwaysClosable: false,

    async createPayment(order): Promise<CreatedPayment> {
      const fields = signed({
        // 渠道类型: "这个字段区分B2C网关支付和手机wap支付；07：PC,平板  08：手机" (Xuchengen/demo-pay
        // f77631f, src/main/java/com/unionpay/acp/demo/consume/Form_6_2_FrontConsume.java): UnionPay
        // then shows its mobile pages to a phone. Same transaction otherwise (query, refund, statement).
        txnType: '01', txnSubType: '01', bizType: '000201', channelType: order.client && order.client.device !== 'desktop' ? '08' : '07', currencyCode: '156',
        orderId: order.orderNo, txnTime: txnTimeOf(order), txnAmt: toFen(order.total).toString(),
        frontUrl: order.returnUrl, backUrl: order.notifyUrl, payTimeout: compactDateTime(order.expiresAt),
        // 请求方保留域: echoed back in the notification; carries the subject the payer sees.
        reqReserved: order.subject.slice(0, 100),
      });
      return { action: { kind: 'form', url: `${cfg.url}/gateway/api/frontTransReq.do`, method: 'POST', fields }, channelOrderId: order.orderNo };
    },

    parseNotification: (raw) => handleNotification(notificationSpec, raw),

    query,

    async close(order): Promise<CloseResult> {
      // ACP has no close for an unpaid consumption: it stays payable until payTimeout.
      const q = await query(order);
      if (q.status === 'paid') return { status: 'paid', event: q.event };
      // Closed only on UnionPay's own word (a failed or unknown trade) past payTimeout and the
      // clock grace; 03/04/05/A6 (query says unpaid) are still being processed: open.
      if ((q.status === 'closed' || q.status === 'not_found') && pastGrace(order.expiresAt)) return { status: 'closed' };
      return { status: 'open', until: order.expiresAt };
    },

    async refund(order, amount, refundNo, requestedAt = new Date()): Promise<RefundResult> {
      const q = await query(order);
      if (q.status !== 'paid') return { status: 'failed', reason: 'original trade not paid' };
      const a = await back('backTransReq.do', {
        txnType: '04', txnSubType: '00', bizType: '000201', channelType: '07', currencyCode: '156',
        // The refund is a transaction of its own, named by orderId (our refund number) + txnTime.
        // txnTime is this request's own time: "必须取当前时间，否则会报txnTime无效" (Xuchengen/demo-pay
        // f77631f, src/main/java/com/unionpay/acp/demo/Form_6_4_Refund.java). The caller passes it
        // and keeps it, and queryRefund asks with the latest one.
        // A retry is only sent after queryRefund said 34 (no such transaction) for the earlier one.
        orderId: refundNo, origQryId: q.event.channelTradeNo, txnTime: compactDateTime(requestedAt), txnAmt: toFen(amount).toString(), backUrl: order.notifyUrl,
      });
      // 00 = accepted; the result follows as a back notification (or a query of refundNo).
      if (a.respCode === '00') return { status: 'pending', channelRefundNo: a.queryId ?? refundNo };
      if (PROCESSING.includes(a.respCode ?? '')) return { status: 'pending', channelRefundNo: refundNo };
      return { status: 'failed', reason: `${a.respCode} ${a.respMsg ?? ''}`.trim() };
    },

    // queryTrans.do of the refund transaction itself (orderId = refund number, its txnTime):
    // respCode 34 = never reached UnionPay; origRespCode 00 = refunded, 03/04/05 = processing.
    async queryRefund(_order, ref): Promise<RefundQueryResult> {
      const a = await back('queryTrans.do', { txnType: '00', txnSubType: '00', bizType: '000000', orderId: ref.refundNo, txnTime: compactDateTime(ref.requestedAt) });
      if (a.respCode === NOT_FOUND) return { status: 'not_found' };
      if (a.respCode !== '00') throw new ChannelError(`unionpay refund query: respCode ${a.respCode} ${a.respMsg ?? ''}`, true);
      if (a.orderId !== ref.refundNo) throw new ChannelError('unionpay refund query: answer is for another transaction', true);
      if (PROCESSING.includes(a.origRespCode ?? '')) return { status: 'pending' };
      if (a.origRespCode !== '00') return { status: 'failed', reason: `${a.origRespCode ?? ''} ${a.origRespMsg ?? ''}`.trim() };
      if (!FEN.test(a.txnAmt ?? '')) throw new ChannelError('unionpay refund query: refunded without an amount', true);
      return { status: 'succeeded', channelRefundNo: a.queryId ?? ref.refundNo, amount: fromFen(a.txnAmt!) };
    },

    /** fileTransfer (txnType 76, bizType 000000, fileType 00, settleDate MMDD) on the file-download host. */
    async downloadStatement(day: string): Promise<Statement> {
      const a = await post('fileTransfer', cfg.fileUrl, { txnType: '76', txnSubType: '01', bizType: '000000', fileType: '00', settleDate: day.slice(5).replace('-', ''), txnTime: compactDateTime(new Date()) });
      // 98: 文件不存在 — no transaction that day.
      if (a.respCode === '98') return { raw: '', lines: [] };
      if (a.respCode !== '00' || !a.fileContent) throw new ChannelError(`unionpay fileTransfer: respCode ${a.respCode} ${a.respMsg ?? ''}`.trim(), true);
      try {
        const { names, lines } = parseFileContent(a.fileContent, day);
        // The archive keeps the file as delivered (base64 of the deflated zip) and what it held.
        return { raw: `${a.fileName ?? ''}\n${names.join('\n')}\n${a.fileContent}`, lines };
      } catch (e) {
        throw new ChannelError(`unionpay fileTransfer: fileContent unreadable (${(e as Error).message})`, true);
      }
    },
  };
}

