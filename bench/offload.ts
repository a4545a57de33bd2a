// /healthz while the heavy work runs (docs/heavy-work.md): its p99 when idle, during a 20 MB CSV import
// through the console (parsed in a worker, then written), during 20 parallel PDF downloads of
// distinct e-bills (drawn in the pool) and of the same ones again (from the cache). Goal: within
// 2x of idle. Each /healthz probe is followed by one of a DB-free route on the same server, so a
// slow figure tells a blocked request thread (both slow) from a busy database (only /healthz).
// The probe runs in a process of its own, as a load balancer's would.
// Beside them, in the same run, the old way for comparison: the same file parsed and the same PDFs
// drawn on the main thread. Loopback only; every phase is bounded (a job must end within 10 minutes).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { constants as perf, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { parse as parseCsvSync } from 'csv-parse/sync';
import express from 'express';
import { benchConfig, benchDatabase } from './bench-db';
import { startBurstClient } from './burst-client';
import { profileWindow, topEntries } from './cpu-profile';
import { cpuMeter, cpuSpent, type CpuSpent } from './cpu-time';
import { createApp } from '../src/app';
import { migrateLatest } from '../src/db/migrate';
import { decodeCsvBytes } from '../src/domain/csv';
import { idCheckChar } from '../src/domain/id-number';
import { createLogger } from '../src/logger';
import { renderBillPdf } from '../src/modules/ebills/pdf';
import { ebillsRepo } from '../src/modules/ebills/repo';
import { toBillView } from '../src/modules/ebills/view';
import { DEMO, seedDemo } from '../seeds/demo';
import { studentsWithEbills } from '../test/factories-ebills';

const run = promisify(execFile);
const IMPORT_MB = Number(process.env.BENCH_IMPORT_MB ?? 20);
const PARALLEL_PDFS = 20;
const PROBE_GAP_MS = 10;
const IDLE_MS = 3000;
/**
 * Rounds of 20 parallel downloads of already drawn PDFs, five of each distinct round's 20 students
 * (each downloads 1 + 5 times, within PDF_PER_MINUTE 10): a cached round lasts about 50 ms, and
 * five rounds in all had left ~7 probes in the window, whose p99 was then simply the slowest one.
 */
const CACHED_ROUNDS = 25;
/**
 * Rounds of 20 distinct bills (each of 20 other students): one round is about a second of
 * probes, and its p99 was then the second-slowest of ~100, which moved between 1x and 3.6x idle
 * from run to run on this shared machine; five give ~500 probes.
 */
const DISTINCT_ROUNDS = 5;

/** A full collection now, outside any window (--expose-gc, set at run time: bench/run.ts runs benches in its own process). */
function settleHeap() {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** The main thread's longest stall in the last probe: blocking, as opposed to sharing the cores. */
let lastStallMs = 0;
/** The main thread's full (mark-compact) collections in the last probe: how many, the longest. */
let lastMajorGc = { count: 0, maxMs: 0 };

/** Latencies in ms of one probe window: /healthz, and the DB-free route asked right after it; when each /healthz was sent. */
interface Probed {
  health: number[];
  bare: number[];
  sentAt: number[];
}

/** When each burst of the window began (ms since the epoch, as the probe client stamps its rounds), to place the slow probes. */
let burstStarts: number[] = [];

/** Now, in ms since the epoch: comparable with the probe client's clock (bench/burst-client.ts). */
const epochNow = () => performance.timeOrigin + performance.now();

/** The probe's own client process: its fetches kept off the loop it times, as a load balancer's are. */
let prober: ReturnType<typeof startBurstClient>;

/**
 * /healthz asked one request at a time, then the same server's DB-free route, a pause between,
 * until `until` settles. The two apart say whether a slow /healthz waited for the request thread
 * (both slow) or for the database (only /healthz slow). The loop's delays and collections are
 * watched here, on the server's thread.
 */
async function probe(urls: { health: string; bare: string }, until: Promise<unknown> | number): Promise<Probed> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const gc = { count: 0, maxMs: 0 };
  const gcs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind !== perf.NODE_PERFORMANCE_GC_MAJOR) continue;
      gc.count++;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
    }
  });
  gcs.observe({ entryTypes: ['gc'] });
  const asking = prober.probe([urls.health, urls.bare], PROBE_GAP_MS);
  await (typeof until === 'number' ? sleep(until) : until.catch(() => undefined));
  const got = await asking.stop();
  const out: Probed = { health: got.ms[0]!, bare: got.ms[1]!, sentAt: got.sentAt };
  loop.disable();
  gcs.disconnect();
  lastStallMs = loop.max / 1e6;
  lastMajorGc = gc;
  return out;
}

