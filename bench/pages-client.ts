// The client side of the pages bench (./pages.ts), in a worker thread of its own: the main thread
// then runs only the servers, so its CPU time (./cpu-time.ts) is the server's alone. Asked by
// message: a closed-loop load on one URL with one cookie per connection (autocannon, each
// connection a different signed-in student), and sign-ins, whose login pages (a new session, its
// CSRF cookie and token) are fetched before the timed part so only POST /login is timed.
import { parentPort } from 'node:worker_threads';
import autocannon from 'autocannon';
import { Browser, quantile } from './money-http';

export type ClientAsk =
  | { kind: 'load'; url: string; cookies: string[]; connections: number; seconds: number }
  | { kind: 'loginPages'; base: string; numbers: string[]; count: number }
  | { kind: 'logins'; password: string; concurrency: number };

export interface LoadAnswer { requests: number; seconds: number; p50: number; p99: number; errors: number; non2xx: number; statuses: Record<string, number> }
export interface LoginAnswer { count: number; seconds: number; p50: number; p99: number; notRedirected: number }

let pages: { browser: Browser; number: string }[] = [];

async function load(ask: Extract<ClientAsk, { kind: 'load' }>): Promise<LoadAnswer> {
  let n = 0;
  // Off the main thread autocannon leaves its histograms encoded: aggregateResult decodes them.
  const raw = await autocannon({
    url: ask.url, connections: ask.connections, duration: ask.seconds,
    // Each connection is one student's browser: its own session cookie for every request it sends.
    setupClient: (client: { setHeaders(h: Record<string, string>): void }) => {
      const cookie = ask.cookies[n++ % ask.cookies.length];
      client.setHeaders(cookie ? { cookie, accept: 'text/html' } : { accept: 'text/html' });
    },
  } as autocannon.Options);
  const r = (autocannon as unknown as { aggregateResult(x: unknown, opts: object): autocannon.Result }).aggregateResult([raw], { url: ask.url, connections: ask.connections });
  return { requests: r.requests.total, seconds: r.duration, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx,
    statuses: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, v]) => [code, (v as { count: number }).count])) };
}

async function loginPages(ask: Extract<ClientAsk, { kind: 'loginPages' }>): Promise<number> {
  pages = [];
  for (let i = 0; i < ask.count; i += 10) {
    pages.push(...await Promise.all(Array.from({ length: Math.min(10, ask.count - i) }, async (_, j) => {
      const browser = new Browser(ask.base);
      const page = await browser.get('/login');
      if (page.status !== 200) throw new Error(`GET /login answered ${page.status}`);
      return { browser, number: ask.numbers[(i + j) % ask.numbers.length]! };
    })));
  }
  return pages.length;
}

async function logins(ask: Extract<ClientAsk, { kind: 'logins' }>): Promise<LoginAnswer> {
  const todo = pages;
  pages = [];
  const ms: number[] = [];
  let notRedirected = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: ask.concurrency }, async () => {
    while (next < todo.length) {
      const p = todo[next++]!;
      const t = performance.now();
      const r = await p.browser.post('/login', [['username', p.number], ['password', ask.password]]);
      ms.push(performance.now() - t);
      if (r.status !== 303 || r.location !== '/') notRedirected++;
    }
  }));
  return { count: todo.length, seconds: (performance.now() - t0) / 1000, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), notRedirected };
}

parentPort!.on('message', (ask: ClientAsk) => {
  const work = ask.kind === 'load' ? load(ask) : ask.kind === 'loginPages' ? loginPages(ask) : logins(ask);
  work.then((answer) => parentPort!.postMessage({ ok: true, answer }), (e: unknown) => parentPort!.postMessage({ ok: false, error: String(e instanceof Error ? e.stack : e) }));
});
