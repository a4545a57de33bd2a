// 微信支付 JSAPI inside WeChat's own browser (on only with the school's official account,
// WECHAT_JSAPI): the way back from 网页授权, and the page that hands the payment to WeChat.
//  - GET /pay/wechat/oauth?code&state: WeChat sends the browser back here; the state must be the
//    one this session sent (no one else's code lands in our session), the code gives the openid,
//    kept in the session, and 确定缴费 goes on by itself (an auto-posted form, as to a bank; a
//    continue button without script).
//  - GET /pay/wechat/jsapi/:orderNo: the 支付授权目录 the school registers at the merchant platform
//    is /pay/wechat/jsapi/, and a JSAPI payment may only be started from a page in it, so 确定缴费
//    leads here (the parameters wait in the session). public/js/pay-jsapi.js calls
//    WeixinJSBridge.invoke('getBrandWCPayRequest', …); the page also notices the payment by
//    itself (pay-wait.js) and keeps 我已完成支付.
import { Router } from 'express';
import { ChannelError } from '../../gateways/types';
import { choiceLabel } from './context';
import { M } from './messages';
import type { PaymentService } from './service';

export function wechatRoutes(deps: { payment: PaymentService; sandboxUrl?: string | null; publicUrl: string }) {
  const { payment } = deps;
  const r = Router();
  const view = { nav: 'pay', scripts: ['pay.js'] };

  r.get('/pay/wechat/oauth', async (req, res) => {
    const asked = req.session.wechatOauth;
    const { code, state } = req.query;
    if (!asked || typeof state !== 'string' || state !== asked.state || typeof code !== 'string' || !/^[\w-]{1,128}$/.test(code)) return res.redirect(303, '/pay');
    delete req.session.wechatOauth;
    try {
      req.session.wechatOpenid = await payment.payerIdOf('wechat', code);
    } catch (e) {
      if (!(e instanceof ChannelError)) throw e;
      return res.status(502).render('pay/other-browser', {
        ...view, title: M.wechatOauth.failedTitle, crumbs: M.crumbs.confirm, orderNo: asked.orderNo, channel: 'wechat', text: M.wechatOauth.failed, or: M.otherBrowser.or, scanInstead: M.phone.scanInstead,
      });
    }
    const form = { kind: 'form', url: `/pay/orders/${asked.orderNo}/submit`, method: 'POST', fields: { _csrf: res.locals.csrfToken, channel: 'wechat' } };
    res.render('pay/channel', { ...view, title: '支付', crumbs: M.crumbs.confirm, action: form, orderNo: asked.orderNo });
  });

  r.get('/pay/wechat/jsapi/:orderNo', async (req, res) => {
    const { orderNo } = req.params;
    const held = req.session.wechatJsapi;
    if (!held || held.orderNo !== orderNo) return res.redirect(303, `/pay/orders/${orderNo}`);
    const { order } = await payment.orderView(req.user!.personId, orderNo);
    const sandbox = deps.sandboxUrl
      ? `${deps.sandboxUrl}/wechat/jsapi/cashier?${new URLSearchParams({ ...held.params, back: `${deps.publicUrl}/pay/orders/${orderNo}/waiting` })}`
      : null;
    res.render('pay/jsapi', {
      nav: 'pay', scripts: ['pay.js', 'pay-wait.js', 'pay-jsapi.js'], title: M.wechatOauth.payTitle, crumbs: M.crumbs.confirm, order, channelName: choiceLabel('wechat'),
      params: JSON.stringify(held.params), progress: `/pay/orders/${orderNo}/progress`, waitUrl: `/pay/orders/${orderNo}/waiting`, wait: M.waiting, jsapi: M.wechatOauth, sandboxLink: sandbox,
    });
  });

  return r;
}