/** CPU per second over consecutive windows taken together. */
function joinedCpu(...cs: CpuSpent[]): CpuSpent {
  const seconds = cs.reduce((a, c) => a + c.seconds, 0);
  const per = (k: 'mainPerS' | 'processPerS' | 'postgresPerS') => cs.reduce((a, c) => a + c[k] * c.seconds, 0) / seconds;
  return { seconds, mainPerS: per('mainPerS'), processPerS: per('processPerS'), postgresPerS: per('postgresPerS') };
}

const joined = (...ps: Probed[]): Probed => ({ health: ps.flatMap((p) => p.health), bare: ps.flatMap((p) => p.bare), sentAt: ps.flatMap((p) => p.sentAt) });

/**
 * Of the window's 5 slowest /healthz, how many were sent within BURST_EDGE_MS of a burst's start (just before it too: still in flight when it came):
 * those waited behind the 20 requests that had just arrived, whatever those requests were for.
 */
const BURST_EDGE_MS = 20;
function slowAtBurstStart(p: Probed, starts: number[]): string {
  const slowest = p.health.map((ms, i) => ({ ms, at: p.sentAt[i]! })).sort((a, b) => b.ms - a.ms).slice(0, 5);
  const atStart = slowest.filter((x) => starts.some((s) => x.at - s > -BURST_EDGE_MS && x.at - s < BURST_EDGE_MS)).length;
  return `, ${atStart} of the 5 slowest sent within ${BURST_EDGE_MS} ms of a burst's start`;
}

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(s.length * 0.99) - 1)] ?? NaN;
};

