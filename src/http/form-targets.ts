// The CSP form-action list, apart from the app so that it is checked without building one.
import type { Config } from '../config';

/**
 * Where our pages may send the browser with a form: ourselves, and the gateway of each configured
 * channel that takes the payer by a form post or by a redirect answering our form (a browser
 * applies form-action to both): the non-tax cashier, ICBC e-pay, UnionPay's front gateway,
 * Alipay's gateway (page.pay, and 手机网站支付 from a phone), and 微信支付 H5's cashier host (a
 * phone's 确定缴费 is answered with a redirect to h5_url). WeChat Native is a QR code drawn on our
 * own page.
 */
export function formTargets(config: Pick<Config, 'nontax' | 'channels' | 'channelsByCategory'>): string[] {
  const configured = new Set([...config.channelsByCategory.财政, ...config.channelsByCategory.代收]);
  const urls: Partial<Record<string, string>> = {
    nontax: config.nontax.url, icbc: config.channels.icbc.url, unionpay: config.channels.unionpay.url, alipay: config.channels.alipay.url,
    wechat: config.channels.wechat.h5Origin,
  };
  const origins = [...configured].flatMap((id) => (urls[id] ? [new URL(urls[id]).origin] : []));
  // 微信支付 JSAPI inside WeChat: 确定缴费 first sends the browser to the official account's 网页授权.
  const oa = config.channels.wechat.officialAccount;
  if (oa && configured.has('wechat')) origins.push(new URL(oa.oauthUrl).origin);
  return ["'self'", ...new Set(origins)];
}
