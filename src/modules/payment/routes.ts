// 学费缴费 routes up to the order: 应交款明细表 (图9/图17), 缴费信息修改 (图10/图18), 交费信息显示
// (图11/图19) and its 下一步; the order's own pages are in ./order-routes.ts. 其他费用's list is in
// ./other-routes.ts and its payments go through these same screens, the wizard keeping its fee type
// (`fee=other` in the links, feeType in the session). One line each — path,
// validation, one service call, render or redirect.
import express, { Router, type Request, type Response } from 'express';
import { HTTP_STATUS, isAppError } from '../../domain/app-error';
import { plainMoney } from '../../domain/money';
import type { FeeType } from '../../domain/payable';
import { isOrderNo } from '../../domain/order-number';
import { shownTotal } from '../../domain/payment-selection';
import { formFields, parse } from '../../http/validate';
import { choiceLabel } from './context';
import { M } from './messages';
import { REFUSED_WINDOW_SECONDS } from './notify-limit';
import { orderRoutes } from './order-routes';
import { wechatRoutes } from './wechat-routes';
import type { LiveOrderOffer } from './read/live-beside';
import { otherFeesPages } from './other-routes';
import { buildForm, feeTypeOf, itemsForm, itemsQuery, typedAmounts, wizardState, type WizardState } from './schemas';
import type { PaymentService } from './service';
import { pageReadFor } from '../../http/page-reads';
import { tuitionListRead } from './page-reads';

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
  /** PUBLIC_URL: where a channel's authorization (WeChat's 网页授权) sends the browser back. */
  publicUrl?: string;
  /** 非税平台维护中，预计 HH:MM 恢复 while the non-tax platform is out, else null (../nontax-status). */
  fiscalNotice?: () => Promise<string | null>;
}) {
  const { payment } = deps;
  const fiscalDown = async (category: string) => (category === '财政' ? (await deps.fiscalNotice?.()) ?? null : null);
  const r = Router();
  const view = { nav: 'pay', scripts: ['pay.js'] };

  const renderTuition = async (req: Request, res: Response, error?: string, status = 200) => {
    const data = await payment.listPayable(req.user!.personId, pageReadFor(req, tuitionListRead));
    const cancelled = typeof req.query.cancelled === 'string' && isOrderNo(req.query.cancelled) ? [M.cancelled(req.query.cancelled)] : [];
    // The 财政 button is disabled meanwhile; the notice says so once (not again as the error).
    const down = await fiscalDown('财政');
    res.status(status).render('pay/index', {
      ...view, title: '学费缴费', crumbs: M.crumbs.list, help: M.listHelp, ...data, error: error === down ? undefined : error, notices: [...(down ? [down] : []), ...cancelled], fiscalDown: !!down,
    });
  };
  const other = otherFeesPages({ payment, fiscalDown });
  /** The list of the wizard's tab, where a refusal of the wizard is shown. */
  const renderList = (feeType: FeeType, req: Request, res: Response, error?: string, status = 200) =>
    (feeType === '其他费用' ? other.render(req, res, { error, status }) : renderTuition(req, res, error, status));
  /** The tab a request names (fee=other), 学费缴费 when it names none or nonsense. */
  const tabOf = (v: unknown): FeeType => (v === 'other' ? '其他费用' : '学费');

  const renderItems = async (req: Request, res: Response, q: { feeType: FeeType; category: '财政' | '代收'; periods: number[]; bill?: number | undefined }, form?: { checked: Set<number>; amounts: Map<number, string>; errors: Record<string, string> }) => {
    const { rows } = await payment.itemsFor(req.user!.personId, q.category, q.periods, new Date(), q.feeType);
    if (!rows.length) return renderList(q.feeType, req, res, M.nothingToPay(q.category), 400);
    // A link naming one bill (报名信息's 去缴费) ticks that bill alone, in full; else 上一步 from
    // 交费信息显示 comes back with what was chosen.
    const only = q.bill !== undefined && rows.some((b) => b.billId === q.bill) ? [q.bill] : null;
    const w = wizardState.safeParse(req.session.wizard);
    const kept = !form && !only && w.success && w.data.category === q.category && w.data.feeType === q.feeType ? w.data : null;
    const checked = form?.checked ?? new Set(only ?? (kept ? kept.lines.map((l) => l.billId) : rows.map((b) => b.billId)));
    const amounts = form?.amounts ?? new Map(kept?.lines.map((l) => [l.billId, l.amount]));
    // The totals are those of the boxes as shown (kept, or typed and refused), never the arrears.
    const total = shownTotal(rows.filter((b) => checked.has(b.billId)).map((b) => amounts.get(b.billId) ?? plainMoney(b.arrears)));
    const tab = M.tab(q.feeType);
    res.status(form ? 400 : 200).render('pay/items', {
      ...view, nav: tab.nav, tab, title: '缴费信息修改', crumbs: M.crumbsOf(q.feeType, '缴费信息修改'), help: M.itemsHelp, category: q.category, periods: q.periods, rows, total,
      checked, amounts, errors: form?.errors ?? {},
    });
  };

  r.get('/pay', (req, res) => renderTuition(req, res));
  r.use(other.routes);

  r.get('/pay/items', async (req, res) => {
    const q = itemsQuery.safeParse({ fee: req.query.fee, category: req.query.category, period: req.query.period, bill: req.query.bill });
    if (!q.success) return renderList(tabOf(req.query.fee), req, res, q.error.issues[0]?.message ?? M.choosePeriod, 400);
    const down = await fiscalDown(q.data.category);
    if (down) return renderList(q.data.fee, req, res, down, 409);
    await renderItems(req, res, { feeType: q.data.fee, category: q.data.category, periods: q.data.period, bill: q.data.bill });
  });

  r.post('/pay/items', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const f = itemsForm.safeParse({ fee: body.fee || undefined, category: body.category, period: arr(body.period), bill: arr(body.bill) });
    if (!f.success) return renderList(tabOf(body.fee), req, res, f.error.issues[0]?.message ?? M.badCategory, 400);
    const feeType = f.data.fee;
    const down = await fiscalDown(f.data.category);
    if (down) return renderList(feeType, req, res, down, 409);
    const amounts = typedAmounts(body);
    const lines = f.data.bill.map((billId) => ({ billId, amount: amounts.get(billId) ?? '' }));
    const result = await payment.chooseItems(req.user!.personId, { feeType, category: f.data.category, periods: f.data.period, lines });
    if (!result.ok) {
      return renderItems(req, res, { feeType, category: f.data.category, periods: f.data.period }, { checked: new Set(f.data.bill), amounts, errors: result.errors });
    }
    req.session.wizard = result.wizard;
    res.redirect(303, '/pay/review');
  });

  /** 交费信息显示, with any live order holding the same bills offered before 下一步 builds one. */
  const renderReview = async (req: Request, res: Response, w: WizardState, status = 200) => {
    const feeType = feeTypeOf(w);
    let data;
    try {
      data = await payment.review(req.user!.personId, w);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return renderList(feeType, req, res, e.message, HTTP_STATUS[e.code]);
    }
    const tab = M.tab(feeType);
    const back = new URLSearchParams([...(tab.fee ? [['fee', tab.fee]] : []), ['category', w.category], ...w.periods.map((p) => ['period', String(p)])]);
    const offers = data.offers.map((o: LiveOrderOffer) => ({ ...o, channelLabel: o.channel ? choiceLabel(o.channel) : null }));
    res.status(status).render('pay/review', {
      ...view, nav: tab.nav, title: '交费信息显示', crumbs: M.crumbsOf(feeType, '交费信息显示'), help: M.reviewHelp, ...data, offers, liveOffer: M.liveOffer,
      notices: data.reuses ? [M.reuses(data.reuses)] : [], replace: offers.map((o) => o.orderNo).join(','), back: `/pay/items?${back}`,
    });
  };

  r.get('/pay/review', async (req, res) => {
    const w = wizardState.safeParse(req.session.wizard);
    if (!w.success) return res.redirect(303, '/pay');
    await renderReview(req, res, w.data);
  });

  r.post('/pay/orders', async (req, res) => {
    const w = wizardState.safeParse(req.session.wizard);
    if (!w.success) return renderTuition(req, res, M.wizardGone, 409);
    const feeType = feeTypeOf(w.data);
    const f = parse(buildForm, formFields(req.body));
    if (!f.ok) return renderReview(req, res, w.data, 400);
    const down = await fiscalDown(w.data.category);
    if (down) return renderList(feeType, req, res, down, 409);
    let result;
    try {
      result = await payment.offerOrBuild(req.user!.personId, w.data, f.data.replace);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return renderList(feeType, req, res, e.message, HTTP_STATUS[e.code]);
    }
    // A live order holds some of these bills: nothing built; 交费信息显示 offers it (409: not done).
    if ('offer' in result) return renderReview(req, res, w.data, 409);
    delete req.session.wizard;
    res.redirect(303, `/pay/orders/${result.orderNo}${result.reused ? '?reused=1' : ''}`);
  });

  // 图12 onwards: confirm, 确定缴费, 取消交费, 非税通知, 银行支付结果, the waiting page.
  r.use(orderRoutes({ payment, sandboxUrl: deps.sandboxUrl, publicUrl: deps.publicUrl ?? '', fiscalDown }));
  // 微信支付 JSAPI inside WeChat: 网页授权's way back and the payment page.
  r.use(wechatRoutes({ payment, sandboxUrl: deps.sandboxUrl, publicUrl: deps.publicUrl ?? '' }));

  return r;
}
