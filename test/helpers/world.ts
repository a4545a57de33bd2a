// The one test world of the integration and reliability tests: the platform and the sandbox each
// on a real port (port 0), the config pointing each at the other, the sandbox's keys in a
// temporary folder; the wizard over HTTP or through the payment service; the payer at every
// channel's page (the non-tax cashier, the QR phone page, the bank page of 图22) over real HTTP;
// the sandbox's fault control; waiting for a condition; counting rows.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, expect } from 'vitest';
import { createApp } from '../../src/app';
import { isAppError } from '../../src/domain/app-error';
import type { Config } from '../../src/config';
import { platformJobs } from '../../src/jobs';
import { createLogger, type Logger } from '../../src/logger';
import type { PaymentService } from '../../src/modules/payment';
import { createSandboxApp } from '../../src/sandbox/server';
import { encodeForm, signedEnvelope } from '../../src/gateways/nontax/codec';
import { businessDateTime } from '../../src/domain/business-date';
import { testConfig } from './app';
import { testServices } from './services';
import type { TestDatabase } from './test-db';
import { Client } from './client';
import { setPassword as setUserPassword } from './users';
import type { PaymentAction } from '../../src/gateways/types';

export const PASSWORD = 'Abc12345!x';

async function listenRaw(): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** `logger`: where the platform logs (silent unless a test reads the lines). */
/** `afterCredit` replaces the app's e-bill kick after a credit (a no-op keeps the e-bill queued for the test to see). */
export async function payEnv(db: TestDatabase, env: Record<string, string> = {}, opts: { logger?: Logger; afterCredit?: () => void } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cupp-pay-'));
  const platform = await listenRaw();
  const sb = await listenRaw();
  const config = testConfig(db, { DATA_DIR: dataDir, PUBLIC_URL: platform.url, SANDBOX_URL: sb.url, SANDBOX_TIME_SCALE: '0.001', ...env });
  const sandbox = createSandboxApp({ config });
  sb.server.on('request', sandbox);
  const logger = opts.logger ?? createLogger('silent');
  const services = opts.afterCredit ? testServices({ config, db, logger, afterCredit: opts.afterCredit }) : undefined;
  const app = createApp({ config, db, logger, ...(services ? { services } : {}) });
  platform.server.on('request', app);
  const payment = testServices({ config, db }).payment;
  afterAll(async () => {
    sandbox.stop();
    platform.server.closeAllConnections();
    sb.server.closeAllConnections();
    await Promise.all([new Promise((r) => platform.server.close(r)), new Promise((r) => sb.server.close(r))]);
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { app, config, sandbox, payment, appUrl: platform.url, sandboxUrl: sb.url, dataDir };
}

export type PayEnv = Awaited<ReturnType<typeof payEnv>>;

/** 张三 (or anyone) past the initial-password gate. */
export const setPassword = (knex: Knex, number: string, password = PASSWORD) => setUserPassword(knex, number, password);

/** `browser`: the client's address and User-Agent (a phone, WeChat's browser). */
export async function signedIn(env: PayEnv, number: string, password = PASSWORD, browser: { ip?: string; userAgent?: string } = {}) {
  const c = new Client(env.app, browser);
  const res = await c.login(number, password);
  expect(res.status).toBe(303);
  return c;
}

export async function billIds(knex: Knex, number: string) {
  const rows = await knex('bills as b').join('people as p', 'p.id', 'b.person_id').join('fee_items as i', 'i.id', 'b.fee_item_id')
    .where('p.number', number).select('b.id', 'b.period_id', 'i.name');
  return Object.fromEntries(rows.map((r) => [r.name as string, { id: r.id as number, periodId: r.period_id as number }]));
}

/**
 * 缴费信息修改 → 交费信息显示 → 下一步: returns the new order's number. `replace`: a live order
 * holding the same bills is offered on 交费信息显示; the payer takes 取消原缴费单并生成新缴费单.
 */
export async function makeOrder(c: Client, category: '财政' | '代收', periodId: number, lines: Record<number, string>, o: { replace?: boolean } = {}) {
  await c.get(`/pay/items?category=${encodeURIComponent(category)}&period=${periodId}`);
  const fields: Record<string, string | string[]> = { category, period: String(periodId), bill: Object.keys(lines) };
  for (const [id, amount] of Object.entries(lines)) fields[`amount_${id}`] = amount;
  const chosen = await c.post('/pay/items', fields);
  expect(chosen.status, chosen.text).toBe(303);
  const review = await c.get('/pay/review');
  const replace = /<input type="hidden" name="replace" value="([^"]*)">/.exec(review.text)?.[1];
  expect(!!replace, o.replace ? 'a live order is offered' : 'no live order is offered').toBe(!!o.replace);
  const res = await c.post('/pay/orders', replace ? { replace } : {});
  expect(res.status).toBe(303);
  const m = /\/pay\/orders\/(XF\d{6}LUT\d{6})/.exec(res.headers.location ?? '');
  expect(m).toBeTruthy();
  return m![1]!;
}

