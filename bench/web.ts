// Requests/s of the pages a student hits most (当前费用, home) against a bare Express route on
// the same machine, and logins/s against raw bcrypt compares/s — so the figures can be judged:
// the page's cost over the framework floor, and login's cost over the hash it must do.
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import bcrypt from 'bcrypt';
import express from 'express';
import { benchConfig, benchDatabase } from './bench-db';
import { createApp } from '../src/app';
import { migrateLatest } from '../src/db/migrate';
import { createLogger } from '../src/logger';
import { DEMO, seedDemo } from '../seeds/demo';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);

async function load(url: string, headers: Record<string, string> = {}, connections = 20) {
  const r = await autocannon({ url, connections, duration: DURATION, headers });
  return { rps: Math.round(r.requests.average), p99: r.latency.p99, errors: r.errors + r.non2xx };
}

export async function benchWeb(): Promise<void> {
  const { db, url, drop } = await benchDatabase('web', 10);
  try {
    await migrateLatest(db.knex);
    await seedDemo(db.knex);
    const PW = 'Bench#2026pw';
    const hash = await bcrypt.hash(PW, 10);
    // 张三 for the pages, and 40 other students for the concurrent logins: simultaneous sign-ins
    // of one account are throttled like guesses, which is not what this measures.
    const students: string[] = await db.knex('people').where({ kind: 'student' }).orderBy('id').limit(41).pluck('number');
    await db.knex('accounts').whereIn('person_id', db.knex('people').select('id').whereIn('number', students))
      .update({ password_hash: hash, must_change_password: false });

    const config = benchConfig(url);
    const app = createApp({ config, db, logger: createLogger('silent') });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const bare = express();
    const html = '<!doctype html><html><body><table><tr><td>2019年度</td><td>学费</td><td>8,000.00</td></tr></table></body></html>';
    bare.get('/', (_req, res) => res.type('html').send(html));
    const bareServer = bare.listen(0, '127.0.0.1');
    await new Promise((r) => bareServer.once('listening', r));
    const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/`;

    // Sign in once through the real form and reuse the session cookie.
    const jar: string[] = [];
    const loginPage = await fetch(`${base}/login`);
    jar.push(...loginPage.headers.getSetCookie().map((c) => c.split(';')[0]!));
    const token = (await loginPage.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
    const res = await fetch(`${base}/login`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: jar.join('; '), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, username: DEMO.student.number, password: PW }).toString(),
    });
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');

    const ref = await load(bareUrl);
    const fees = await load(`${base}/fees`, { cookie });
    const home = await load(`${base}/`, { cookie });
    const loginGet = await load(`${base}/login`);
    console.log(`\n== pages (${DURATION}s each, 20 connections, PostgreSQL, 2 cores shared by client and server)`);
    console.log(`reference: bare Express route      ${ref.rps} req/s  p99 ${ref.p99} ms`);
    console.log(`GET /fees (当前费用, signed in)     ${fees.rps} req/s  p99 ${fees.p99} ms  errors ${fees.errors}  (${((fees.rps / ref.rps) * 100).toFixed(1)}% of bare)`);
    console.log(`GET / (home + 系统公告)            ${home.rps} req/s  p99 ${home.p99} ms  errors ${home.errors}`);
    console.log(`GET /login (anonymous, new session) ${loginGet.rps} req/s  p99 ${loginGet.p99} ms  errors ${loginGet.errors}`);

    // Logins: the full POST /login with CSRF, lockout check, bcrypt and session regeneration,
    // against the raw cost of bcrypt.compare at the same cost factor on the same threads.
    const N = 40;
    let t = performance.now();
    await Promise.all(Array.from({ length: N }, () => bcrypt.compare(PW, hash)));
    const rawPerSec = N / ((performance.now() - t) / 1000);
    const logins = await Promise.all(students.filter((n) => n !== DEMO.student.number).slice(0, N).map(async (number) => {
      const page = await fetch(`${base}/login`);
      const c = page.headers.getSetCookie().map((x) => x.split(';')[0]!).join('; ');
      const tk = (await page.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
      return { c, tk, number };
    }));
    t = performance.now();
    const statuses = await Promise.all(logins.map(({ c, tk, number }) => fetch(`${base}/login`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: c, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: tk, username: number, password: PW }).toString(),
    }).then((r) => r.status)));
    const loginPerSec = N / ((performance.now() - t) / 1000);
    console.log(`\n== logins (${N} concurrent, ${N} different students, bcrypt cost 10)`);
    console.log(`reference: raw bcrypt.compare      ${rawPerSec.toFixed(1)} /s`);
    console.log(`POST /login (full sign-in)         ${loginPerSec.toFixed(1)} /s  (${((loginPerSec / rawPerSec) * 100).toFixed(0)}% of raw bcrypt; all 303: ${statuses.every((s) => s === 303)})`);

    await new Promise((r) => server.close(r));
    await new Promise((r) => bareServer.close(r));
  } finally {
    await drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchWeb().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
