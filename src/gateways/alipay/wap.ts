// 手机网站支付 (alipay.trade.wap.pay): the signed form a phone's browser posts to gateway.do, as
// page.pay is posted. Nothing is sent from the server, and the trade exists at Alipay only once
// the browser has posted it: until then trade.query and trade.close answer ACQ.TRADE_NOT_EXIST
// (the adapter's close() then answers open until the expiry, as for an unscanned QR).
// Fields of AlipayTradeWapPayModel (alipay/alipay-sdk-java-all
// src/main/java/com/alipay/api/domain/AlipayTradeWapPayModel.java): out_trade_no, total_amount,
// subject, product_code (销售产品码: QUICK_WAP_WAY for 手机网站支付), quit_url (用户付款中途退出返回
// 商户网站的地址: 图12's page), time_expire (绝对超时时间; the model's note says yyyy-MM-dd HH:mm, we send
// the seconds too, as for precreate: for the school to confirm with Alipay); return_url and notify_url are public
// parameters (signedRequest). After paying, Alipay sends the browser to return_url with the trade
// signed in its query (method=alipay.trade.wap.pay.return, out_trade_no, trade_no, total_amount,
// seller_id …; a real one is kept in Zongji/m-alipay-demo README.md); the platform does not believe
// it (an order is credited from the notification or a signed query only) and asks Alipay there.
import { dashedDateTime } from '../common/crypto';
import type { ChannelOrder, PaymentAction } from '../types';
import type { AlipayConfig } from './client';
import { signedRequest } from './codec';
import { yuan } from './trade-fields';

export function wapPay(
  cfg: Pick<AlipayConfig, 'appId'>, privateKeyPem: string, gateway: string, cert: { cert?: { appCertSn: string; alipayRootCertSn: string } }, order: ChannelOrder,
): PaymentAction {
  const fields = signedRequest({
    appId: cfg.appId, method: 'alipay.trade.wap.pay', privateKeyPem, notifyUrl: order.notifyUrl, returnUrl: order.returnUrl, ...cert,
    biz: {
      out_trade_no: order.orderNo, total_amount: yuan(order.total), subject: order.subject.slice(0, 256), product_code: 'QUICK_WAP_WAY',
      quit_url: order.quitUrl ?? order.returnUrl, time_expire: dashedDateTime(order.expiresAt),
    },
  });
  return { kind: 'form', url: gateway, method: 'POST', fields };
}
