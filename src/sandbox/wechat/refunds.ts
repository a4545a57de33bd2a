// 退款申请 and 查询单笔退款, simulated: refunds are kept on their trades, and the same
// out_refund_no again is answered as the same refund.
import { randomInt } from 'node:crypto';
import type { Response, Router } from 'express';
import { compactDateTime, dashedDateTime } from '../../gateways/common/crypto';
import { queryFault, refundTrade, type SandboxControl, type TradeBook } from '../kit';

export interface WechatRefundDeps {
  control: SandboxControl;
  book: TradeBook;
  json(req: { body: unknown }): Record<string, unknown>;
  send(res: Response, status: number, body?: object): void;
}

export function refundRoutes(api: Router, d: WechatRefundDeps): void {
  const { control, book, json, send } = d;
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
}
