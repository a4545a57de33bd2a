// 微信支付's 下单 for each of the products the platform uses, chosen by the payer's device:
//  - Native (POST /v3/pay/transactions/native → code_url): a desktop; the platform draws the QR.
//  - H5 (POST /v3/pay/transactions/h5 → h5_url): a phone's browser. The request carries
//    scene_info.payer_client_ip (the payer's address, required) and scene_info.h5_info.type ('Wap'
//    for a mobile website; 'iOS' / 'Android' are for apps): wechatpay-apiv3/wechatpay-java
//    service/src/main/java/com/wechat/pay/java/service/payments/h5/H5Service.java (prepay → the
//    h5 path), …/h5/model/SceneInfo.java (payer_client_ip, h5_info), …/h5/model/H5Info.java (type,
//    app_name, app_url). The answer is {h5_url}; WeChat's pages say it lives 5 minutes (the
//    示例值 of h5_url in JeffreySu/WeiXinMPSDK …/ReturnJson/CombineH5OrderReturnJson.cs: "h5_url的有效期为5分钟"),
//    and that calling again with the same parameters gives a new one ("参数重入可以获取新的支付url"),
//    so it is never kept: 继续支付 asks again. The payer comes back to `redirect_url`, appended
//    URL-encoded to h5_url, which WeChat may open before the payment has ended ("无法保证页面回跳
//    时，支付流程已结束…不能自动执行查单操作，应让用户去点击按钮触发查单操作", WeChat's H5 回调页面 note as
//    quoted in blog.csdn.net/xingchen678/article/details/107782046; not in an SDK): it is our
//    waiting page (ChannelOrder.waitUrl), whose 我已完成支付 asks, never an automatic query.
// One out_trade_no is one product at WeChat: a Native order asked for again as H5 (or the other
// way) is refused, "201 商户订单号重复" (yansongda/pay issue 705: PC 扫码 abandoned, then the same
// out_trade_no from the phone; the maintainers' answer: a new out_trade_no per product). That is
// a ProductConflictError here, which the payment module explains to the payer.
import { toFen } from '../../domain/money';
import { ChannelError, ProductConflictError, type ChannelOrder, type CreatedPayment } from '../types';
import type { WechatCallAnswer, WechatClient, WechatConfig } from './client';
import { rfc3339 } from './trade-fields';

/** The order fields every product sends; the fen amount a JSON integer, written from the bigint. */
function body(cfg: WechatConfig, order: ChannelOrder, extra: Record<string, unknown> = {}): string {
  const fen = toFen(order.total).toString();
  return JSON.stringify({
    appid: cfg.appId, mchid: cfg.mchId, description: order.subject.slice(0, 127), out_trade_no: order.orderNo,
    time_expire: rfc3339(order.expiresAt), notify_url: order.notifyUrl, amount: { total: '__FEN__', currency: 'CNY' }, ...extra,
  }).replace('"__FEN__"', fen);
}

function refused(what: string, r: WechatCallAnswer): ChannelError {
  const text = `wechat ${what}: HTTP ${r.status} ${r.code} ${String(r.doc.message ?? '')}`.trim();
  if (r.status === 400 && r.code === 'INVALID_REQUEST' && /订单号重复/.test(String(r.doc.message ?? ''))) return new ProductConflictError(text);
  return new ChannelError(text, r.status === 429);
}

export async function nativeOrder(client: WechatClient, cfg: WechatConfig, order: ChannelOrder): Promise<CreatedPayment> {
  const r = await client.call('POST', '/v3/pay/transactions/native', body(cfg, order));
  if (r.status !== 200 || typeof r.doc.code_url !== 'string') throw refused('native order', r);
  return { action: { kind: 'qrCode', content: r.doc.code_url }, channelOrderId: order.orderNo };
}

export async function h5Order(client: WechatClient, cfg: WechatConfig, order: ChannelOrder): Promise<CreatedPayment> {
  const ip = order.client?.ip;
  if (!ip) throw new ChannelError('wechat h5 order: no payer address (scene_info.payer_client_ip is required)');
  const r = await client.call('POST', '/v3/pay/transactions/h5', body(cfg, order, {
    scene_info: { payer_client_ip: ip, h5_info: { type: 'Wap', app_url: new URL(order.returnUrl).origin } },
  }));
  if (r.status !== 200 || typeof r.doc.h5_url !== 'string') throw refused('h5 order', r);
  let url: URL;
  try {
    url = new URL(r.doc.h5_url);
  } catch {
    throw new ChannelError('wechat h5 order: h5_url is not a URL', true);
  }
  // The payer is sent to WeChat's cashier host and nowhere else (it is also the CSP's form target).
  const expected = cfg.h5Origin ?? new URL(cfg.url).origin;
  if (url.origin !== expected) throw new ChannelError(`wechat h5 order: h5_url on ${url.origin}, not ${expected}`, true);
  // Appended to h5_url as WeChat gives it (its own query left byte for byte), URL-encoded.
  const back = `${r.doc.h5_url.includes('?') ? '&' : '?'}redirect_url=${encodeURIComponent(order.waitUrl ?? order.returnUrl)}`;
  return { action: { kind: 'redirect', url: `${r.doc.h5_url}${back}`, oneUse: true }, channelOrderId: order.orderNo };
}