/** 确定缴费 with 非税支付: returns the cashier URL and the 缴款码. */
export async function submitNontax(c: Client, orderNo: string) {
  await c.get(`/pay/orders/${orderNo}`);
  const res = await c.post(`/pay/orders/${orderNo}/submit`, { channel: 'nontax' });
  expect(res.status, res.text).toBe(303);
  const url = res.headers.location!;
  const code = /\/nontax\/cashier\/(\d{20})$/.exec(url)?.[1];
  expect(code).toBeTruthy();
  return { cashierUrl: url, payCode: code! };
}

export type CashierMethod = 'alipay' | 'wechat' | 'unionpay';

/**
 * A fetch init that posts `fields` as a form. Redirects are not followed (the test reads the
 * 303), unless `follow`.
 */
export function form(fields: Record<string, string> = {}, o: { follow?: boolean } = {}): RequestInit {
  return {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(),
    ...(o.follow ? {} : { redirect: 'manual' as const }),
  };
}

/**
 * The payer chooses a method and presses 确认支付 (or 取消支付) on the sandbox's non-tax cashier.
 * 确认支付 leads to that channel's checkout (支付宝 QR page, 微信 phone page, 银联 bank page),
 * where the payer confirms; 返回商户 then leads back through the non-tax platform to the school.
 * Returns where the payer ends up at the school (the cashier's return URL).
 */
export async function payAtCashier(cashierUrl: string, method: CashierMethod = 'alipay', action: 'pay' | 'cancel' = 'pay') {
  const res = await fetch(`${cashierUrl}/${action}`, form({ pay_channel: method }));
  expect(res.status).toBe(303);
  const location = res.headers.get('location')!;
  // Cancelled, or already paid: straight back to the school.
  if (action === 'cancel' || !location.startsWith(new URL(cashierUrl).origin)) return location;
  const paid = await confirmAtCheckout(location, method);
  const back = /<a href="([^"]+)">返回商户<\/a>/.exec(paid)?.[1];
  expect(back, paid.slice(0, 500)).toBeTruthy();
  const onward = await fetch(back!.replace(/&amp;/g, '&'), { redirect: 'manual' });
  expect(onward.status).toBe(303);
  return onward.headers.get('location')!;
}

/** 确认支付 on the checkout the non-tax cashier sent the payer to; returns the paid page. */
export async function confirmAtCheckout(checkoutUrl: string, method: CashierMethod): Promise<string> {
  const u = new URL(checkoutUrl);
  const path = `${u.origin}${u.pathname}`;
  if (method === 'unionpay') {
    // 图22: 手机号码 and 卡(账)号后六位, 下一步, then 确认支付.
    expect((await fetch(checkoutUrl)).status).toBe(200);
    const next = await fetch(`${path}/next`, form({ mobile: '13800000000', card: '123456' }));
    expect(next.status).toBe(200);
  }
  const paid = await fetch(`${path}/confirm${u.search}`, form());
  const html = await paid.text();
  expect(paid.status, html.slice(0, 300)).toBe(200);
  expect(html).toContain('支付成功');
  return html;
}

export async function orderStatus(knex: Knex, orderNo: string): Promise<string> {
  return (await knex('orders').where({ order_no: orderNo }).first('status')).status;
}

