// Overload: the platform's sign-in capacity (full POST /login, closed loop) beside raw bcrypt
// compares/s on the same threads, then ~10 s of sign-ins arriving at three times that capacity
// (open loop, a new student and address each time). Prints what was admitted and what was shed
// per second, the latency of the admitted ones, how fast a refusal came (at the client, and on the
// server from the request's arrival to its answer), the server's event-loop delay meanwhile (the
// overload is sent from another process, ./burst-client.ts), the process's peak RSS and how many answers were 500.
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcrypt';
import { benchConfig, benchDatabase } from './bench-db';
import { createApp } from '../src/app';
import { migrateLatest } from '../src/db/migrate';
import { createLogger } from '../src/logger';
import { ROUTE_LABEL } from '../src/http/metrics';
import { startBurstClient } from './burst-client';
import { buildServices } from '../src/services';

const PW = 'Bench#2026pw';
const STUDENTS = Number(process.env.BENCH_OVERLOAD_STUDENTS ?? 400);
const CAPACITY_SECONDS = Number(process.env.BENCH_CAPACITY_SECONDS ?? 4);
const OVERLOAD_SECONDS = Number(process.env.BENCH_OVERLOAD_SECONDS ?? 10);

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const addressOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

export async function benchOverload(): Promise<void> {
  const { db, url, drop } = await benchDatabase('overload', 10);
  try {
    await migrateLatest(db.knex);
    const hash = await bcrypt.hash(PW, 10);
    const people = await db.knex('people').insert(Array.from({ length: STUDENTS }, (_, i) => ({
      number: `B${String(i).padStart(9, '0')}`, name: `压测${i}`, gender: '男', kind: 'student',
    }))).returning(['id', 'number']) as { id: number; number: string }[];
    await db.knex('accounts').insert(people.map((p) => ({ person_id: p.id, role: 'student', password_hash: hash, must_change_password: false })));
    const numbers = people.map((p) => p.number);

    const config = benchConfig(url);
    const logger = createLogger('silent');
    const services = buildServices({ config, db, logger });
    const app = createApp({ config, db, logger, services });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = startBurstClient();
    // The server's own part of a refusal: from the request's arrival to the end of its answer, apart
    // for those refused before their session was read (src/http/shed-hashing.ts labels them) and
    // those the sign-in itself refused (the gate filled between the two).
    const serverShedMs: { ms: number; early: boolean }[] = [];
    server.prependListener('request', (_req, res) => {
      const t = performance.now();
      res.once('finish', () => {
        const early = (res as { locals?: Record<string, unknown> }).locals?.[ROUTE_LABEL] === 'shed:bcrypt';
        if (res.statusCode === 503) serverShedMs.push({ ms: performance.now() - t, early });
      });
    });

    let n = 0;
    /** A student's login page (a cookie and its CSRF token), from an address of its own. */
    const loginPage = async () => {
      const i = n++;
      const ip = addressOf(i);
      const page = await fetch(`${base}/login`, { headers: { 'x-forwarded-for': ip } });
      const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
      return { ip, cookie, csrf, number: numbers[i % numbers.length]! };
    };
    type Page = Awaited<ReturnType<typeof loginPage>>;
    const signIn = async (p: Page) => {
      const t = performance.now();
      const r = await fetch(`${base}/login`, {
        method: 'POST', redirect: 'manual',
        headers: { cookie: p.cookie, 'x-forwarded-for': p.ip, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: p.csrf, username: p.number, password: PW }).toString(),
      });
      await r.arrayBuffer();
      return { status: r.status, ms: performance.now() - t, retryAfter: r.headers.get('retry-after') };
    };

    const o = config.overload;
    console.log(`\n== overload (${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; bcrypt cost 10, gate ${o.bcryptConcurrent} at once + ${o.bcryptWaiting} waiting; MAX_IN_FLIGHT ${o.maxInFlight}; the capacity's client in the server's process, the overload's in its own)`);

    // Reference: raw bcrypt compares/s, as many at once as the thread pool takes.
    const RAW = 40;
    const t = performance.now();
    await Promise.all(Array.from({ length: RAW }, () => bcrypt.compare(PW, hash)));
    const rawPerSec = RAW / ((performance.now() - t) / 1000);

    // Capacity: as many clients in a closed loop as the gate holds (running and waiting), so bcrypt
    // never idles while a client fetches its next login page, and nobody is refused.
    const workers = o.bcryptConcurrent + o.bcryptWaiting;
    // Rate measured after the first round (whose answers also wait for the queue to fill), over at
    // least CAPACITY_SECONDS and three rounds.
    const finished: number[] = [];
    let capOther = 0;
    const capEnd = performance.now() + CAPACITY_SECONDS * 1000;
    await Promise.all(Array.from({ length: workers }, async () => {
      while (performance.now() < capEnd || finished.length < 3 * workers) {
        const r = await signIn(await loginPage());
        if (r.status === 303) finished.push(performance.now());
        else capOther++;
      }
    }));
    const steady = finished.slice(workers);
    const capacity = (steady.length - 1) / ((steady.at(-1)! - steady[0]!) / 1000);
    console.log(`reference: raw bcrypt.compare        ${rawPerSec.toFixed(1)} /s`);
    console.log(`login capacity (${workers} clients, closed loop) ${capacity.toFixed(1)} logins/s  (${((capacity / rawPerSec) * 100).toFixed(0)}% of raw bcrypt; not 303: ${capOther})`);

    // Three times that, arriving on schedule whatever the answers; every page fetched beforehand.
    const rate = 3 * capacity;
    const total = Math.max(1, Math.round(rate * OVERLOAD_SECONDS));
    const pages: Page[] = [];
    for (let i = 0; i < total; i += 20) pages.push(...(await Promise.all(Array.from({ length: Math.min(20, total - i) }, loginPage))));
    let maxRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 50);
    serverShedMs.length = 0;
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const t0 = performance.now();
    // Sent from another process, as students elsewhere would: the refusals' time at the client is
    // then the server's and the network's, not this loop's (which the server would share).
    const done = await client.paced(rate, pages.map((p) => ({
      url: `${base}/login`, method: 'POST' as const, cookie: p.cookie,
      headers: { 'x-forwarded-for': p.ip, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: p.csrf, username: p.number, password: PW }).toString(),
    })));
    const elapsed = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    loop.disable();
    const admitted = done.filter((a) => a.status === 303);
    const shed = done.filter((a) => a.status === 503);
    const others = done.filter((a) => a.status !== 303 && a.status !== 503);
    const stats = services.hasher.stats();
    console.log(`offered ${rate.toFixed(1)} logins/s for ${OVERLOAD_SECONDS} s (${total} sign-ins, done in ${elapsed.toFixed(1)} s)`);
    console.log(`admitted ${(admitted.length / elapsed).toFixed(1)} /s  p50 ${pct(admitted.map((a) => a.ms), 50).toFixed(0)} ms  p99 ${pct(admitted.map((a) => a.ms), 99).toFixed(0)} ms`);
    console.log(`shed     ${(shed.length / elapsed).toFixed(1)} /s  p99 time-to-503 ${pct(shed.map((a) => a.ms), 99).toFixed(1)} ms  all with Retry-After: ${shed.every((a) => a.retryAfter !== null)}`);
    const loopMs = (p: number) => (loop.percentile(p) / 1e6).toFixed(1);
    const early = serverShedMs.filter((x) => x.early).map((x) => x.ms);
    const late = serverShedMs.filter((x) => !x.early).map((x) => x.ms);
    console.log(`shed on the server (arrival → answer): before the session ${early.length}  p50 ${pct(early, 50).toFixed(1)} ms  p99 ${pct(early, 99).toFixed(1)} ms;  by the sign-in itself ${late.length}  p50 ${pct(late, 50).toFixed(1)} ms  p99 ${pct(late, 99).toFixed(1)} ms`);
    console.log(`time-to-503 at the client  p50 ${pct(shed.map((a) => a.ms), 50).toFixed(1)} ms  p99 ${pct(shed.map((a) => a.ms), 99).toFixed(1)} ms`);
    console.log(`event-loop delay of the server meanwhile (the overload's client in its own process)  p50 ${loopMs(50)} ms  p99 ${loopMs(99)} ms  max ${(loop.max / 1e6).toFixed(1)} ms  (load average now ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
    console.log(`max RSS ${(maxRss / 2 ** 20).toFixed(0)} MiB  500s: ${done.filter((a) => a.status === 500).length}  other answers: ${others.length}${others.length ? ` (${[...new Set(others.map((a) => a.status))].join(', ')})` : ''}  bcrypt queue high-water ${stats.maxWaiting}/${o.bcryptWaiting}`);

    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await services.pdfPool.close();
  } finally {
    await drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchOverload().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
