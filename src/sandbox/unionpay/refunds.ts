// 退货 (backTransReq.do, txnType 04), simulated: a refund is its own transaction, named by
// orderId + txnTime, with its own queryId; the same pair again is answered as the same refund.
import type { Request, Response, Router } from 'express';
import { parseShanghai } from '../../gateways/common/crypto';
import { FEN, type Fields } from '../../gateways/unionpay/codec';
import { refundTrade, type SimTrade } from '../kit';

/** A refund transaction at the gateway. */
export interface RefundTxn { trade: SimTrade; refundNo: string; fen: bigint; txnTime: string; queryId: string; at: Date }

/** orderId + txnTime: a refund's key, also its number in the trade book. */
export const txnKey = (orderId: string, txnTime: string) => `${orderId}|${txnTime}`;

export interface UnionpayGatewayDeps {
  settings: { merId: string };
  trades: Map<string, SimTrade>;
  refundTxns: Map<string, RefundTxn>;
  /** The merchant's request if signed by its key, for our merchant, in version 5.1.0; else null. */
  checked(req: Request): Fields | null;
  answer(res: Response, f: Fields): void;
  /** The fields every answer repeats from the request. */
  head(f: Fields): Fields;
}

export function refundRoutes(router: Router, d: UnionpayGatewayDeps & { queryIdAt(at: Date): string }): void {
  const { settings: s, trades, refundTxns, checked, answer, head, queryIdAt } = d;
  router.post('/gateway/api/backTransReq.do', (req, res) => {
    const f = checked(req);
    if (!f) return answer(res, { merId: s.merId, respCode: '11', respMsg: '验证签名失败' });
    if (f.txnType !== '04') return answer(res, { ...head(f), respCode: '12', respMsg: '交易类型不支持' });
    const t = [...trades.values()].find((x) => x.tradeNo && x.tradeNo === f.origQryId);
    if (!t || t.status !== 'PAID') return answer(res, { ...head(f), respCode: '35', respMsg: '原交易不存在或状态不正确' });
    const refundNo = f.orderId ?? '';
    const key = txnKey(refundNo, f.txnTime ?? '');
    let r = refundTxns.get(key);
    if (!r) {
      const at = parseShanghai(f.txnTime ?? '');
      if (!at || Math.abs(at.getTime() - Date.now()) > 15 * 60_000) return answer(res, { ...head(f), respCode: '12', respMsg: '交易时间txnTime不在有效范围内' });
      const o = refundTrade(t, key, FEN.test(f.txnAmt ?? '') ? BigInt(f.txnAmt!) : 0n);
      // created is the only outcome here: the same orderId + txnTime was answered above.
      if (o.kind !== 'created') return answer(res, { ...head(f), respCode: '36', respMsg: '退货金额超限' });
      r = { trade: t, refundNo, fen: o.refund.fen, txnTime: f.txnTime!, queryId: queryIdAt(o.refund.at), at: o.refund.at };
      refundTxns.set(key, r);
    }
    answer(res, { ...head(f), txnAmt: String(r.fen), origQryId: f.origQryId ?? '', queryId: r.queryId, respCode: '00', respMsg: '成功[0000000]' });
  });
}
