// 学费缴费 routes: one line each — path, validation, one service call, render or redirect.
import express, { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { HTTP_STATUS, isAppError } from '../../domain/app-error';
import { isOrderNo } from '../../domain/order-number';
import { isSettled, LIVE } from '../../domain/order-state';
import type { ChannelId } from '../../gateways/types';
import { formFields, parse } from '../../http/validate';
import type { OpenAttempt } from './commands/submit-to-channel';
import { choiceLabel } from './context';
import { M } from './messages';
import { REFUSED_WINDOW_SECONDS } from './notify-limit';
import { openElsewhereView } from './read/open-elsewhere';
import { itemsForm, itemsQuery, mobileForm, submitForm, typedAmounts, wizardState } from './schemas';
import type { PaymentService } from './service';

const arr = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** The channels' server-to-server notifications: no login, no CSRF, the raw body kept for the signature. */
export function paymentNotifyRoutes(deps: { payment: PaymentService }) {
  const r = Router();
  const text = express.text({ type: () => true, limit: '64kb' });
  r.post('/pay/notify/:channel', (req, res, next) => {
    // A body the parser refuses (too large, an unknown charset or Content-Encoding) is still a
    // notification the channel must be answered in its own dialect: handled as an empty body,
    // which every adapter refuses with its failure answer, never our HTML error page.
    text(req, res, (err?: unknown) => {
      if (err) req.body = '';
      next();
    });
  }, async (req, res) => {
    const answer = await deps.payment.handleNotification(String(req.params.channel), {
      method: req.method, path: req.path, headers: req.headers, rawBody: typeof req.body === 'string' ? req.body : '',
    }, req.ip ?? '');
    if (answer.status === 429) res.set('Retry-After', String(REFUSED_WINDOW_SECONDS));
    res.status(answer.status).type(answer.contentType).send(answer.body);
  });
  return r;
}

export function paymentRoutes(deps: {
  payment: PaymentService;
  /** set when the sandbox runs: its phone pages stand in for scanning */
  sandboxUrl?: string | null;
  /** 非税平台维护中，预计 HH:MM 恢复 while the non-tax platform is out, else null (../nontax-status). */
  fiscalNotice?: () => Promise<string | null>;
}) {
  const { payment } = deps;
  const fiscalDown = async (category: string) => (category === '财政' ? (await deps.fiscalNotice?.()) ?? null : null);
  const r = Router();
  const view = { nav: 'pay', scripts: ['pay.js'] };

  const renderList = async (req: Request, res: Response, error?: string, status = 200) => {
    const data = await payment.listPayable(req.user!.personId);
    const cancelled = typeof req.query.cancelled === 'string' && isOrderNo(req.query.cancelled) ? [M.cancelled(req.query.cancelled)] : [];
    // The 财政 button is disabled meanwhile; the notice says so once (not again as the error).
    const down = await fiscalDown('财政');
    res.status(status).render('pay/index', {
      ...view, title: '学费缴费', crumbs: M.crumbs.list, help: M.listHelp, ...data, error: error === down ? undefined : error, notices: [...(down ? [down] : []), ...cancelled], fiscalDown: !!down,
    });
  };

  const renderItems = async (req: Request, res: Response, q: { category: '财政' | '代收'; periods: number[] }, form?: { checked: Set<number>; amounts: Map<number, string>; errors: Record<string, string> }) => {
    const { rows, total } = await payment.itemsFor(req.user!.personId, q.category, q.periods);
    if (!rows.length) return renderList(req, res, M.nothingToPay(q.category), 400);
    // 上一步 from 交费信息显示 comes back with what was chosen.
    const w = wizardState.safeParse(req.session.wizard);
    const kept = !form && w.success && w.data.category === q.category ? w.data : null;
    const checked = form?.checked ?? new Set(kept ? kept.lines.map((l) => l.billId) : rows.map((b) => b.billId));
    const amounts = form?.amounts ?? new Map(kept?.lines.map((l) => [l.billId, l.amount]));
    res.status(form ? 400 : 200).render('pay/items', {
      ...view, title: '缴费信息修改', crumbs: M.crumbs.items, help: M.itemsHelp, category: q.category, periods: q.periods, rows, total,
      checked, amounts, errors: form?.errors ?? {},
    });
  };

  const renderConfirm = async (req: Request, res: Response, orderNo: string, extra: { error?: string; editMobile?: boolean; mobileError?: string; typedMobile?: string; status?: number; openElsewhere?: { channel: string; open: OpenAttempt[] } } = {}) => {
    const data = await payment.orderView(req.user!.personId, orderNo);
    if (data.order.status === 'paid') return res.redirect(303, `/pay/orders/${orderNo}/result`);
    const notices = [];
    if (req.query.reused === '1') notices.push(M.orderReused(orderNo));
    if (req.query.mobile === '1') notices.push(M.mobileChanged);
    const down = await fiscalDown(data.order.category);
    if (down && extra.error !== down) notices.push(down);
    res.status(extra.status ?? 200).render('pay/confirm', {
      ...view, title: '缴费信息确认及支付方式选择', crumbs: M.crumbs.confirm, ...data, warnings: M.warnings, notices,
      error: extra.error, editMobile: extra.editMobile ?? req.query.edit === 'mobile', mobileError: extra.mobileError, mobileAlsoProfile: M.mobileAlsoProfile,
      // A refused number is shown back as typed, so the payer corrects it rather than retypes it.
      ...(extra.typedMobile !== undefined ? { mobile: extra.typedMobile } : {}),
      live: LIVE.includes(data.order.status), notLive: M.orderNotLive,
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
      ...view, title: '扫码支付', crumbs: M.crumbs.confirm, order, channelName: choiceLabel(channel), appName: channel === 'alipay' ? '支付宝' : '微信',
      qr: await QRCode.toDataURL(content, { margin: 1, width: 220, errorCorrectionLevel: 'M' }),
      sandboxLink: deps.sandboxUrl && content.startsWith(`${deps.sandboxUrl}/`) ? content : null,
    });
  };

  r.get('/pay', (req, res) => renderList(req, res));

  r.get('/pay/items', async (req, res) => {
    const q = itemsQuery.safeParse({ category: req.query.category, period: req.query.period });
    if (!q.success) return renderList(req, res, q.error.issues[0]?.message ?? M.choosePeriod, 400);
    const down = await fiscalDown(q.data.category);
    if (down) return renderList(req, res, down, 409);
    await renderItems(req, res, { category: q.data.category, periods: q.data.period });
  });

  r.post('/pay/items', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const f = itemsForm.safeParse({ category: body.category, period: arr(body.period), bill: arr(body.bill) });
    if (!f.success) return renderList(req, res, f.error.issues[0]?.message ?? M.badCategory, 400);
    const down = await fiscalDown(f.data.category);
    if (down) return renderList(req, res, down, 409);
    const amounts = typedAmounts(body);
    const lines = f.data.bill.map((billId) => ({ billId, amount: amounts.get(billId) ?? '' }));
    const result = await payment.chooseItems(req.user!.personId, { category: f.data.category, periods: f.data.period, lines });
    if (!result.ok) {
      return renderItems(req, res, { category: f.data.category, periods: f.data.period }, { checked: new Set(f.data.bill), amounts, errors: result.errors });
    }
    req.session.wizard = result.wizard;
    res.redirect(303, '/pay/review');
  });

  r.get('/pay/review', async (req, res) => {
    const w = wizardState.safeParse(req.session.wizard);
    if (!w.success) return res.redirect(303, '/pay');
    const data = await payment.review(req.user!.personId, w.data);
    if (!data.ok) return renderList(req, res, data.message, 409);
    const back = new URLSearchParams([['category', w.data.category], ...w.data.periods.map((p) => ['period', String(p)])]);
    res.render('pay/review', { ...view, title: '交费信息显示', crumbs: M.crumbs.review, help: M.reviewHelp, ...data, back: `/pay/items?${back}` });
  });

  r.post('/pay/orders', async (req, res) => {
    const w = wizardState.safeParse(req.session.wizard);
    if (!w.success) return renderList(req, res, M.wizardGone, 409);
    const down = await fiscalDown(w.data.category);
    if (down) return renderList(req, res, down, 409);
    let result;
    try {
      result = await payment.confirmOrder(req.user!.personId, w.data);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return renderList(req, res, e.message, HTTP_STATUS[e.code]);
    }
    delete req.session.wizard;
    res.redirect(303, `/pay/orders/${result.orderNo}${result.reused ? '?reused=1' : ''}`);
  });

  r.get('/pay/orders/:orderNo', (req, res) => renderConfirm(req, res, req.params.orderNo));

  r.post('/pay/orders/:orderNo/submit', async (req, res) => {
    const { orderNo } = req.params;
    const f = parse(submitForm, formFields(req.body));
    if (!f.ok) return renderConfirm(req, res, orderNo, { error: M.chooseChannel, status: 400 });
    // An order built before the outage: nothing goes to the platform until it is back.
    const down = f.data.channel === 'nontax' ? await fiscalDown('财政') : null;
    if (down) return renderConfirm(req, res, orderNo, { error: down, status: 409 });
    const result = await payment.submitToChannel(req.user!.personId, orderNo, f.data.channel, undefined, f.data.acknowledge);
    if (result.kind === 'paid') return res.redirect(303, `/pay/orders/${orderNo}/result`);
    // 200: nothing was sent; the page is a question (pay here anyway, or go back), not a refusal.
    if (result.kind === 'warning') return renderConfirm(req, res, orderNo, { openElsewhere: { channel: f.data.channel, open: result.open }, status: 200 });
    if (result.kind === 'refused') return renderConfirm(req, res, orderNo, { error: result.message, status: 409 });
    if (result.action.kind === 'redirect') return res.redirect(303, result.action.url);
    if (result.action.kind === 'qrCode') return renderQr(req, res, orderNo, result.action.content);
    res.render('pay/channel', { ...view, title: '支付', crumbs: M.crumbs.confirm, action: result.action, orderNo });
  });

  r.post('/pay/orders/:orderNo/cancel', async (req, res) => {
    const { orderNo } = req.params;
    const result = await payment.cancel(req.user!.personId, orderNo);
    if (result.ok) return res.redirect(303, `/pay?cancelled=${orderNo}`);
    if (result.paid) return res.redirect(303, `/pay/orders/${orderNo}/result`);
    return renderConfirm(req, res, orderNo, { error: result.message, status: 409 });
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
    const data = await payment.result(req.user!.personId, req.params.orderNo);
    const paid = isSettled(data.order.status);
    res.render('pay/result', {
      ...view, title: paid ? '支付成功' : M.unpaidTitle, crumbs: M.crumbs.result, ...data, paid, notes: M.unpaidNotes, warnings: M.warnings,
      live: LIVE.includes(data.order.status),
    });
  });

  return r;
}
