// A load client in its own process, for benchmarks that time the server's loop: sending requests
// and reading answers in the server's process would put the client's work on the very loop being
// measured (and spawning curl per burst blocks it for the spawn). Started once; each line on stdin
// is one job — a burst (every request at once) or a paced run (request i sent at i / rate seconds,
// whatever the answers, an open loop) — and it answers with one line: each request's status, its
// time from when it was due to the end of its answer, and its Retry-After. A probe job (on a
// client of its own) asks its URLs in turn, one at a time, until a stop line comes, and answers
// with each URL's latencies and when each round was sent: a health check from outside the
// process, as a load balancer's is, so the probe's own client work is not queued on the loop it times.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ClientRequest {
  url: string;
  cookie?: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}
export interface ClientAnswer { status: number; ms: number; retryAfter: string | null }
type Job = { kind: 'burst'; requests: ClientRequest[] } | { kind: 'paced'; perSecond: number; requests: ClientRequest[] };
type ProbeJob = { kind: 'probe'; urls: string[]; gapMs: number };
/** Latencies in ms, one list per URL of the probe; sentAt: when each round began, in ms since the epoch (comparable across processes). */
export interface ProbeAnswer { ms: number[][]; sentAt: number[] }

let probing = false;
async function probeUntilStopped(job: ProbeJob): Promise<ProbeAnswer> {
  const out: ProbeAnswer = { ms: job.urls.map(() => []), sentAt: [] };
  probing = true;
  while (probing) {
    out.sentAt.push(performance.timeOrigin + performance.now());
    for (const [i, url] of job.urls.entries()) {
      const t = performance.now();
      const res = await fetch(url);
      await res.arrayBuffer();
      out.ms[i]!.push(performance.now() - t);
    }
    await sleep(job.gapMs);
  }
  return out;
}

async function send(r: ClientRequest, due: number): Promise<ClientAnswer> {
  try {
    const res = await fetch(r.url, {
      method: r.method ?? 'GET', redirect: 'manual', body: r.body,
      headers: { ...r.headers, ...(r.cookie ? { cookie: r.cookie } : {}) },
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - due, retryAfter: res.headers.get('retry-after') };
  } catch {
    return { status: 0, ms: performance.now() - due, retryAfter: null };
  }
}

async function run(job: Job): Promise<ClientAnswer[]> {
  if (job.kind === 'burst') {
    const t = performance.now();
    return Promise.all(job.requests.map((r) => send(r, t)));
  }
  const answers: Promise<ClientAnswer>[] = [];
  const t0 = performance.now();
  for (const [i, r] of job.requests.entries()) {
    const due = t0 + (i * 1000) / job.perSecond;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    answers.push(send(r, due));
  }
  return Promise.all(answers);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  createInterface({ input: process.stdin }).on('line', (line) => {
    const job = JSON.parse(line) as Job | ProbeJob | { kind: 'stop' };
    if (job.kind === 'stop') {
      probing = false;
      return;
    }
    void (job.kind === 'probe' ? probeUntilStopped(job) : run(job)).then((answers) => process.stdout.write(`${JSON.stringify(answers)}\n`));
  });
}

/** The parent's side: start the client, give it jobs, close it. */
export function startBurstClient() {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers = createInterface({ input: child.stdout });
  const waiting: ((answers: never) => void)[] = [];
  answers.on('line', (line) => waiting.shift()?.(JSON.parse(line) as never));
  const job = <T = ClientAnswer[]>(j: Job | ProbeJob) => new Promise<T>((resolve) => {
    waiting.push(resolve as (answers: never) => void);
    child.stdin.write(`${JSON.stringify(j)}\n`);
  });
  return {
    /** Every request at once; the statuses in order. */
    burst: async (requests: ClientRequest[]) => (await job({ kind: 'burst', requests })).map((a) => a.status),
    /** Request i sent at i / perSecond seconds from the start, whatever the answers. */
    paced: (perSecond: number, requests: ClientRequest[]) => job({ kind: 'paced', perSecond, requests }),
    /** Asks `urls` in turn every `gapMs` until stopped; alone on its client (answers come in order). */
    probe(urls: string[], gapMs: number) {
      const answer = job<ProbeAnswer>({ kind: 'probe', urls, gapMs });
      return { stop: () => (child.stdin.write(`${JSON.stringify({ kind: 'stop' })}\n`), answer) };
    },
    close() {
      child.stdin.end();
    },
  };
}
