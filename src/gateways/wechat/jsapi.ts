// 微信支付 JSAPI, for a payer inside WeChat's own browser, where H5 does not open. It needs the
// payer's openid under the AppID the order is made for, and only that AppID's official account
// (公众号) can learn it, by 网页授权 — which is why JSAPI is off unless the school configures its
// account (WECHAT_JSAPI, WECHAT_OA_SECRET_FILE; src/config/channels/wechat.ts):
//  1. the browser is sent to open.weixin.qq.com/connect/oauth2/authorize?appid=…&redirect_uri=…
//     &response_type=code&scope=snsapi_base&state=…#wechat_redirect (snsapi_base: no consent
//     page, only the openid; "#wechat_redirect … 必须带此参数"), and comes back with ?code&state;
//  2. the code is exchanged at api.weixin.qq.com/sns/oauth2/access_token?appid&secret&code
//     &grant_type=authorization_code for {access_token, expires_in, refresh_token, openid, scope},
//     or {errcode, errmsg} (public notes of that API: iamjoel/front-end-note wechat/README.md,
//     lonycc/docs Oauth2.0.md; WeChat's page is 网页授权, developers.weixin.qq.com
//     doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html);
//  3. POST /v3/pay/transactions/jsapi with payer.openid answers {prepay_id}, and the page hands
//     WeixinJSBridge getBrandWCPayRequest {appId, timeStamp, nonceStr, package: "prepay_id=…",
//     signType: "RSA", paySign}, paySign = SHA256withRSA with the merchant key over
//     "appId\ntimeStamp\nnonceStr\npackage\n" (wechatpay-apiv3/wechatpay-java
//     service/src/main/java/com/wechat/pay/java/service/payments/jsapi/JsapiServiceExtension.java
//     prepayWithRequestPayment).
// The page that calls it must be in a 支付授权目录 the school registered at the merchant platform:
// ours is always /pay/wechat/jsapi/ (src/modules/payment/wechat-routes.ts).
import { randomBytes } from 'node:crypto';
import { toFen } from '../../domain/money';
import { channelFetch, lazyPems } from '../common/crypto';
import { ChannelError, ProductConflictError, type ChannelOrder, type CreatedPayment } from '../types';
import type { WechatClient, WechatConfig } from './client';
import { rfc3339 } from './trade-fields';

type OfficialAccount = NonNullable<WechatConfig['officialAccount']>;

export function authorizeUrl(cfg: Pick<WechatConfig, 'appId'>, oa: OfficialAccount, redirectUri: string, state: string): string {
  const q = `appid=${encodeURIComponent(cfg.appId)}&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code&scope=snsapi_base&state=${encodeURIComponent(state)}`;
  return `${oa.oauthUrl}/connect/oauth2/authorize?${q}#wechat_redirect`;
}

/** 网页授权's code → the payer's openid; a refused code is a definite ChannelError. */
export function openidReader(cfg: Pick<WechatConfig, 'appId' | 'timeoutMs'>, oa: OfficialAccount, fetchImpl: typeof fetch) {
  const secret = lazyPems('wechat', { secret: oa.secretFile });
  return async (code: string): Promise<string> => {
    const q = `appid=${encodeURIComponent(cfg.appId)}&secret=${encodeURIComponent(secret().secret.trim())}&code=${encodeURIComponent(code)}&grant_type=authorization_code`;
    const r = await channelFetch('wechat', 'sns/oauth2/access_token', `${oa.snsUrl}/sns/oauth2/access_token?${q}`, { method: 'GET', timeoutMs: cfg.timeoutMs }, fetchImpl);
    let doc: Record<string, unknown> = {};
    try {
      doc = JSON.parse(r.text) as Record<string, unknown>;
    } catch {
      throw new ChannelError(`wechat oauth: unreadable answer (HTTP ${r.status})`, true);
    }
    if (typeof doc.openid !== 'string' || !doc.openid) throw new ChannelError(`wechat oauth: ${String(doc.errcode ?? r.status)} ${String(doc.errmsg ?? '')}`.trim());
    return doc.openid;
  };
}

export async function jsapiOrder(client: WechatClient, cfg: WechatConfig, order: ChannelOrder): Promise<CreatedPayment> {
  const openid = order.client?.openid;
  if (!openid) throw new ChannelError('wechat jsapi order: no payer openid');
  const body = JSON.stringify({
    appid: cfg.appId, mchid: cfg.mchId, description: order.subject.slice(0, 127), out_trade_no: order.orderNo,
    time_expire: rfc3339(order.expiresAt), notify_url: order.notifyUrl, amount: { total: '__FEN__', currency: 'CNY' }, payer: { openid },
  }).replace('"__FEN__"', toFen(order.total).toString());
  const r = await client.call('POST', '/v3/pay/transactions/jsapi', body);
  if (r.status !== 200 || typeof r.doc.prepay_id !== 'string') {
    const text = `wechat jsapi order: HTTP ${r.status} ${r.code} ${String(r.doc.message ?? '')}`.trim();
    if (r.status === 400 && r.code === 'INVALID_REQUEST' && /订单号重复/.test(String(r.doc.message ?? ''))) throw new ProductConflictError(text);
    throw new ChannelError(text, r.status === 429);
  }
  const timeStamp = String(Math.floor(client.now() / 1000));
  const nonceStr = randomBytes(16).toString('hex');
  const pkg = `prepay_id=${r.doc.prepay_id}`;
  const paySign = client.merchantSign(`${cfg.appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`);
  return { action: { kind: 'jsapi', params: { appId: cfg.appId, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign } }, channelOrderId: order.orderNo };
}
