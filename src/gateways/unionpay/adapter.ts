// 银联在线支付 through the online gateway (全渠道) 5.1.0, signMethod 01: a front transaction form
// the browser posts to frontTransReq.do (the payer pays on UnionPay's pages), a back
// notification to backUrl, queryTrans.do (origRespCode), backTransReq.do for refunds and
// fileTransfer for the statement. Wire format: ./codec.ts.
//
// close: the gateway has no "close an unpaid order"; an order stops being payable at its
// payTimeout, which we always send (= the order's expiry). close therefore asks the gateway and
// reports paid if it was paid, closed otherwise (consumption undo, txnType 31, is a refund of a
// paid order and goes through refund()).
import { inflateSync } from 'node:zlib';
import { fromFen, toFen } from '../../domain/money';
import { channelFetch, compactDateTime, encodeForm, lazyPems, parseFormStrict, parseShanghai } from '../common/crypto';
import {
  ChannelError,
  type ChannelAdapter, type ChannelAnswer, type ChannelOrder, type CloseResult, type CreatedPayment, type PaidEvent,
  type ParsedNotification, type QueryResult, type RawNotification, type RefundQueryResult, type RefundResult, type Statement, type StatementLine,
} from '../types';
import { ACK, FEN, NOT_FOUND, PROCESSING, SIGN_METHOD, VERSION, parseAcpResponse, sign, verify, type Fields } from './codec';

export interface UnionpayConfig {
  /** Gateway base, e.g. https://gateway.95516.com (we append /gateway/api/…). */
  url: string;
  merId: string;
  /** certId: the serial number (decimal) of the merchant's signing certificate. */
  certId: string;
  privateKeyFile: string;
  /** UnionPay's signing public key, pinned (see codec.ts on signPubKeyCert). */
  unionpayPublicKeyFile: string;
  timeoutMs?: number;
}

const text = (status: number, body: string): ChannelAnswer => ({ status, contentType: 'text/plain; charset=utf-8', body });

function paidEvent(f: Fields, channelOrderId: string): PaidEvent | null {
  if (!FEN.test(f.txnAmt ?? '') || !f.queryId) return null;
  const at = parseShanghai(f.traceTime ? `${(f.txnTime ?? '').slice(0, 4)}${f.traceTime}` : f.txnTime ?? '') ?? parseShanghai(f.txnTime ?? '');
  if (!at) return null;
  return { kind: 'paid', channelOrderId, orderNo: f.orderId ?? null, channelTradeNo: f.queryId, amount: fromFen(f.txnAmt!), paidAt: at, payMethod: '银联' };
}

