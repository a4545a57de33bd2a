// 支付宝 手机网站支付's cashier, simulated: where the phone's browser lands once its signed
// alipay.trade.wap.pay form reached gateway.do (./gateway.ts). 确认付款 pays (the same signed
// TRADE_SUCCESS notification as every Alipay payment) and then 完成 sends the browser to return_url
// with the trade signed in its query, as Alipay does (method=alipay.trade.wap.pay.return,
// out_trade_no, trade_no, total_amount, seller_id, app_id, auth_app_id, charset, version,
// timestamp, sign_type, sign: a real one in Zongji/m-alipay-demo README.md); signed like a
// notification (the node SDK's checkNotifySign reads both). 取消 leaves for quit_url at once.
// The page's look is ours.
import { dashedDateTime, encodeForm } from '../../gateways/common/crypto';
import { signNotification } from '../../gateways/alipay/codec';
import { checkoutRoutes, type SimTrade, type TradeBook } from '../kit';

export function wapCashier(d: { book: TradeBook; pay(t: SimTrade): void; signingKey(): string; appId: string; merchantName: string; yuanOf(fen: bigint): string }) {
  /** return_url with the signed synchronous return, for a paid trade. */
  const returnTo = (t: SimTrade) => {
    if (!t.returnUrl || !t.tradeNo) return null;
    const fields = signNotification({
      charset: 'utf-8', out_trade_no: t.orderNo, method: 'alipay.trade.wap.pay.return', total_amount: d.yuanOf(t.fen), trade_no: t.tradeNo,
      auth_app_id: d.appId, version: '1.0', app_id: d.appId, seller_id: t.merchantId, timestamp: dashedDateTime(new Date()),
    }, d.signingKey());
    return `${t.returnUrl}${t.returnUrl.includes('?') ? '&' : '?'}${encodeForm(fields)}`;
  };
  return checkoutRoutes({
    path: '/wap/:token',
    // Only a trade whose form arrived from a phone has this page.
    find: (req) => {
      const t = d.book.byToken(String(req.params.token ?? ''));
      return t?.extra.wap ? t : undefined;
    },
    notFound: '订单不存在或已失效',
    render(req, res, t, state) {
      res.render('sandbox/alipay-wap', {
        title: '支付宝 - 手机网站支付', t, state, amount: d.yuanOf(t.fen), merchant: d.merchantName, action: `${req.baseUrl}/wap/${t.extra.token}`,
        returnTo: state === 'paid' ? returnTo(t) : null, quitUrl: t.extra.quitUrl ?? null,
      });
    },
    pay: d.pay,
    cancel: async (_req, res, t) => {
      if (t.extra.quitUrl) return res.redirect(303, t.extra.quitUrl);
      res.status(200).type('text/plain; charset=utf-8').send('已取消支付');
    },
    actions: { confirm: 'confirm', cancel: 'quit' },
  });
}
