// 缴费信息确认及支付方式选择 (图12/图20) and after: 确定缴费 to the channel (the QR page of 图14 /
// 图21-2, the bank or cashier form of 图21-1, a phone's mobile payment), 取消交费, 非税通知 修改,
// 银行支付结果 (图15/图16), the page a phone comes back to from 微信支付 H5, and the small JSON the
// QR and waiting pages ask (public/js/pay-wait.js). One line each: validation, one service call, render.
import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { type AppError, HTTP_STATUS, isAppError } from '../../domain/app-error';
import { isBusyError } from '../../domain/gate';
import { isSettled, LIVE } from '../../domain/order-state';
import { deviceOf, isHandheld } from '../../domain/payer-device';
import type { ChannelId } from '../../gateways/types';
import { payerClient } from '../../http/payer-client';
import { formFields, parse } from '../../http/validate';
import type { OpenAttempt } from './commands/submit-to-channel';
import { choiceLabel } from './context';
import { M } from './messages';
import { endedView } from './read/ended';
import { openElsewhereView } from './read/open-elsewhere';
import { mobileForm, submitForm } from './schemas';
import type { PaymentService } from './service';

/** The channels with a QR product (微信支付 Native, 支付宝 precreate): a phone may ask for it instead. */
const QR_CHANNELS: readonly string[] = ['wechat', 'alipay'];

/** 图12 on a phone: where 确定缴费 leads for the wallet channels offered, and the QR instead; null without one. */
function phoneNote(channels: { id: string; label: string; available: boolean }[]) {
  const wallets = channels.filter((c) => c.available && QR_CHANNELS.includes(c.id));
  if (!wallets.length) return null;
  const apps = wallets.map((c) => (c.id === 'alipay' ? '支付宝' : '微信')).join('或');
  return { ...M.phone, note: M.phone.note(wallets.map((c) => c.label).join('或'), apps) };
}

/**
 * A command's refusal, shown on 图12 again with its message. An order that is not the payer's
 * (not_found) and a full queue (BusyError) are not: the error handler answers those.
 */
const refusal = (e: unknown): e is AppError => isAppError(e) && e.code !== 'not_found' && !isBusyError(e);

type ConfirmExtra = {
  error?: string; editMobile?: boolean; mobileError?: string; typedMobile?: string; status?: number;
  openElsewhere?: { channel: string; open: OpenAttempt[] };
};

