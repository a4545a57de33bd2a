// Refunds at WeChat Pay: 退款申请, and 查询单笔退款 for one whose outcome the first answer left open.
import { toFen, type Decimal } from '../../domain/money';
import { ChannelError, type ChannelOrder, type RefundQueryResult, type RefundResult } from '../types';
import type { WechatClient } from './client';
import { fenOf } from './trade-fields';

export async function refundAtWechat(client: WechatClient, order: ChannelOrder, amount: Decimal, refundNo: string): Promise<RefundResult> {
  const body = JSON.stringify({ out_trade_no: order.orderNo, out_refund_no: refundNo, reason: '退费', amount: { refund: '__R__', total: '__T__', currency: 'CNY' } })
    .replace('"__R__"', toFen(amount).toString()).replace('"__T__"', toFen(order.total).toString());
  const r = await client.call('POST', '/v3/refund/domestic/refunds', body);
  // 退款申请 errors: SYSTEM_ERROR (5xx, thrown as uncertain by channelFetch; WeChat: 请不要更换
  // 商户退款单号，请使用相同参数再次调用API) and 429 FREQUENCY_LIMITED may or may not have
  // taken effect: uncertain, settled by queryRefund under the same number. The other 4xx
  // (PARAM_ERROR, INVALID_REQUEST, NOT_ENOUGH, USER_ACCOUNT_ABNORMAL, RESOURCE_NOT_EXISTS,
  // NO_AUTH, SIGN_ERROR …) refuse the request: nothing was refunded. BIZ_ERR_NEED_RETRY
  // (退款业务流程错误，请不要更换商户退款单号) and BANK_ERROR ask for the same request again:
  // uncertain too, which can only lead to the same out_refund_no being asked about.
  if (r.status === 429 || ['SYSTEM_ERROR', 'BIZ_ERR_NEED_RETRY', 'BANK_ERROR'].includes(r.code)) throw new ChannelError(`wechat refund: HTTP ${r.status} ${r.code}`, true);
  if (r.status !== 200) return { status: 'failed', reason: `${r.code || r.status} ${String(r.doc.message ?? '')}`.trim() };
  const id = typeof r.doc.refund_id === 'string' ? r.doc.refund_id : refundNo;
  if (r.doc.status === 'SUCCESS') return { status: 'succeeded', channelRefundNo: id };
  if (r.doc.status === 'PROCESSING') return { status: 'pending', channelRefundNo: id };
  return { status: 'failed', reason: String(r.doc.status) };
}

// 查询单笔退款（通过商户退款单号）: GET /v3/refund/domestic/refunds/{out_refund_no}.
export async function queryRefundAtWechat(client: WechatClient, order: ChannelOrder, ref: { refundNo: string }): Promise<RefundQueryResult> {
  const r = await client.call('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(ref.refundNo)}`);
  // 查询单笔退款: 404 RESOURCE_NOT_EXISTS (退款单不存在): the request never reached WeChat.
  if (r.status === 404 && r.code === 'RESOURCE_NOT_EXISTS') return { status: 'not_found' };
  if (r.status !== 200) throw new ChannelError(`wechat refund query: HTTP ${r.status} ${r.code}`, true);
  if (r.doc.out_refund_no !== ref.refundNo || r.doc.out_trade_no !== order.orderNo) throw new ChannelError('wechat refund query: answer is for another refund', true);
  const id = typeof r.doc.refund_id === 'string' ? r.doc.refund_id : ref.refundNo;
  if (r.doc.status === 'SUCCESS') {
    const amount = fenOf((r.doc.amount as { refund?: unknown } | undefined)?.refund);
    if (!amount) throw new ChannelError('wechat refund query: SUCCESS without an amount', true);
    return { status: 'succeeded', channelRefundNo: id, amount };
  }
  if (r.doc.status === 'PROCESSING') return { status: 'pending' };
  // CLOSED (退款关闭) or ABNORMAL (退款异常: the payer's account cannot take it back).
  return { status: 'failed', reason: String(r.doc.status) };
}
