// The student pages as 30,000 students reload them on registration day: 当前费用, 首页, 学费缴费,
// 交易查询 and 个人信息, each loaded by 20 and by 50 signed-in students at once (one session per
// connection, all different students), judged against two references measured in the same run
// beside them: (A) a bare Express route, the framework's floor, and (B) the same page drawn by
// Express and EJS from the very data the real page rendered, held in memory (no database, no
// session, no security middleware). Beside each: statements sent to PostgreSQL per request
// (./db-queries.ts), and the CPU ms per request of the thread that answers (the client runs in a
// worker thread, ./pages-client.ts) and of the PostgreSQL backends (./cpu-time.ts). Then sign-in:
// full POST /login (CSRF, throttle, bcrypt, session regeneration) against raw bcrypt.compare at the
// same cost with as many at once as the app's bcrypt gate runs. Beside the pages, (C) 生活缴费 (/life),
// a signed-in page that reads nothing from the database beyond the session: what the stack itself
// (session, CSRF, router, layout) costs the thread, the floor under every page's figures.
//
// The machine is shared: the load average is printed, everything is measured twice, and the goals
// are judged by ratios to the references of the same run. The app runs with LOG_LEVEL=info (its
// production default), its request log written to /dev/null. BENCH_PAGES_SECONDS sets each window
// (default 3), BENCH_PAGES_RUNS and BENCH_PAGES_LEVELS (20,50) narrow it while working on one
// thing; BENCH_PAGES_PROFILE=<dir> adds one CPU profile per page at 50 sessions and one of the
// sign-ins, written there with its top entries printed (figures under the profiler are slower,
// and only the profile is read from that window).
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import bcrypt from 'bcrypt';
import express from 'express';
import type { Knex } from 'knex';
import pino from 'pino';
import { benchConfig, benchDatabase } from './bench-db';
import { countQueries, queriesBetween } from './db-queries';
import { cpuMeter, cpuSpent } from './cpu-time';
import { profileWindow, topEntries } from './cpu-profile';
import { pool } from './money-http';
import type { ClientAsk, LoadAnswer, LoginAnswer } from './pages-client';
import { createApp } from '../src/app';
import { migrateLatest } from '../src/db/migrate';
import { createLogger } from '../src/logger';
import { buildServices } from '../src/services';
import { useViews } from '../src/http/views';
import { seedDemo } from '../seeds/demo';
import { buildUnpaidOrder, paidOrder } from '../test/factories-payments';

const SECONDS = Number(process.env.BENCH_PAGES_SECONDS ?? 3);
const PROFILE_DIR = process.env.BENCH_PAGES_PROFILE;
const LEVELS = (process.env.BENCH_PAGES_LEVELS ?? '20,50').split(',').map(Number);
const RUNS = Number(process.env.BENCH_PAGES_RUNS ?? 2);
const LOGINS = Number(process.env.BENCH_PAGES_LOGINS ?? 60);
const PASSWORD = 'Bench#2026pw';
const PAGES = [
  { name: '当前费用', path: '/fees', goalB: 0.4 },
  { name: '首页', path: '/', goalB: 0.3 },
  { name: '学费缴费', path: '/pay', goalB: 0.3 },
  { name: '交易查询', path: '/transactions/bank', goalB: 0.3 },
  { name: '个人信息', path: '/profile', goalB: 0.3 },
] as const;
// The stack's floor: a signed-in page of the app that reads nothing but the session and draws only
// the layout (生活缴费, 该功能暂未开放), through every middleware a student page passes. What it
// spends beyond its own (B) is what any signed-in page pays before its own data.
const FLOOR = { name: '(C) 生活缴费', path: '/life' } as const;
const MEASURED = [...PAGES, FLOOR];
const FEES_OF_A = 0.2;
const FEES_P99_MS = 50;
const LOGIN_OF_RAW = 0.9;

interface Window { rps: number; p50: number; p99: number; bad: number; queries: number; transactions: number; nodeMs: number; pgMs: number; byText: Map<string, number>; requests: number }

