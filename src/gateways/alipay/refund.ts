// Refunds at Alipay: alipay.trade.refund, and alipay.trade.fastpay.refund.query for one whose
// outcome the first answer left open.
import { Decimal } from '../../domain/money';
import { ChannelError, type ChannelOrder, type RefundQueryResult, type RefundResult } from '../types';
import { notFound, refuse, type AlipayClient } from './client';
import { SUCCESS_CODE, YUAN } from './codec';
import { yuan } from './trade-fields';

/**
 * Refusals after which the refund certainly did not happen and will not (the error table of
 * alipay.trade.refund: the trade, its state, the amount or the merchant's balance is wrong; or
 * the gateway refused the request itself: 40001 missing / 40002 invalid arguments, 40006 no
 * permission). Anything else — ACQ.SYSTEM_ERROR ("系统错误": Alipay's error-handling page,
 * docs.antom.com/ac/barcode_cn/error_handling, says to retry the refund with the same parameters
 * or query for the final state; the refund may have been made), 20000 service unavailable, a sub_code we do not know —
 * leaves the outcome unknown: the refund stays pending under its out_request_no, is asked about
 * with alipay.trade.fastpay.refund.query and, if Alipay never took it, sent again under the same
 * out_request_no, which Alipay treats as the same refund. ACQ.DISCORDANT_REPEAT_REQUEST (this
 * number was used before with other parameters) is left out on purpose: the first use may have
 * refunded, so only the query can say.
 */
const REFUND_REFUSED = new Set([
  'ACQ.TRADE_NOT_EXIST', 'ACQ.TRADE_STATUS_ERROR', 'ACQ.TRADE_HAS_CLOSE', 'ACQ.TRADE_HAS_FINISHED', 'ACQ.TRADE_NOT_ALLOW_REFUND',
  'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', 'ACQ.REFUND_FEE_ERROR', 'ACQ.REASON_TRADE_REFUND_FEE_ERR', 'ACQ.SELLER_BALANCE_NOT_ENOUGH',
  'ACQ.REASON_TRADE_BEEN_FREEZEN', 'ACQ.INVALID_PARAMETER', 'ACQ.ACCESS_FORBIDDEN',
  'ACQ.BUYER_ERROR', 'ACQ.SELLER_ERROR', 'ACQ.REFUND_CHARGE_ERROR', 'ACQ.ONLINE_TRADE_VOUCHER_NOT_ALLOW_REFUND',
]);
const GATEWAY_REFUSED = new Set(['40001', '40002', '40006']);

export async function refundAtAlipay(client: AlipayClient, order: ChannelOrder, amount: Decimal, refundNo: string): Promise<RefundResult> {
  // A timeout, a 5xx or an answer that fails verification throws an uncertain ChannelError:
  // the caller keeps the refund pending, exactly as for ACQ.SYSTEM_ERROR below.
  const r = await client.call('alipay.trade.refund', { out_trade_no: order.orderNo, refund_amount: yuan(amount), out_request_no: refundNo, refund_reason: '退费' });
  if (r.code !== SUCCESS_CODE) {
    const definite = GATEWAY_REFUSED.has(String(r.code)) || (r.code === '40004' && REFUND_REFUSED.has(String(r.sub_code)));
    if (!definite) return { status: 'pending', channelRefundNo: refundNo };
    return { status: 'failed', reason: `${String(r.sub_code ?? r.code)} ${String(r.sub_msg ?? '')}`.trim() };
  }
  // fund_change N: no money moved by this call (a repeat of a refund already made, or one
  // still being processed): only the refund query says which.
  return { status: r.fund_change === 'Y' ? 'succeeded' : 'pending', channelRefundNo: typeof r.trade_no === 'string' ? `${r.trade_no}/${refundNo}` : refundNo };
}

// alipay.trade.fastpay.refund.query by out_trade_no + out_request_no. Alipay's rule: an answer
// with the refund's data and refund_status empty or REFUND_SUCCESS is a refund done; an
// answer without it means no refund happened under that number (so asking again is safe).
export async function queryRefundAtAlipay(client: AlipayClient, order: ChannelOrder, ref: { refundNo: string }): Promise<RefundQueryResult> {
  const method = 'alipay.trade.fastpay.refund.query';
  const r = await client.call(method, { out_trade_no: order.orderNo, out_request_no: ref.refundNo, query_options: ['gmt_refund_pay'] });
  if (r.code !== SUCCESS_CODE) {
    if (notFound(r)) return { status: 'not_found' };
    throw refuse(method, r);
  }
  if (typeof r.refund_amount !== 'string' || !YUAN.test(r.refund_amount)) return { status: 'not_found' };
  if (r.out_request_no !== ref.refundNo) throw new ChannelError(`${method}: answer is for another refund`, true);
  // refund_status comes only for refunds Alipay processes asynchronously (REFUND_PROCESSING /
  // REFUND_SUCCESS / REFUND_FAIL, AlipayTradeFastpayRefundQueryResponse in alipay-sdk-java-all);
  // without it, an answer that carries the refund means it was made.
  if (r.refund_status === 'REFUND_FAIL') return { status: 'failed', reason: `REFUND_FAIL ${String(r.error_code ?? '')}`.trim() };
  if (r.refund_status !== undefined && r.refund_status !== 'REFUND_SUCCESS') return { status: 'pending' };
  return { status: 'succeeded', channelRefundNo: typeof r.trade_no === 'string' ? `${r.trade_no}/${ref.refundNo}` : ref.refundNo, amount: new Decimal(r.refund_amount) };
}