export async function waitForStatus(knex: Knex, orderNo: string, status: string, ms = 8000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if ((await orderStatus(knex, orderNo)) === status) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`order ${orderNo} did not become ${status} (is ${await orderStatus(knex, orderNo)})`);
}

/** A bill.notify as the platform would sign it, with optional changes for forgeries. */
export function notification(env: PayEnv, payCode: string, o: { amount?: string; merchantId?: string; tamper?: boolean; tradeNo?: string } = {}) {
  const b = env.sandbox.nontax.bills.get(payCode)!;
  const biz = {
    pay_code: b.payCode, out_bill_no: b.outBillNo, amount: o.amount ?? b.amount, status: 'PAID',
    trade_no: o.tradeNo ?? b.tradeNo ?? 'NT2026000000000001', paid_time: businessDateTime(b.paidAt ?? new Date()), pay_channel: b.payMethod ?? 'alipay',
  };
  const fields = signedEnvelope({ merchantId: o.merchantId ?? b.merchantId, method: 'bill.notify', biz, privateKeyPem: env.sandbox.nontax.platformKeys.privateKey });
  if (o.tamper) fields.biz_content = fields.biz_content!.replace('"status":"PAID"', '"status":"PAID","x":1').replace(`"amount":"${b.amount}"`, `"amount":"0.01"`);
  return encodeForm(fields);
}

/** Arms a fault in the sandbox's shared control (POST /_control/faults) for the next `count` uses. */
export async function armFault(env: Pick<PayEnv, 'sandboxUrl'>, channel: string, kind: string, count = 1, extra: object = {}) {
  expect((await sandboxControl(env).faults({ channel, kind, count, ...extra })).status).toBe(201);
}

/**
 * A fetch to a channel whose first request matching `match` meets `fault` (sent and its answer
 * lost, never sent, a proxy's 502…); every other request goes out as usual.
 */
export function faultOnce(match: (url: string, init?: RequestInit) => boolean, fault: (url: string | URL | Request, init?: RequestInit) => Promise<Response>): typeof fetch {
  let armed = true;
  return (async (url: string | URL | Request, init?: RequestInit) => {
    if (armed && match(String(url), init)) {
      armed = false;
      return fault(url, init);
    }
    return fetch(url, init);
  }) as typeof fetch;
}

/** The scheduler's refund-query job, its clock `aheadMs` past now (past a console call's own time). */
export const refundQueryJob = (config: Config, knex: Knex, aheadMs = 10 * 60_000) =>
  platformJobs({ config, knex, logger: createLogger('silent'), now: () => new Date(Date.now() + aheadMs) }).find((j) => j.name === 'refund-query')!;

/**
 * 退费 from the console's person page, in its two steps as finance takes them: the form (退费性质
 * 'money_back' unless `fields` say otherwise), then 核对退费's 确认退费 with the bill's version the
 * page showed. `check` is the first answer (核对退费, or the form again with a refusal); `done`
 * the confirmation's (the first answer again when nothing was offered to confirm).
 */
export async function refundFromConsole(c: Client, personId: number, fields: Record<string, string>) {
  const path = `/console/people/${personId}/refund`;
  const body = { purpose: 'money_back', ...fields };
  const check = await c.post(path, body);
  const version = /id="refund-confirm-form"[\s\S]*?name="version" value="(\d+)"/.exec(check.text)?.[1];
  if (check.status !== 200 || !version) return { check, done: check };
  return { check, done: await c.post(path, { ...body, version, confirm: '1' }) };
}

/** Disarms the channel's faults (DELETE /_control/faults?channel=…). */
export async function clearFaults(env: PayEnv, channel: string) {
  expect((await sandboxControl(env).clear(channel)).status).toBe(204);
}

export async function postNotify(env: PayEnv, body: string) {
  const res = await fetch(`${env.appUrl}/pay/notify/nontax`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
  return { status: res.status, text: await res.text() };
}

// ——— Waiting ———

/** Waits until `cond` holds, asking every `every` ms; fails the test after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, every = 25): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Like until, but answers whether `cond` came to hold within `ms` (asked once more at the end). */
export async function becomes(cond: () => boolean | Promise<boolean>, ms: number, every = 200): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return cond();
}