function listen(app: express.Express | ReturnType<typeof createApp>): Promise<{ server: Server; base: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

/** Requests a server has finished (its handler done, whether or not the client still waited), and a wait for those under way. */
function served(server: Server) {
  let done = 0;
  let open = 0;
  server.on('request', (_req, res) => {
    open++;
    res.once('close', () => {
      open--;
      done++;
    });
  });
  return {
    count: () => done,
    async drained() {
      for (let i = 0; open > 0 && i < 1500; i++) await new Promise((r) => setTimeout(r, 20));
    },
  };
}

function startClient() {
  const worker = new Worker(new URL('../src/workers/boot.mjs', import.meta.url), { workerData: { entry: new URL('./pages-client.ts', import.meta.url).href, nice: 0 } });
  let queue = Promise.resolve<unknown>(undefined);
  const ask = <T>(a: ClientAsk): Promise<T> => {
    const run = () => new Promise<T>((resolve, reject) => {
      worker.once('message', (m: { ok: boolean; answer?: T; error?: string }) => (m.ok ? resolve(m.answer as T) : reject(new Error(m.error))));
      worker.postMessage(a);
    });
    const p = queue.then(run, run);
    queue = p.catch(() => undefined);
    return p;
  };
  return { ask, stop: () => worker.terminate() };
}

/** The students of the demo with open 2019 bills, signed in later; each given one paid and one closed online order. */
async function benchStudents(knex: Knex, n: number) {
  const rows: { personId: number; number: string; billId: number }[] = await knex('people as p')
    .join('bills as b', 'b.person_id', 'p.id').join('fee_items as i', 'i.id', 'b.fee_item_id').join('fee_periods as fp', 'fp.id', 'b.period_id')
    .where({ 'p.kind': 'student', 'i.name': '学费', 'fp.name': '2019年度' }).whereRaw('b.paid = 0')
    .orderBy('p.id').limit(n).select('p.id as personId', 'p.number', 'b.id as billId');
  if (rows.length < n) throw new Error(`pages: only ${rows.length} demo students with an open 2019 学费`);
  const hash = await bcrypt.hash(PASSWORD, 10);
  await knex('accounts').whereIn('person_id', rows.map((r) => r.personId)).update({ password_hash: hash, must_change_password: false });
  for (const r of rows) {
    await paidOrder(knex, { personId: r.personId, channel: 'nontax', category: '财政', lines: [{ billId: r.billId, amount: '1000.00' }] });
    await buildUnpaidOrder(knex, { personId: r.personId, channel: 'nontax', category: '财政', lines: [{ billId: r.billId, amount: '500.00' }] });
  }
  return { rows, hash };
}

const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '—');
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const pc = (x: number) => `${(x * 100).toFixed(0)} %`;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

