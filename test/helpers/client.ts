// A signed-in (or not) browser stand-in over supertest: keeps cookies, reads the CSRF token from
// the last page, and posts forms the way the pages do.
import { CookieAccessInfo } from 'cookiejar';
import request from 'supertest';
import type { App } from 'supertest/types';

export class Client {
  readonly agent;
  private token = '';

  /**
   * `ip`: the client's address, sent as X-Forwarded-For. The app trusts it from loopback (TRUST_PROXY's
   * default), as it would from a proxy in front, so a test can play people at different addresses.
   */
  constructor(app: App, private readonly opts: { ip?: string; userAgent?: string } = {}) {
    this.agent = request.agent(app);
  }

  /**
   * The session id the browser holds (its cupp.sid cookie, unsigned), as a browser keeps it: the
   * server sends the cookie only when the id is new, not with every answer.
   */
  sessionId(): string | undefined {
    const jar = (this.agent as unknown as { jar: { getCookies(a: unknown): { name: string; value: string }[] } }).jar;
    const raw = jar.getCookies(CookieAccessInfo.All).find((c) => c.name === 'cupp.sid')?.value;
    if (!raw) return undefined;
    const signed = decodeURIComponent(raw); // s:<sid>.<signature>
    return signed.slice(2, signed.lastIndexOf('.'));
  }

  /** `userAgent`: the browser it plays (a phone's, WeChat's); supertest's own otherwise. */
  private from<T extends { set(name: string, value: string): T }>(req: T): T {
    const withIp = this.opts.ip ? req.set('X-Forwarded-For', this.opts.ip) : req;
    return this.opts.userAgent ? withIp.set('User-Agent', this.opts.userAgent) : withIp;
  }

  async get(path: string) {
    const res = await this.from(this.agent.get(path)).set('Accept', 'text/html');
    this.remember(res.text);
    return res;
  }

  /** Posts a form; fetches a page first when no CSRF token has been seen yet. */
  async post(path: string, fields: Record<string, string | string[]>, opts: { csrf?: boolean; from?: string } = {}) {
    if (opts.csrf !== false && !this.token) await this.get(opts.from ?? '/login');
    const body = opts.csrf === false ? fields : { _csrf: this.token, ...fields };
    const res = await this.from(this.agent.post(path)).type('form').set('Accept', 'text/html').send(body);
    this.remember(res.text);
    return res;
  }

  async login(username: string, password: string, extra: Record<string, string> = {}) {
    await this.get('/login');
    return this.post('/login', { username, password, ...extra });
  }

  /** Loads the 验证码 image as the browser would (from this client's address). */
  async captchaImage() {
    return this.from(this.agent.get('/captcha.svg'));
  }

  /** The CSRF token of the last page seen, for tests that build their own requests. */
  get csrfToken(): string {
    return this.token;
  }

  private remember(html: string | undefined) {
    const m = html?.match(/name="_csrf" value="([^"]+)"/);
    if (m) this.token = m[1]!;
  }
}

/** GET `path` through `c`'s agent (its cookies), the body kept as bytes (a CSV, a PDF) in `body`. */
export const download = (c: Client, path: string) => c.agent.get(path).buffer(true).parse((r, cb) => {
  const chunks: Buffer[] = [];
  r.on('data', (d: Buffer) => chunks.push(d));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
});

/** The visible text of a page, tags stripped and spaces folded: what a person reads. */
export function text(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/\s+/g, ' ');
}
