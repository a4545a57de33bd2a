// What the money-path bench (./money-path.ts) does over HTTP: a browser stand-in (cookies, the
// CSRF token of the last page, redirects not followed, so each 303 is seen), the order wizard as a
// student walks it (缴费信息修改 → 交费信息显示 → 下一步), the payer at each channel's sandbox page
// (the non-tax cashier and its 支付宝, a QR's phone page, the bank page of 图22), a bounded pool
// of workers, and percentiles.
import type { PaymentAction } from '../src/gateways/types';

export interface Page { status: number; location: string; text: string }

export class Browser {
  private readonly jar = new Map<string, string>();
  private token = '';

  constructor(readonly base: string) {}

  private async send(path: string, init: RequestInit): Promise<Page> {
    const res = await fetch(`${this.base}${path}`, {
      ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '), accept: 'text/html' },
    });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      const at = pair.indexOf('=');
      const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
      if (value === '' || /max-age=0/i.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const text = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(text);
    if (m) this.token = m[1]!;
    return { status: res.status, location: res.headers.get('location') ?? '', text };
  }

  get(path: string): Promise<Page> {
    return this.send(path, { method: 'GET' });
  }

  /** A form post with the last page's CSRF token; repeated names (bill=1&bill=2) as pairs. */
  post(path: string, fields: [string, string][]): Promise<Page> {
    const body = new URLSearchParams([['_csrf', this.token], ...fields]).toString();
    return this.send(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  }

  async login(username: string, password: string): Promise<Page> {
    await this.get('/login');
    return this.post('/login', [['username', username], ['password', password]]);
  }
}

export type WalkOutcome = { ok: true; orderNo: string } | { ok: false; step: string; status: number; location: string };

/** 缴费信息修改 → 交费信息显示 → 下一步 for one bill, as the pages post it; the order number or where it went wrong. */
export async function walkWizard(b: Browser, category: '财政' | '代收', periodId: number, billId: number, amount: string): Promise<WalkOutcome> {
  const items = await b.get(`/pay/items?category=${encodeURIComponent(category)}&period=${periodId}`);
  if (items.status !== 200) return { ok: false, step: '缴费信息修改', status: items.status, location: items.location };
  const chosen = await b.post('/pay/items', [['category', category], ['period', String(periodId)], ['bill', String(billId)], [`amount_${billId}`, amount]]);
  if (chosen.status !== 303 || !chosen.location.endsWith('/pay/review')) return { ok: false, step: '下一步 (缴费信息修改)', status: chosen.status, location: chosen.location };
  const review = await b.get('/pay/review');
  if (review.status !== 200) return { ok: false, step: '交费信息显示', status: review.status, location: review.location };
  const made = await b.post('/pay/orders', []);
  const orderNo = /\/pay\/orders\/(XF\d{6}[A-Z]{3}\d{6})/.exec(made.location)?.[1];
  if (made.status !== 303 || !orderNo) return { ok: false, step: '下一步 (交费信息显示)', status: made.status, location: made.location };
  return { ok: true, orderNo };
}

const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual',
});

const unescapeHtml = (s: string) => s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

async function paidPage(res: Response, what: string): Promise<void> {
  const html = await res.text();
  if (res.status !== 200 || !html.includes('支付成功')) throw new Error(`${what}: ${res.status} ${html.slice(0, 200)}`);
}

/**
 * The payer pays at the channel the action leads to (the sandbox's pages, over HTTP): the
 * non-tax cashier with 支付宝 inside it, a QR's phone page (支付宝, 微信), or the bank page
 * (银联, 工商银行): 手机号码, 卡(账)号后六位, 下一步, 确认支付. The channel then notifies.
 */
export async function payAtChannel(action: PaymentAction): Promise<void> {
  if (action.kind === 'redirect') {
    const chose = await fetch(`${action.url}/pay`, form({ pay_channel: 'alipay' }));
    const checkout = new URL(chose.headers.get('location') ?? '', action.url);
    if (chose.status !== 303) throw new Error(`non-tax cashier answered ${chose.status}`);
    return paidPage(await fetch(`${checkout.origin}${checkout.pathname}/confirm${checkout.search}`, form({})), 'non-tax 支付宝');
  }
  if (action.kind === 'qrCode') {
    const url = new URL(action.content);
    url.pathname += '/confirm';
    return paidPage(await fetch(url, { ...form({}), redirect: 'follow' }), 'QR phone page');
  }
  if (action.kind !== 'form') throw new Error(`unexpected action ${action.kind}`);
  const checkout = await (await fetch(action.url, { ...form(action.fields), redirect: 'follow' })).text();
  const at = /action="([^"]+)\/next"/.exec(checkout)?.[1];
  if (!at) throw new Error(`bank page without 下一步: ${checkout.slice(0, 200)}`);
  const base = `${new URL(action.url).origin}${unescapeHtml(at)}`;
  const next = await fetch(`${base}/next`, { ...form({ mobile: '13800000000', card: '123456' }), redirect: 'follow' });
  if (next.status !== 200) throw new Error(`bank page 下一步 answered ${next.status}`);
  await next.arrayBuffer();
  return paidPage(await fetch(`${base}/confirm`, { ...form({}), redirect: 'follow' }), 'bank page');
}

/** Runs `work` over `items` with at most `concurrency` at once. */
export async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  }));
}

/** The q-quantile (0..1) of `xs`, nearest rank; NaN for none. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * q) - 1))]! : NaN;
}

export const ms = (x: number) => (Number.isNaN(x) ? '—' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);
export const rate = (count: number, elapsedMs: number) => (elapsedMs > 0 ? (count / elapsedMs) * 1000 : NaN);
export const perSec = (x: number) => (Number.isNaN(x) ? '—' : `${x.toFixed(1)}/s`);