/**
 * The 6-digit code of the latest SMS to `mobile` in `table` (sms_outbox, or the demo's sandbox
 * sender's sms_sandbox_inbox), waiting up to 10 s for it to arrive.
 */
export async function smsCode(knex: Knex, table: 'sms_outbox' | 'sms_sandbox_inbox', mobile: string): Promise<string> {
  let code: string | undefined;
  await until(async () => {
    const row = await knex(table).where({ mobile }).orderBy('id', 'desc').first('body');
    code = /验证码为(\d{6})/.exec(String(row?.body ?? ''))?.[1];
    return !!code;
  }, 10_000, 50);
  return code!;
}

// ——— Rows ———

/** The number of rows a query selects. */
export const count = (q: Knex.QueryBuilder) => q.clone().clearSelect().count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n));

/** The number of rows of `table` matching `where`. */
export const countRows = (knex: Knex, table: string, where: Record<string, unknown> = {}) => count(knex(table).where(where));

/** Row counts of several tables at once, for "nothing else changed" comparisons. */
export async function tableCounts(knex: Knex, tables: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = await countRows(knex, t);
  return out;
}

// ——— The payment service's wizard ———

export interface Payable { personId: number; billId: number; periodId: number; due: string; category?: '财政' | '代收' }

/**
 * 交费信息显示 → 下一步 as the wizard's service calls it: the new order's number. `viaItems`
 * goes through 缴费信息修改 (chooseItems) first, as the pages do.
 */
export async function orderOf(payment: PaymentService, p: Payable, amount = p.due, o: { viaItems?: boolean } = {}): Promise<string> {
  const chosen = { category: p.category ?? '代收', periods: [p.periodId], lines: [{ billId: p.billId, amount }] };
  let w = chosen;
  if (o.viaItems) {
    const r = await payment.chooseItems(p.personId, chosen);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    w = r.wizard;
  }
  return (await payment.confirmOrder(p.personId, w)).orderNo;
}

/** 确定缴费 with `channel`: the action the browser is given. */
export async function submitTo(payment: PaymentService, p: Pick<Payable, 'personId'>, orderNo: string, channel: string): Promise<PaymentAction> {
  const r = await payment.submitToChannel(p.personId, orderNo, channel);
  if (r.kind !== 'action') throw new Error(`submit: ${JSON.stringify(r)}`);
  return r.action;
}

/**
 * 取消交费 as its page reads it: `{ ok: true, message }` (the notice 应交款明细表 shows), or the
 * command's refusal (an AppError) as `{ ok: false, message, ...details }`: `paid: true` is the
 * order already paid, which the page answers with 银行支付结果.
 */
export async function cancelOf(payment: PaymentService, personId: number, orderNo: string) {
  try {
    return { ok: true as const, ...(await payment.cancel(personId, orderNo)) };
  } catch (e) {
    if (!isAppError(e)) throw e;
    return { ok: false as const, message: e.message, ...e.details };
  }
}

/**
 * 确定缴费's answer, or its refusal (an AppError) as `{ kind: 'refused', message }`: the line 图12
 * shows again. Wrapped where the call starts, so a refusal before the test awaits it is never an
 * unhandled rejection.
 */
export function submitOutcome<T>(submitting: Promise<T>): Promise<T | { kind: 'refused'; message: string }> {
  return submitting.catch((e: unknown) => {
    if (!isAppError(e)) throw e;
    return { kind: 'refused' as const, message: e.message };
  });
}

// ——— The payer at the channel ———

