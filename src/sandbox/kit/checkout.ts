// The payer's page every simulator shows: the page itself (GET), 确认支付 (POST …/confirm: pays
// an unpaid trade) and 取消支付 (POST …/cancel: walks away; a payment the non-tax cashier opened
// goes back to that cashier), with any steps a bank page has before 确认支付 (下一步: phone
// number and card). A channel gives the page's path, how to find its trade, how to render it
// and how to pay; the wiring, the 404s and the expiry check are here.
import express, { Router, type Request, type Response } from 'express';
import { pageState, type SimTrade } from './trades';

type Handler<T> = (req: Request, res: Response, t: T) => void | Promise<void>;

export interface CheckoutSpec<T> {
  /** The page's path with its parameter, e.g. '/qr/:token'. */
  path: string;
  /** The trade the request is for (the school's or a sub-payment's), expired if due; undefined: 404. */
  find(req: Request): T | undefined;
  /** What an unknown or foreign page answers: a text (404, text/plain) or a handler. */
  notFound: string | ((req: Request, res: Response) => void);
  /** Renders the page in a state: open (or `openState`), paid, closed, cancelled, or a step's own. */
  render(req: Request, res: Response, t: T, state: string): void | Promise<void>;
  /** 确认支付 on an unpaid trade: the channel's own pay (trade number, notification, sub-payment callback). */
  pay?(t: T): void;
  /** The page state of a trade; pageState of a SimTrade by default. */
  state?(t: T): string;
  /** What an unpaid trade shows on GET: 'open' by default ('card' for a bank page's first step). */
  openState?: string;
  /** Serve GET of the page (a bank page is first reached by the merchant's POSTed form); true by default. */
  get?: boolean;
  /** Steps before 确认支付: POST <path>/<name>, e.g. next (下一步). */
  steps?: Record<string, Handler<T>>;
  /** Overrides 确认支付 (the non-tax cashier opens a payment at the chosen channel instead). */
  confirm?: Handler<T>;
  /** Overrides 取消支付. */
  cancel?: Handler<T>;
  /** Names of the two buttons' routes: confirm / cancel by default. */
  actions?: { confirm?: string; cancel?: string };
  /** Sub-payments: 取消支付 on a trade the non-tax cashier opened goes back to its cancelUrl. */
  subPayments?: { requestOf(t: SimTrade): { cancelUrl: string } | undefined };
}

export function checkoutRoutes<T extends SimTrade>(spec: CheckoutSpec<T>): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '4kb' }));
  const stateOf = (t: T) => {
    const s = spec.state ? spec.state(t) : pageState(t);
    return s === 'open' ? spec.openState ?? 'open' : s;
  };
  const withTrade = (h: Handler<T>) => async (req: Request, res: Response) => {
    const t = spec.find(req);
    if (!t) {
      if (typeof spec.notFound === 'string') return void res.status(404).type('text/plain; charset=utf-8').send(spec.notFound);
      return spec.notFound(req, res);
    }
    await h(req, res, t);
  };

  if (spec.get !== false) router.get(spec.path, withTrade((req, res, t) => spec.render(req, res, t, stateOf(t))));
  for (const [name, h] of Object.entries(spec.steps ?? {})) router.post(`${spec.path}/${name}`, withTrade(h));
  router.post(`${spec.path}/${spec.actions?.confirm ?? 'confirm'}`, withTrade(spec.confirm ?? (async (req, res, t) => {
    if (t.status === 'UNPAID') spec.pay?.(t);
    await spec.render(req, res, t, t.status === 'PAID' ? 'paid' : 'closed');
  })));
  router.post(`${spec.path}/${spec.actions?.cancel ?? 'cancel'}`, withTrade(spec.cancel ?? (async (req, res, t) => {
    const sub = spec.subPayments?.requestOf(t);
    if (sub && t.status === 'UNPAID') return res.redirect(303, sub.cancelUrl);
    await spec.render(req, res, t, t.status === 'UNPAID' ? 'cancelled' : stateOf(t));
  })));
  return router;
}