export function unionpayAdapter(cfg: UnionpayConfig, fetchImpl: typeof fetch = fetch): ChannelAdapter {
  const keys = lazyPems('unionpay', { privateKey: cfg.privateKeyFile, unionpayKey: cfg.unionpayPublicKeyFile });

  const base = (f: Fields): Fields => ({
    version: VERSION, encoding: 'UTF-8', signMethod: SIGN_METHOD, certId: cfg.certId, accessType: '0', merId: cfg.merId, ...f,
  });

  async function back(api: string, f: Fields): Promise<Fields> {
    const k = keys();
    const r = await channelFetch('unionpay', api, `${cfg.url}/gateway/api/${api}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body: encodeForm(sign(base(f), k.privateKey)), timeoutMs: cfg.timeoutMs,
    }, fetchImpl);
    const a = parseAcpResponse(r.text.trim());
    if (!a || !verify(a, k.unionpayKey)) throw new ChannelError(`unionpay ${api}: answer failed verification`, true);
    if (a.merId && a.merId !== cfg.merId) throw new ChannelError(`unionpay ${api}: answer for another merchant`, true);
    return a;
  }

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
    if (PROCESSING.includes(a.origRespCode ?? '')) return { status: 'unpaid' };
    return { status: order.expiresAt <= new Date() ? 'closed' : 'unpaid' };
  }

  return {
    id: 'unionpay',
    alwaysClosable: false,

    async createPayment(order): Promise<CreatedPayment> {
      const fields = sign(base({
        txnType: '01', txnSubType: '01', bizType: '000201', channelType: '07', currencyCode: '156',
        orderId: order.orderNo, txnTime: txnTimeOf(order), txnAmt: toFen(order.total).toString(),
        frontUrl: order.returnUrl, backUrl: order.notifyUrl, payTimeout: compactDateTime(order.expiresAt),
        // 请求方保留域: echoed back in the notification; carries the subject the payer sees.
        reqReserved: order.subject.slice(0, 100),
      }), keys().privateKey);
      return { action: { kind: 'form', url: `${cfg.url}/gateway/api/frontTransReq.do`, method: 'POST', fields }, channelOrderId: order.orderNo };
    },

    parseNotification(raw: RawNotification): ParsedNotification {
      const nack = text(400, 'fail');
      const f = parseFormStrict(raw.rawBody);
      const claimedOrderNo = f?.orderId?.slice(0, 32) ?? null;
      if (!f || !f.signature) return { verified: false, reason: 'malformed', nack, claimedOrderNo };
      let key: string;
      try {
        key = keys().unionpayKey;
      } catch {
        return { verified: false, reason: 'unsupported', nack, claimedOrderNo };
      }
      if (!verify(f, key)) return { verified: false, reason: 'signature', nack, claimedOrderNo };
      if (f.merId !== cfg.merId) return { verified: false, reason: 'merchant', nack, claimedOrderNo };
      // Only the consumption's own result credits; refund results (txnType 04) are not payments.
      if (f.txnType !== '01' || f.respCode !== '00') return { verified: false, reason: 'unsupported', nack: text(200, ACK), claimedOrderNo };
      const event = paidEvent(f, f.orderId ?? '');
      if (!event || !f.orderId) return { verified: false, reason: 'malformed', nack, claimedOrderNo };
      return { verified: true, event, ack: text(200, ACK), nack };
    },

    query,

    async close(order): Promise<CloseResult> {
      // ACP has no close for an unpaid consumption: it stays payable until payTimeout.
      const q = await query(order);
      if (q.status === 'paid') return { status: 'paid', event: q.event };
      return order.expiresAt <= new Date() ? { status: 'closed' } : { status: 'open', until: order.expiresAt };
    },

    async refund(order, amount, refundNo, requestedAt = new Date()): Promise<RefundResult> {
      const q = await query(order);
      if (q.status !== 'paid') return { status: 'failed', reason: 'original trade not paid' };
      const a = await back('backTransReq.do', {
        txnType: '04', txnSubType: '00', bizType: '000201', channelType: '07', currencyCode: '156',
        // The refund is a transaction of its own: orderId = our refund number, txnTime = when it
        // was first asked for, so that a retry and a query name the same transaction.
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

    /**
     * fileTransfer (txnType 76, fileType 00). The real answer's fileContent is a deflated zip of
     * fixed-width files; the sandbox's (and so this parser's) is base64(deflate(text)) of
     * `|`-separated lines: orderId|queryId|txnTime|txnType|txnAmt(fen)|fee(fen). Documented in
     * src/sandbox/unionpay/simulator.ts.
     */
    async downloadStatement(day: string): Promise<Statement> {
      const a = await back('fileTransfer.do', { txnType: '76', txnSubType: '01', bizType: '000000', fileType: '00', settleDate: day.slice(5).replace('-', ''), txnTime: compactDateTime(new Date()) });
      if (a.respCode === '98') return { raw: '', lines: [] };
      if (a.respCode !== '00' || !a.fileContent) throw new ChannelError(`unionpay fileTransfer: respCode ${a.respCode}`, true);
      let raw: string;
      try {
        raw = inflateSync(Buffer.from(a.fileContent, 'base64')).toString('utf8');
      } catch {
        throw new ChannelError('unionpay fileTransfer: fileContent unreadable', true);
      }
      const lines: StatementLine[] = raw.split(/\r?\n/).filter((l) => l && !l.startsWith('#')).map((l) => {
        const [orderId, queryId, txnTime, txnType, amt, fee] = l.split('|');
        const at = parseShanghai(txnTime ?? '');
        if (!orderId || !queryId || !at || !FEN.test(amt ?? '') || !FEN.test(fee ?? '')) throw new ChannelError(`unionpay statement: malformed line ${l.slice(0, 80)}`, true);
        return { channelOrderId: orderId, orderNo: orderId, channelTradeNo: queryId, amount: fromFen(amt!), fee: fromFen(fee!), paidAt: at, kind: txnType === '04' ? 'refund' : 'payment' };
      });
      return { raw, lines };
    },
  };
}