const unescapeHtml = (s: string) => s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * 确定缴费's page as the browser gets it: the auto-posted form to the channel, or the QR page's
 * 模拟扫码（沙箱） link (the sandbox's phone page).
 */
export function pageAction(page: string): PaymentAction {
  if (page.includes('data-autosubmit')) {
    const [, url, inner] = /<form method="POST" action="([^"]+)" data-autosubmit>([\s\S]*?)<\/form>/.exec(page)!;
    const fields = Object.fromEntries([...inner!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((x) => [x[1]!, unescapeHtml(x[2]!)]));
    return { kind: 'form', url: unescapeHtml(url!), method: 'POST', fields };
  }
  const link = /<a href="([^"]+)"[^>]*>模拟扫码（沙箱）<\/a>/.exec(page);
  expect(link, 'the QR page links to the sandbox phone').toBeTruthy();
  return { kind: 'qrCode', content: unescapeHtml(link![1]!) };
}

export interface AtChannel {
  /** The channel's first page: the QR page (with `look`), the bank page, the cashier's URL. */
  checkout: string;
  /** The bank page after 下一步 (手机号码, 卡(账)号后六位), where 确认支付 is. */
  confirm?: string;
  /** The page after 确认支付 (for the non-tax cashier: where the payer ends up at the school). */
  done: string;
  /** The answer's status to 下一步 (bank page) and to 确认支付. */
  nextStatus?: number;
  status: number;
}

/** The bank page of 图22 (UnionPay, ICBC e-pay) opened from the auto-posted form: its HTML and where its steps post to. */
export async function openBankPage(action: PaymentAction): Promise<{ checkout: string; at: string }> {
  if (action.kind !== 'form') throw new Error(`not a form: ${action.kind}`);
  const checkout = await (await fetch(action.url, form(action.fields, { follow: true }))).text();
  const next = /action="([^"]+)\/next"/.exec(checkout)?.[1];
  expect(next, checkout.slice(0, 300)).toBeTruthy();
  return { checkout, at: `${new URL(action.url).origin}${next}` };
}

/**
 * The payer at the channel the action leads to, over real HTTP: the non-tax cashier (a redirect;
 * `method` inside it, 支付宝 by default), a QR's phone page (Alipay, WeChat; `look` opens the QR
 * page first, as the payer scanning it would), or the bank page (UnionPay, ICBC): 手机号码,
 * 卡(账)号后六位, 下一步, 确认支付. Returns the pages; asserts nothing about the outcome.
 */
export async function payAt(action: PaymentAction, o: { method?: CashierMethod; look?: boolean } = {}): Promise<AtChannel> {
  if (action.kind === 'redirect') {
    return { checkout: action.url, done: await payAtCashier(action.url, o.method ?? 'alipay'), status: 303 };
  }
  if (action.kind === 'qrCode') {
    const url = new URL(action.content);
    const checkout = o.look ? await (await fetch(url)).text() : '';
    url.pathname += '/confirm';
    const res = await fetch(url, form({}, { follow: true }));
    return { checkout, done: await res.text(), status: res.status };
  }
  const { checkout, at } = await openBankPage(action);
  const next = await fetch(`${at}/next`, form({ mobile: '13800000000', card: '123456' }, { follow: true }));
  const confirm = await next.text();
  const res = await fetch(`${at}/confirm`, form({}, { follow: true }));
  return { checkout, confirm, done: await res.text(), nextStatus: next.status, status: res.status };
}

// ——— The sandbox's fault control ———

/** The sandbox's shared control (/_control): arm and clear faults, read what was notified. */
export function sandboxControl(env: Pick<PayEnv, 'sandboxUrl'>) {
  const at = `${env.sandboxUrl}/_control`;
  return {
    /** POST /_control/faults with `body` as is: the raw answer. */
    faults: (body: object) => fetch(`${at}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    /** DELETE /_control/faults (of one channel, or all): the raw answer. */
    clear: (channel?: string) => fetch(`${at}/faults${channel ? `?channel=${channel}` : ''}`, { method: 'DELETE' }),
    /** What the sandbox notified (for one order, or all of the channel's): each attempt, its copies, whether it was acknowledged. */
    notifications: async (channel: string, orderNo?: string) =>
      (await (await fetch(`${at}/notifications?channel=${channel}${orderNo ? `&orderNo=${orderNo}` : ''}`)).json()) as { orderNo: string; attempt?: number; acked: boolean; copies: number; mutation: string | null; lost: boolean; held?: boolean; status: number | null }[],
  };
}