export async function benchPages(): Promise<void> {
  const { db, url, drop } = await benchDatabase('pages', 10);
  const servers: Server[] = [];
  const client = startClient();
  const queries = countQueries((sql) => sql.startsWith('SELECT pid FROM pg_stat_activity'));
  const meter = cpuMeter(db.knex);
  try {
    await migrateLatest(db.knex);
    await seedDemo(db.knex);
    const maxLevel = Math.max(...LEVELS);
    const { rows: students, hash } = await benchStudents(db.knex, maxLevel);

    const config = { ...benchConfig(url), logLevel: 'info' as const };
    const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: true }));
    const services = buildServices({ config, db, logger });
    const app = createApp({ config, db, logger, services });
    // What each page rendered, kept for (B): the view and every local it was drawn with.
    let rendered: { view: string; locals: Record<string, unknown> } | null = null;
    type Render = (name: string, options: object, cb: (err: Error | null, html?: string) => void) => void;
    const appRender = app as unknown as { render: Render };
    const render = appRender.render;
    appRender.render = (name, options, cb) => {
      const { _locals, ...own } = options as { _locals?: object };
      const { settings: _settings, ...appLocals } = app.locals as Record<string, unknown>;
      rendered = { view: name, locals: { ...appLocals, ..._locals, ...own } };
      render.call(app, name, options, cb);
    };
    const real = await listen(app);
    servers.push(real.server);
    const realServed = served(real.server);

    const bare = express();
    const html = '<!doctype html><html><body><table><tr><td>2019年度</td><td>学费</td><td>8,000.00</td></tr></table></body></html>';
    bare.get('/', (_req, res) => res.type('html').send(html));
    const refA = await listen(bare);
    servers.push(refA.server);

    // Each student signed in through the form, then every page checked for every session.
    const cookies = await sessionCookies(real.base, students.map((s) => s.number));

    const fromMemory = express();
    useViews(fromMemory, app.get('views') as string, { cache: true });
    const captured: { view: string; locals: Record<string, unknown> }[] = [];
    for (const [i, page] of MEASURED.entries()) {
      rendered = null;
      const res = await fetch(`${real.base}${page.path}`, { headers: { cookie: cookies[0]! } });
      const text = await res.text();
      if (res.status !== 200 || !rendered) throw new Error(`pages: ${page.path} answered ${res.status} ${text.slice(0, 200)}`);
      captured.push(rendered);
      fromMemory.get(`/${i}`, (_req, r) => r.render(captured[i]!.view, captured[i]!.locals));
    }
    // Captured: the real page renders as it always does from here on.
    appRender.render = render;
    const refB = await listen(fromMemory);
    servers.push(refB.server);
    for (const page of MEASURED) {
      for (const [i, cookie] of cookies.entries()) {
        const res = await fetch(`${real.base}${page.path}`, { headers: { cookie } });
        const text = await res.text();
        if (res.status !== 200 || !text.includes(`编号：${students[i]!.number}`)) throw new Error(`pages: ${page.path} for ${students[i]!.number} answered ${res.status}`);
      }
    }

    // Per request: what the server spent from the window's start until the last request it took
    // had finished, over the requests it finished (autocannon counts only those answered in time).
    const counters = new Map([[real.server, realServed], [refA.server, served(refA.server)], [refB.server, served(refB.server)]]);
    const statuses = new Map<string, number>();
    const measure = async (server: Server, target: string, connections: number, sessions: string[]): Promise<Window> => {
      const done = counters.get(server)!;
      const c0 = await meter.snapshot();
      const q0 = queries.read();
      const n0 = done.count();
      const r = await client.ask<LoadAnswer>({ kind: 'load', url: target, cookies: sessions, connections, seconds: SECONDS });
      await done.drained();
      const cpu = cpuSpent(c0, await meter.snapshot());
      const q = queriesBetween(q0, queries.read());
      const n = done.count() - n0;
      for (const [code, k] of Object.entries(r.statuses)) if (!code.startsWith('2')) statuses.set(code, (statuses.get(code) ?? 0) + k);
      const per = (perS: number) => (perS * cpu.seconds) / n;
      return {
        rps: r.requests / r.seconds, p50: r.p50, p99: r.p99, bad: r.errors + r.non2xx, requests: n, byText: q.byText,
        queries: q.statements / n, transactions: q.transactions / n, nodeMs: per(cpu.mainPerS), pgMs: per(cpu.postgresPerS),
      };
    };
    // Warm-up: every page and reference once for a second, so the JIT has seen them all.
    for (const [i, page] of MEASURED.entries()) {
      await client.ask({ kind: 'load', url: `${real.base}${page.path}`, cookies, connections: 20, seconds: 1 });
      await client.ask({ kind: 'load', url: `${refB.base}/${i}`, cookies: [], connections: 20, seconds: 1 });
    }
    await client.ask({ kind: 'load', url: `${refA.base}/`, cookies: [], connections: 20, seconds: 1 });

    console.log(`\npages: ${students.length} signed-in students, ${SECONDS} s windows, ${availableParallelism()} cores shared by the client (worker thread), the servers (main thread) and PostgreSQL`);
    console.log('  (A) bare Express route; (B) the same page by Express+EJS from the data it rendered, in memory; (C) the app\'s signed-in page that reads only the session and draws only the layout; node/pg ms: CPU per request of the main thread and of the database');
    const results: { run: number; level: number; a: Window; pages: { page: Window; b: Window }[] }[] = [];
    for (let run = 1; run <= RUNS; run++) {
      for (const level of LEVELS) {
        const sessions = cookies.slice(0, level);
        const a = await measure(refA.server, `${refA.base}/`, level, []);
        const rows: { page: Window; b: Window }[] = [];
        for (const [i, page] of MEASURED.entries()) {
          const b = await measure(refB.server, `${refB.base}/${i}`, level, []);
          rows.push({ b, page: await measure(real.server, `${real.base}${page.path}`, level, sessions) });
        }
        results.push({ run, level, a, pages: rows });
        console.log(`\n run ${run}, ${level} sessions (load average ${load()})`);
        console.log(`  (A) bare Express route          ${f0(a.rps).padStart(6)} req/s  p50 ${f0(a.p50).padStart(3)} ms  p99 ${f0(a.p99).padStart(4)} ms  node ${f2(a.nodeMs)} ms/req`);
        console.log('  page                  req/s   p50   p99  bad  stmts  tx   node ms  pg ms |  (B) req/s   p99  node ms |  of B   of A');
        for (const [i, page] of MEASURED.entries()) {
          const { page: w, b } = rows[i]!;
          console.log(`  ${(page.name + ' ' + page.path).padEnd(22)}${f0(w.rps).padStart(5)} ${f0(w.p50).padStart(5)} ${f0(w.p99).padStart(5)} ${String(w.bad).padStart(4)}  ${f1(w.queries).padStart(5)} ${f1(w.transactions).padStart(4)}  ${f2(w.nodeMs).padStart(7)} ${f2(w.pgMs).padStart(6)} |  ${f0(b.rps).padStart(8)} ${f0(b.p99).padStart(5)} ${f2(b.nodeMs).padStart(8)} | ${pc(w.rps / b.rps).padStart(5)} ${pc(w.rps / a.rps).padStart(6)}`);
        }
        // The goal in the request thread's CPU: at 40 % of its (B) 当前费用 may spend 1.5 × (B)'s ms
        // beyond what (B) spends; the floor's own excess is spent before any page's data.
        const fees = rows[0]!;
        const floor = rows[PAGES.length]!;
        console.log(`  request thread beyond its own (B): 当前费用 ${f2(fees.page.nodeMs - fees.b.nodeMs)} ms, (C) the stack alone ${f2(floor.page.nodeMs - floor.b.nodeMs)} ms; 当前费用 at 40 % of (B) may spend ${f2(1.5 * fees.b.nodeMs)} ms beyond it`);
        if (run === 1 && level === maxLevel) {
          console.log(`  statements of one request (run 1, ${level} sessions):`);
          for (const [i, page] of MEASURED.entries()) {
            const w = rows[i]!.page;
            const mix = [...w.byText].sort((x, y) => y[1] - x[1]).map(([sql, n]) => `${(n / w.requests).toFixed(2)} × ${sql}`);
            console.log(`    ${page.name}: ${mix.join('\n      ') || 'none'}`);
          }
        }
      }
    }

    // Sign-in: the app's bcrypt gate runs `concurrent` hashes at once; raw bcrypt runs as many.
    const gate = config.overload;
    // Login pages fetched ahead (untimed), then only the POST /login of each, as many at once as the gate holds.
    const loginPages = () => client.ask<number>({ kind: 'loginPages', base: real.base, numbers: students.map((s) => s.number), count: LOGINS });
    const logins = () => client.ask<LoginAnswer>({ kind: 'logins', password: PASSWORD, concurrency: gate.bcryptConcurrent + gate.bcryptWaiting });
    const signIns: { raw: number; login: LoginAnswer; nodeMs: number; pgMs: number; queries: number }[] = [];
    for (let run = 1; run <= RUNS; run++) {
      // Raw compares just before and just after the sign-ins, their mean the reference: the
      // machine's other load moves between the two.
      const rawRate = async () => {
        const t = performance.now();
        let next = 0;
        await Promise.all(Array.from({ length: gate.bcryptConcurrent }, async () => {
          while (next++ < LOGINS / 2) await bcrypt.compare(PASSWORD, hash);
        }));
        return LOGINS / 2 / ((performance.now() - t) / 1000);
      };
      await loginPages();
      const before = await rawRate();
      const c0 = await meter.snapshot();
      const q0 = queries.read();
      const login = await logins();
      const cpu = cpuSpent(c0, await meter.snapshot());
      const q = queriesBetween(q0, queries.read());
      const raw = (before + await rawRate()) / 2;
      signIns.push({ raw, login, nodeMs: (cpu.mainPerS * cpu.seconds) / login.count, pgMs: (cpu.postgresPerS * cpu.seconds) / login.count, queries: q.statements / login.count });
    }
    console.log(`\n sign-in: ${LOGINS} sign-ins of different students, ${gate.bcryptConcurrent + gate.bcryptWaiting} at once (the bcrypt gate's ${gate.bcryptConcurrent} running + ${gate.bcryptWaiting} waiting), bcrypt cost 10 (load average ${load()})`);
    for (const [i, s] of signIns.entries()) {
      const rate = s.login.count / s.login.seconds;
      console.log(`  run ${i + 1}: raw bcrypt.compare (${gate.bcryptConcurrent} at once, mean of before and after) ${f1(s.raw)}/s   POST /login ${f1(rate)}/s  p50 ${f0(s.login.p50)} ms  p99 ${f0(s.login.p99)} ms  not 303 to /: ${s.login.notRedirected}  stmts ${f1(s.queries)}  node ${f2(s.nodeMs)} ms  pg ${f2(s.pgMs)} ms per sign-in  → ${pc(rate / s.raw)} of raw`);
    }

    if (statuses.size) console.log(`  answers other than 2xx, all windows: ${[...statuses].map(([c, k]) => `${c} × ${k}`).join(', ')}`);
    console.log('\n goals (each run judged by its own references):');
    for (const r of results) {
      const fees = r.pages[0]!;
      const parts = [
        `当前费用 ${pc(fees.page.rps / fees.b.rps)} of B (≥ ${pc(PAGES[0].goalB)}) ${pc(fees.page.rps / r.a.rps)} of A (≥ ${pc(FEES_OF_A)})`,
        ...(r.level === maxLevel ? [`p99 ${f0(fees.page.p99)} ms (≤ ${FEES_P99_MS})`] : []),
        ...PAGES.slice(1).map((p, i) => `${p.name} ${pc(r.pages[i + 1]!.page.rps / r.pages[i + 1]!.b.rps)}`),
      ];
      const met = fees.page.rps >= PAGES[0].goalB * fees.b.rps && fees.page.rps >= FEES_OF_A * r.a.rps && (r.level !== maxLevel || fees.page.p99 <= FEES_P99_MS)
        && PAGES.slice(1).every((p, i) => r.pages[i + 1]!.page.rps >= p.goalB * r.pages[i + 1]!.b.rps);
      console.log(`  run ${r.run} @${r.level}: ${parts.join(', ')} (others ≥ 30 % of B) → ${met ? 'met' : 'NOT met'}`);
    }
    for (const [i, s] of signIns.entries()) console.log(`  run ${i + 1} sign-in: ${pc(s.login.count / s.login.seconds / s.raw)} of raw bcrypt (≥ ${pc(LOGIN_OF_RAW)}) → ${s.login.count / s.login.seconds >= LOGIN_OF_RAW * s.raw ? 'met' : 'NOT met'}`);

    if (PROFILE_DIR) {
      mkdirSync(PROFILE_DIR, { recursive: true });
      for (const page of PAGES) {
        const file = path.join(PROFILE_DIR, `${page.path.replace(/\W+/g, '_') || 'home'}.cpuprofile`);
        const { result, profile } = await profileWindow(file, () => measure(real.server, `${real.base}${page.path}`, maxLevel, cookies));
        console.log(`\n profile of ${page.name} ${page.path} at ${maxLevel} sessions (${f0(result.rps)} req/s under the profiler; ${file}):`);
        for (const line of topEntries(profile, 25)) console.log(line);
      }
      // The sign-in's share of the request thread: where its node ms per sign-in go.
      await loginPages();
      const file = path.join(PROFILE_DIR, 'login.cpuprofile');
      const { result, profile } = await profileWindow(file, logins);
      console.log(`\n profile of POST /login (${result.count} sign-ins, ${f1(result.count / result.seconds)}/s under the profiler; ${file}):`);
      for (const line of topEntries(profile, 25)) console.log(line);
    }
    await services.pdfPool.close();
  } finally {
    meter.stop();
    queries.stop();
    await client.stop();
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await drop();
  }
}

/**
 * Each student's cookies as a browser holds them after signing in through the form and opening
 * one page (the session, and the CSRF cookie that page set for the new session id).
 */
async function sessionCookies(base: string, numbers: string[]): Promise<string[]> {
  const out: string[] = [];
  await pool(numbers, 4, async (number, i) => {
    const jar = new Map<string, string>();
    const keep = (res: Response) => {
      for (const c of res.headers.getSetCookie()) {
        const pair = c.split(';')[0]!;
        jar.set(pair.slice(0, pair.indexOf('=')), pair);
      }
    };
    const cookie = () => [...jar.values()].join('; ');
    const page = await fetch(`${base}/login`);
    keep(page);
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const res = await fetch(`${base}/login`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, username: number, password: PASSWORD }).toString(),
    });
    if (res.status !== 303) throw new Error(`login of ${number} answered ${res.status}`);
    keep(res);
    const first = await fetch(`${base}/fees`, { headers: { cookie: cookie() } });
    keep(first);
    await first.arrayBuffer();
    out[i] = cookie();
  });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchPages().then(() => process.exit(0), (e) => {
    console.error(e);
    process.exit(1);
  });
}
