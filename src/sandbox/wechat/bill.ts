// 申请交易账单 and its download, simulated: the day's payments and refunds as WeChat's CSV, its
// SHA1 in the signed answer, the file itself unsigned behind a one-off token.
import { randomBytes } from 'node:crypto';
import type { Response, Router } from 'express';
import { fromFen, plainMoney } from '../../domain/money';
import { dashedDateTime } from '../../gateways/common/crypto';
import { buildWechatBill, sha1, type WechatBillRow } from '../../gateways/wechat/statement';
import { statementRows, type TradeBook } from '../kit';

export interface WechatBillDeps {
  settings: { appId: string; mchId: string };
  book: TradeBook;
  send(res: Response, status: number, body?: object): void;
}

export function billRoutes(api: Router, d: WechatBillDeps): void {
  const { settings: s, book, send } = d;
  const bills = new Map<string, Buffer>();
  api.get('/v3/bill/tradebill', (req, res) => {
    const day = String(req.query.bill_date ?? '');
    const rows = statementRows(book.trades.values(), day).map((x): WechatBillRow => {
      const t = x.trade;
      const row = { time: dashedDateTime(x.at), appId: s.appId, mchId: s.mchId, transactionId: t.tradeNo!, orderNo: t.orderNo, openId: t.extra.openid ?? 'oSandbox0000000000000000000', tradeType: t.extra.tradeType ?? 'NATIVE', amount: plainMoney(fromFen(t.fen)), subject: t.subject, fee: '0.00000' };
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
}