function peopleCsv(megabytes: number): Buffer {
  const lines = ['学号,姓名,性别,身份证号,学院,班级,手机'];
  let size = 0;
  for (let i = 0; size < megabytes * 1e6 && i < 199_999; i++) {
    const first17 = `620102${1998 + (i % 6)}${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}${String(i % 1000).padStart(3, '0')}`;
    // Long class names bring the file to its size with fewer rows than MAX_ROWS.
    const line = `27H${String(i).padStart(7, '0')},学生${i},${i % 2 ? '女' : '男'},${first17}${idCheckChar(first17)},计算机学院,2027级计算机科学与技术专业卓越工程师实验班${(i % 40) + 1}班,139${String(i).padStart(8, '0')}`;
    lines.push(line);
    size += Buffer.byteLength(line) + 2;
  }
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

async function signIn(base: string, number: string, password: string): Promise<string> {
  const page = await fetch(`${base}/login`);
  const jar = page.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const token = (await page.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
  const res = await fetch(`${base}/login`, {
    method: 'POST', redirect: 'manual',
    headers: { cookie: jar.join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, username: number, password }).toString(),
  });
  if (res.status !== 303) throw new Error(`login of ${number} answered ${res.status}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
}

export async function benchOffload(): Promise<void> {
  const { db, url, drop } = await benchDatabase('offload', 10);
  const servers: { close(cb: () => void): void }[] = [];
  const meters: { stop(): void }[] = [];
  const closers: (() => void)[] = [];
  try {
    await migrateLatest(db.knex);
    await seedDemo(db.knex);
    const students = await studentsWithEbills(db.knex, { students: PARALLEL_PDFS * DISTINCT_ROUNDS, ebillsEach: 1, password: 'Bench#2026pw' });

    const config = benchConfig(url);
    // The profile's extra rounds would pass the per-minute limit and time the refusal instead.
    if (process.env.BENCH_PROFILE) config.pdf.perMinute = 1000;
    const app = createApp({ config, db, logger: createLogger('silent') });
    // The DB-free probe is a bare route on the same server and the same thread, in front of the
    // app: it waits for exactly what /healthz waits for except the database.
    const front = express();
    front.get('/bench-probe', (_req, res) => res.json({ status: 'ok' }));
    front.use(app);
    const server = front.listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const urls = { health: `${base}/healthz`, bare: `${base}/bench-probe` };

    const finance = await signIn(base, DEMO.finance.number, DEMO.finance.password);
    // Ten at a time: the app's bcrypt gate answers 503 past the sign-ins it lets wait.
    const cookies: string[] = [];
    for (let i = 0; i < students.length; i += 10) cookies.push(...(await Promise.all(students.slice(i, i + 10).map((s) => signIn(base, s.number, s.password)))));
    const csv = peopleCsv(IMPORT_MB);

    prober = startBurstClient();
    closers.push(() => prober.close());
    await probe(urls, 500); // warm-up
    const stall: Record<string, number> = {};
    const gcOf: Record<string, typeof lastMajorGc> = {};
    const phases: Record<string, Probed> = {};
    const cpu: Record<string, CpuSpent> = {};
    const meter = cpuMeter(db.knex);
    meters.push(meter);
    const window = async (phase: string, until: Promise<unknown> | number): Promise<Probed> => {
      const before = await meter.snapshot();
      const got = await probe(urls, until);
      cpu[phase] = cpuSpent(before, await meter.snapshot());
      phases[phase] = got;
      stall[phase] = lastStallMs;
      gcOf[phase] = lastMajorGc;
      return got;
    };
    // Idle is probed now and again at the end, and the two windows taken together: other work on
    // a shared machine comes and goes, and one window can catch a burst of it.
    const idleStart = await window('idle', IDLE_MS);
    const idleStall = lastStallMs;

    // The import, uploaded as the page does, followed until its job ends.
    const page = await fetch(`${base}/console/imports`, { headers: { cookie: finance } });
    const token = (await page.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
    // The CSRF cookie the page set goes with its token.
    const set = new Map([finance, ...page.headers.getSetCookie().map((c) => c.split(';')[0]!)].flatMap((c) => c.split('; ')).map((c) => [c.split('=')[0]!, c] as const));
    const financeCookie = [...set.values()].join('; ');
    // curl uploads, as a browser would from elsewhere: encoding a 20 MB multipart body in this
    // process would put the client's work on the very loop the probe measures.
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bench-offload-')), 'students.csv');
    writeFileSync(file, csv);
    const t0 = performance.now();
    let parsed!: () => void;
    const parsedYet = new Promise<void>((r) => (parsed = r));
    let uploaded!: () => void;
    const uploadedYet = new Promise<void>((r) => (uploaded = r));
    let writeStarted = 0;
    const imported = (async () => {
      const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', '-H', `Cookie: ${financeCookie}`, '-F', `_csrf=${token}`, '-F', `file=@${file};type=text/csv`, `${base}/console/imports/people`]);
      uploaded();
      const [status, location] = stdout.trim().split(' ');
      if (status !== '303' || !location) throw new Error(`upload answered ${stdout}`);
      const id = Number(location.split('/').pop());
      for (let i = 0; i < 6000; i++) {
        const job = await db.knex('import_jobs').where({ id }).first('state', 'rows_done', 'outcome');
        if (job.state !== 'parsing' && !writeStarted) {
          writeStarted = performance.now();
          parsed();
        }
        if (job.state === 'done' || job.state === 'failed') return job;
        await sleep(100);
      }
      throw new Error('import job did not end within 10 minutes');
    })();
    // The phases apart as well: the upload, reading and checking (the worker), writing (PostgreSQL).
    await window('uploading', uploadedYet);
    await window('parsing', parsedYet);
    await window('writing', imported);
    const job = await imported;
    const importSeconds = (performance.now() - t0) / 1000;
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    phases.importing = joined(phases.uploading!, phases.parsing!, phases.writing!);
    cpu.importing = joinedCpu(cpu.uploading!, cpu.parsing!, cpu.writing!);
    stall.importing = Math.max(stall.uploading!, stall.parsing!, stall.writing!);
    gcOf.importing = { count: gcOf.uploading!.count + gcOf.parsing!.count + gcOf.writing!.count, maxMs: Math.max(gcOf.uploading!.maxMs, gcOf.parsing!.maxMs, gcOf.writing!.maxMs) };

    // The downloads come from a client in another process, as 20 browsers elsewhere would:
    // fetching and reading 20 PDFs in this process would put the client's work on the very loop
    // the probe measures (as curl does for the upload above).
    const client = startBurstClient();
    closers.push(() => client.close());
    const downloadRound = (round: number) => (burstStarts.push(epochNow()), client.burst(students.slice(round * PARALLEL_PDFS, (round + 1) * PARALLEL_PDFS)
      .map((s, i) => ({ url: `${base}${s.ebills[0]!.path}`, cookie: cookies[round * PARALLEL_PDFS + i]! }))));
    // The import leaves a heap of its garbage on this thread, and the full collection it owes came
    // due during the downloads that follow (one 30-37 ms mark-compact in that window, none in any
    // other): collected here, between the windows, so each window holds its own work's collections.
    settleHeap();
    let t = performance.now();
    burstStarts = [];
    const drawn = (async () => {
      const statuses: number[] = [];
      for (let r = 0; r < DISTINCT_ROUNDS; r++) statuses.push(...(await downloadRound(r)));
      return statuses;
    })();
    await window('pdfs', drawn);
    const drawnStatuses = await drawn;
    const drawSeconds = (performance.now() - t) / 1000 / DISTINCT_ROUNDS;
    const starts: Record<string, number[]> = { pdfs: burstStarts };
    burstStarts = [];
    // The cached round is short (a third of a second): five of them, so p99 is not one sample's.
    t = performance.now();
    const cached = (async () => {
      const statuses: number[] = [];
      for (let i = 0; i < CACHED_ROUNDS; i++) statuses.push(...(await downloadRound(i % DISTINCT_ROUNDS)));
      return statuses;
    })();
    await window('cached', cached);
    const cachedStatuses = await cached;
    const cachedSeconds = (performance.now() - t) / 1000 / CACHED_ROUNDS;
    starts.cached = burstStarts;
    const pdfBytes = Number((await db.knex('ebill_pdfs').avg({ n: db.knex.raw('octet_length(pdf)') }).first())!.n);

    // BENCH_PROFILE=file: a CPU profile of this thread over 20 more cached rounds, and its top entries.
    if (process.env.BENCH_PROFILE) {
      const { profile } = await profileWindow(process.env.BENCH_PROFILE, async () => {
        for (let i = 0; i < 20; i++) await downloadRound(0);
      });
      for (const line of topEntries(profile, 30)) console.log(line);
    }

    // Reference for the cached round: the same 20 people loading an ordinary page (当前费用) at
    // once, as many rounds as the cached ones: what any burst of 20 requests costs the one thread that answers them.
    starts.pages = [];
    const pages = (async () => {
      for (let i = 0; i < CACHED_ROUNDS; i++) {
        const g = (i % DISTINCT_ROUNDS) * PARALLEL_PDFS;
        starts.pages!.push(epochNow());
        await client.burst(cookies.slice(g, g + PARALLEL_PDFS).map((cookie) => ({ url: `${base}/fees`, cookie })));
      }
    })();
    await window('pages', pages);
    await pages;

    // The old way, for comparison: the same work on the main thread. A blocked thread cannot time
    // a probe across the block, so the figure is the block itself: what any request then waits.
    let t1 = performance.now();
    parseCsvSync(decodeCsvBytes(csv), { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true });
    const oldParse = performance.now() - t1;
    const repo = ebillsRepo(db.knex);
    const views = await Promise.all(students.slice(0, PARALLEL_PDFS).map(async (s) => toBillView((await repo.byNumber(s.personId, s.ebills[0]!.billCode, s.ebills[0]!.billNo))!, config)));
    // pdfkit yields between pages and chunks, so here the loop monitor finds the longest block.
    t1 = performance.now();
    const oldDraw = sleep(50).then(() => Promise.all(views.map((v) => renderBillPdf(v))));
    await probe(urls, oldDraw);
    const oldDrawStall = lastStallMs;
    const oldDrawSeconds = (performance.now() - t1) / 1000;

    const idleEnd = await window('idleEnd', IDLE_MS);
    cpu.idle = joinedCpu(cpu.idle!, cpu.idleEnd!);
    const idleProbed = joined(idleStart, idleEnd);
    const idle = { health: p99(idleProbed.health), bare: p99(idleProbed.bare) };
    const idleStallMs = Math.max(idleStall, lastStallMs);
    const ms = (x: number) => `${x.toFixed(1)} ms`.padStart(9);
    const gcText = (phase: string) => `${gcOf[phase]!.count} full GC${gcOf[phase]!.count === 1 ? '' : 's'}${gcOf[phase]!.count ? ` (longest ${gcOf[phase]!.maxMs.toFixed(0)} ms)` : ''}`;
    const cpuText = (c: CpuSpent) => `${c.mainPerS.toFixed(0).padStart(4)} ${c.processPerS.toFixed(0).padStart(5)} ${c.postgresPerS.toFixed(0).padStart(5)}`;
    const row = (label: string, phase: string, probed: Probed, stallMs: number, tail = '') => {
      const h = p99(probed.health);
      const b = p99(probed.bare);
      const vs = (x: number, idleX: number) => (phase === 'idle' ? '      ' : `${(x / idleX).toFixed(2).padStart(5)}x`);
      console.log(`  ${label.padEnd(42)}${ms(h)} ${vs(h, idle.health)} ${ms(b)} ${vs(b, idle.bare)} ${stallMs.toFixed(0).padStart(6)} ms  ${cpuText(cpu[phase]!)}  ${String(probed.health.length).padStart(5)}   ${phase === 'idle' ? '' : gcText(phase)}${tail}`);
    };
    console.log(`offload: p99 of GET /healthz (select 1) and of a DB-free route on the same server, asked in turn every ${PROBE_GAP_MS} ms (the probe from a process of its own as a load balancer's, the downloads from another, the upload from curl; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores), goal /healthz within 2x idle`);
    console.log(`  ${''.padEnd(42)} /healthz  vs idle   DB-free  vs idle   longest  CPU ms per s:      probes`);
    console.log(`  ${''.padEnd(42)}                                   stall   main  proc    pg`);
    row('idle (2 windows, start and end)', 'idle', idleProbed, idleStallMs);
    row(`during a ${(csv.length / 1e6).toFixed(1)} MB import (worker)`, 'importing', phases.importing!, stall.importing!, `   (job ${job.state}, ${job.rows_done} rows, ${importSeconds.toFixed(1)} s, writing ${writeSeconds.toFixed(1)} s)`);
    row('  the upload itself (multer, main thread)', 'uploading', phases.uploading!, stall.uploading!);
    row("  the worker's read and check", 'parsing', phases.parsing!, stall.parsing!);
    row('  writing (database)', 'writing', phases.writing!, stall.writing!);
    row(`during ${PARALLEL_PDFS} parallel PDFs, distinct (pool)`, 'pdfs', phases.pdfs!, stall.pdfs!, `   (${DISTINCT_ROUNDS} rounds, ${drawSeconds.toFixed(2)} s each, all 200: ${drawnStatuses.every((s) => s === 200)}${slowAtBurstStart(phases.pdfs!, starts.pdfs!)})`);
    row(`during ${PARALLEL_PDFS} parallel PDFs, cached`, 'cached', phases.cached!, stall.cached!, `   (${CACHED_ROUNDS} rounds, ${cachedSeconds.toFixed(2)} s each, ${(pdfBytes / 1024).toFixed(0)} KiB a PDF, all 200: ${cachedStatuses.every((s) => s === 200)}${slowAtBurstStart(phases.cached!, starts.cached!)})`);
    row('reference: 20 parallel GET /fees (pages)', 'pages', phases.pages!, stall.pages!, `   (${CACHED_ROUNDS} rounds: any burst of 20 requests${slowAtBurstStart(phases.pages!, starts.pages!)})`);
    console.log(`  old way: same file parsed on the main thread          every request waits up to ${oldParse.toFixed(0)} ms   (${(oldParse / idle.health).toFixed(0)}x idle p99)`);
    console.log(`  old way: same ${PARALLEL_PDFS} PDFs drawn on the main thread      every request waits up to ${oldDrawStall.toFixed(0)} ms   (${(oldDrawStall / idle.health).toFixed(0)}x idle p99; ${oldDrawSeconds.toFixed(2)} s in all)`);
  } finally {
    for (const m of meters) m.stop();
    for (const c of closers) c();
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    await drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchOffload().then(() => process.exit(0), (e) => {
    console.error(e);
    process.exit(1);
  });
}