export function orderRoutes(deps: {
  payment: PaymentService;
  /** set when the sandbox runs: its phone pages stand in for scanning */
  sandboxUrl?: string | null;
  /** PUBLIC_URL: where WeChat's 网页授权 sends the browser back. */
  publicUrl: string;
  fiscalDown: (category: string) => Promise<string | null>;
}) {
  const { payment, fiscalDown } = deps;
  const r = Router();
  const view = { nav: 'pay', scripts: ['pay.js'] };
  // The pages that notice the payment by themselves: the script asks data-progress every few seconds.
  const waiting = { nav: 'pay', scripts: ['pay.js', 'pay-wait.js'] };
  const progressUrl = (orderNo: string) => `/pay/orders/${orderNo}/progress`;
  // 确定缴费 may lead to 微信支付 H5, which checks that the payer comes from the school's registered
  // domain by the Referer ("商家参数格式有误，请联系商家解决" without one, "商家存在未配置的参数" from
  // another domain; the FAQ of payjs.cn/view/9vw7, pingpongx's WeChat Pay notes). helmet sends
  // no-referrer everywhere; this page and its submit answer send our origin, never a path, to another site.
  const sendOrigin = (res: Response) => res.set('Referrer-Policy', 'strict-origin-when-cross-origin');

  const renderConfirm = async (req: Request, res: Response, orderNo: string, extra: ConfirmExtra = {}) => {
    const now = new Date();
    const data = await payment.orderView(req.user!.personId, orderNo, now);
    if (isSettled(data.order.status)) return res.redirect(303, `/pay/orders/${orderNo}/result`);
    const live = LIVE.includes(data.order.status);
    const notices = [];
    if (req.query.reused === '1') notices.push(M.orderReused(orderNo));
    if (req.query.mobile === '1') notices.push(M.mobileChanged);
    const down = await fiscalDown(data.order.category);
    if (down && extra.error !== down) notices.push(down);
    // An order that can no longer be paid says why once (the ended box), not again as the error.
    const error = !live && (extra.error === M.orderNotLive || extra.error === M.orderExpired) ? undefined : extra.error;
    const handheld = isHandheld(deviceOf(req.get('user-agent')));
    sendOrigin(res);
    res.status(extra.status ?? 200).render('pay/confirm', {
      ...view, nav: M.tabOfLines(data.lines).nav, title: '缴费信息确认及支付方式选择', crumbs: M.crumbs.confirm, ...data, warnings: M.warnings, notices,
      // An 授权缴费人 may not change the student's mobile (it is the student's 个人信息: the POST is
      // outside src/modules/payers/scope.ts), so they are not offered 修改 either.
      error, canEditMobile: !req.user!.payer, editMobile: !req.user!.payer && (extra.editMobile ?? req.query.edit === 'mobile'), mobileError: extra.mobileError, mobileAlsoProfile: M.mobileAlsoProfile,
      // A refused number is shown back as typed, so the payer corrects it rather than retypes it.
      ...(extra.typedMobile !== undefined ? { mobile: extra.typedMobile } : {}),
      live, ended: live ? null : endedView(data.order, now),
      phone: handheld ? phoneNote(data.channels) : null,
      openElsewhere: extra.openElsewhere ? openElsewhereView(orderNo, extra.openElsewhere.channel, extra.openElsewhere.open) : null,
      // The list below the warning shows the channel just asked for, not the one still open.
      ...(extra.openElsewhere ? { chosen: data.channels.find((c) => c.id === extra.openElsewhere!.channel && c.available) ?? data.chosen } : {}),
    });
  };

  /** A QR channel (微信支付 Native, 支付宝 precreate): the code is shown here, drawn on the server. */
  const renderQr = async (req: Request, res: Response, orderNo: string, content: string) => {
    const { order } = await payment.orderView(req.user!.personId, orderNo);
    const channel = (order.channel ?? '') as ChannelId;
    res.render('pay/qrcode', {
      ...waiting, title: '扫码支付', crumbs: M.crumbs.confirm, order, channelName: choiceLabel(channel), appName: channel === 'alipay' ? '支付宝' : '微信',
      qr: await QRCode.toDataURL(content, { margin: 1, width: 220, errorCorrectionLevel: 'M' }), progress: progressUrl(orderNo), wait: M.waiting,
      sandboxLink: deps.sandboxUrl && content.startsWith(`${deps.sandboxUrl}/`) ? content : null,
    });
  };

  r.get('/pay/orders/:orderNo', (req, res) => renderConfirm(req, res, req.params.orderNo));

  r.post('/pay/orders/:orderNo/submit', async (req, res) => {
    const { orderNo } = req.params;
    const f = parse(submitForm, formFields(req.body));
    if (!f.ok) return renderConfirm(req, res, orderNo, { error: M.chooseChannel, status: 400 });
    // An order built before the outage: nothing goes to the platform until it is back.
    const down = f.data.channel === 'nontax' ? await fiscalDown('财政') : null;
    if (down) return renderConfirm(req, res, orderNo, { error: down, status: 409 });
    const client = payerClient(req, f.data.mode === 'qr');
    // Inside WeChat with JSAPI on, WeChat must first tell us who pays (网页授权): ./wechat-routes.ts takes it from there.
    if (!client.openid) {
      const state = randomBytes(12).toString('hex');
      const at = payment.identifyAt(f.data.channel, client.device, `${deps.publicUrl}/pay/wechat/oauth`, state);
      if (at) {
        req.session.wechatOauth = { state, orderNo };
        return res.redirect(303, at);
      }
    }
    let result;
    try {
      result = await payment.submitToChannel(req.user!.personId, orderNo, f.data.channel, undefined, f.data.acknowledge, client, req.user!.payer?.personId ?? null);
    } catch (e) {
      if (!refusal(e)) throw e;
      return renderConfirm(req, res, orderNo, { error: e.message, status: HTTP_STATUS[e.code] });
    }
    if (result.kind === 'paid') return res.redirect(303, `/pay/orders/${orderNo}/result`);
    // 200: nothing was sent; the page is a question (pay here anyway, or go back), not a refusal.
    if (result.kind === 'warning') return renderConfirm(req, res, orderNo, { openElsewhere: { channel: f.data.channel, open: result.open }, status: 200 });
    if (result.kind === 'otherBrowser') {
      const label = choiceLabel(result.channel);
      return res.render('pay/other-browser', { ...view, title: M.otherBrowser.title, crumbs: M.crumbs.confirm, orderNo, channel: result.channel, text: M.otherBrowser.text(label, orderNo), or: M.otherBrowser.or, scanInstead: M.phone.scanInstead });
    }
    sendOrigin(res);
    if (result.action.kind === 'redirect') return res.redirect(303, result.action.url);
    if (result.action.kind === 'qrCode') return renderQr(req, res, orderNo, result.action.content);
    // JSAPI: its page lives in the one directory registered as 支付授权目录 (/pay/wechat/jsapi/).
    if (result.action.kind === 'jsapi') {
      req.session.wechatJsapi = { orderNo, params: result.action.params };
      return res.redirect(303, `/pay/wechat/jsapi/${orderNo}`);
    }
    res.render('pay/channel', { ...view, title: '支付', crumbs: M.crumbs.confirm, action: result.action, orderNo });
  });

  r.post('/pay/orders/:orderNo/cancel', async (req, res) => {
    const { orderNo } = req.params;
    try {
      await payment.cancel(req.user!.personId, orderNo);
    } catch (e) {
      if (!refusal(e)) throw e;
      if (e.details.paid) return res.redirect(303, `/pay/orders/${orderNo}/result`);
      return renderConfirm(req, res, orderNo, { error: e.message, status: HTTP_STATUS[e.code] });
    }
    res.redirect(303, `/pay?cancelled=${orderNo}`);
  });

  r.post('/pay/orders/:orderNo/mobile', async (req, res) => {
    const { orderNo } = req.params;
    const fields = formFields(req.body);
    const f = parse(mobileForm, fields);
    if (!f.ok) return renderConfirm(req, res, orderNo, { editMobile: true, mobileError: f.errors.mobile, typedMobile: fields.mobile ?? '', status: 400 });
    await payment.changeMobile(req.user!, orderNo, f.data.mobile, req.ip ?? '');
    res.redirect(303, `/pay/orders/${orderNo}?mobile=1`);
  });

  r.get('/pay/orders/:orderNo/result', async (req, res) => {
    const now = new Date();
    const data = await payment.result(req.user!.personId, req.params.orderNo);
    const paid = isSettled(data.order.status);
    const live = LIVE.includes(data.order.status);
    const ended = paid ? null : endedView(data.order, now);
    res.render('pay/result', {
      ...(live ? waiting : view), nav: M.tabOfLines(data.lines).nav, title: paid ? '支付成功' : ended?.title ?? M.unpaidTitle,
      crumbs: [M.tabOfLines(data.lines).name, '银行支付结果'], ...data, paid, ended,
      notes: M.unpaidNotes, warnings: M.warnings, live, progress: progressUrl(data.order.orderNo), wait: M.waiting,
    });
  });

  // 微信支付 H5's redirect_url: the payer is back, the payment may still be finishing. Nothing is
  // asked of the channel here (WeChat: 不能自动执行查单操作); the page waits, and 我已完成支付 asks.
  r.get('/pay/orders/:orderNo/waiting', async (req, res) => {
    const { orderNo } = req.params;
    if ((await payment.progress(req.user!.personId, orderNo)) !== 'waiting') return res.redirect(303, `/pay/orders/${orderNo}/result`);
    const { order } = await payment.orderView(req.user!.personId, orderNo);
    res.render('pay/waiting', {
      ...waiting, title: M.waiting.title, crumbs: M.crumbs.result, order, channelName: choiceLabel(order.channel ?? ''), wait: M.waiting, progress: progressUrl(orderNo),
    });
  });

  // The pages' question, answered from our rows; the owner's only (another person's order is
  // answered as one that does not exist), never cached.
  r.get('/pay/orders/:orderNo/progress', async (req, res) => {
    const { orderNo } = req.params;
    res.set('Cache-Control', 'no-store');
    try {
      const state = await payment.progress(req.user!.personId, orderNo);
      res.json({ state, next: state === 'waiting' ? null : `/pay/orders/${orderNo}/result` });
    } catch (e) {
      if (!isAppError(e)) throw e;
      res.status(404).json({ state: 'unknown', next: null });
    }
  });

  return r;
}
