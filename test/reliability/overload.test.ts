// Three times the sign-ins the platform can hash at once: the excess is refused at once with the
// friendly 503 page and Retry-After, before any hashing was spent on it (and, while the gate is
// full, before its session is read, its body parsed or its CSRF token checked); those admitted are signed
// in as usual; nothing answers 500; the queues in front of bcrypt and of the request handlers
// never hold more than their bounds, however many more come. The gates are configured small
// (2 hashes at once, 4 waiting) and the accounts hashed at a high cost, so that a handful of
// requests is already "three times the capacity".
import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import type { Database, QueryPool } from '../../src/db/connection';
import { createLogger } from '../../src/logger';
import { buildServices } from '../../src/services';
import { listen, testConfig } from '../helpers/app';
import { text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { until } from '../helpers/world';
import * as f from '../factories';

const PW = 'Overload#2026';
const CONCURRENT = 2;
const WAITING = 4;
const CAPACITY = CONCURRENT + WAITING;

const db = await testDatabase();
// A cost that keeps a hash running while the rest of the burst arrives (each well under the
// test's time even on a busy machine: six of them, two at a time).
const slowHash = await bcrypt.hash(PW, 11);

/** `database`: what the app reads sessions through (a test may count its queries). */
function platform(env: Record<string, string>, database: Database = db) {
  const config = testConfig(db, { BCRYPT_CONCURRENT: String(CONCURRENT), BCRYPT_WAITING: String(WAITING), RETRY_AFTER_SECONDS: '7', FINANCE_PHONES: '2973305 2973826', ...env });
  const services = buildServices({ config, db, logger: createLogger('silent') });
  return { app: createApp({ config, db: database, logger: createLogger('silent'), services }), services };
}

/** The database with its pool counting every query on the sessions table (the session store's reads and writes). */
function countingSessionQueries() {
  let n = 0;
  const pool: QueryPool = {
    query(q, values) {
      if (/\bsessions\b/.test(typeof q === 'string' ? q : q.text)) n++;
      return db.pool.query(q, values);
    },
  };
  return { database: { ...db, pool }, count: () => n };
}

const main = platform({});
const { url } = await listen(main.app);

async function students(n: number): Promise<string[]> {
  const made = await Promise.all(Array.from({ length: n }, () => f.person(db.knex, { password: 'x' })));
  await db.knex('accounts').whereIn('id', made.map((p) => p.accountId)).update({ password_hash: slowHash, must_change_password: false });
  return made.map((p) => p.number);
}

/** The login page of each student's browser, from an address of its own (a campus of many). */
async function loginPages(base: string, numbers: string[]) {
  return Promise.all(numbers.map(async (number, i) => {
    const ip = `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    const page = await fetch(`${base}/login`, { headers: { 'x-forwarded-for': ip } });
    expect(page.status).toBe(200);
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    return { number, ip, cookie, csrf };
  }));
}

type Page = Awaited<ReturnType<typeof loginPages>>[number];

const signIn = (base: string, p: Page) => fetch(`${base}/login`, {
  method: 'POST', redirect: 'manual',
  headers: { cookie: p.cookie, 'x-forwarded-for': p.ip, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ _csrf: p.csrf, username: p.number, password: PW }).toString(),
}).then(async (r) => ({
  status: r.status, retryAfter: r.headers.get('retry-after'), location: r.headers.get('location'), body: await r.text(),
  cookie: r.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; '), ip: p.ip,
}));

/** Fires every sign-in at once and sorts the answers; samples the heap while they are in flight. */
async function burst(pages: Page[]) {
  const before = main.services.hasher.stats();
  let heapPeak = 0;
  const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 5);
  const answers = await Promise.all(pages.map((p) => signIn(url, p)));
  clearInterval(sampler);
  const after = main.services.hasher.stats();
  return {
    answers,
    admitted: answers.filter((a) => a.status === 303),
    shed: answers.filter((a) => a.status === 503),
    hashes: after.started - before.started,
    refused: after.refused - before.refused,
    heapPeak,
  };
}

/** The three-times burst, which the ten-times one is compared with. */
let threeTimes: Awaited<ReturnType<typeof burst>>;

// Each burst signs a few dozen students in at bcrypt cost 11, two at a time: bounded, but slow on a busy machine.
const BURST_TIMEOUT = 120_000;

describe('overload: three times the sign-in capacity', () => {
  it('sheds the excess with the friendly 503 and Retry-After before hashing it, signs the rest in, never 500', async () => {
    const pages = await loginPages(url, await students(3 * CAPACITY));
    const r = await burst(pages);
    threeTimes = r;

    expect(r.answers.map((a) => a.status).filter((s) => s !== 303 && s !== 503)).toEqual([]);
    // At least what the gate holds is admitted; some of the rest are refused.
    expect(r.admitted.length).toBeGreaterThanOrEqual(CAPACITY);
    expect(r.shed.length).toBeGreaterThan(0);
    // One hash per admitted sign-in and none for a refused one: refused before bcrypt ran.
    expect(r.hashes).toBe(r.admitted.length);
    expect(r.refused).toBe(r.shed.length);
    for (const a of r.admitted) expect(a.location).toBe('/');
    for (const a of r.shed) {
      expect(a.retryAfter).toBe('7');
      expect(text(a.body)).toContain('当前访问人数较多，请稍后再试');
      expect(text(a.body)).toContain('2973305 2973826');
    }
    // The admitted ones really are signed in: their next page is the home page.
    const home = await fetch(`${url}/`, { redirect: 'manual', headers: { cookie: r.admitted[0]!.cookie, 'x-forwarded-for': r.admitted[0]!.ip } });
    expect(home.status).toBe(200);
    const stats = main.services.hasher.stats();
    expect(stats.maxActive).toBeLessThanOrEqual(CONCURRENT);
    expect(stats.maxWaiting).toBeLessThanOrEqual(WAITING);

    // A refused sign-in gave its throttle point back: no address or account is left counting a guess.
    const counted = await db.knex('auth_throttle').where({ scope: 'login' }).where('failures', '>', 0).count<{ n: string }[]>({ n: '*' });
    expect(Number(counted[0]!.n)).toBe(0);
  }, BURST_TIMEOUT);

  it('holds its bounds at ten times the capacity: the queue does not grow, nor the heap with it', async () => {
    const small = threeTimes;
    const large = await burst(await loginPages(url, await students(10 * CAPACITY)));
    expect(large.answers.map((a) => a.status).filter((s) => s !== 303 && s !== 503)).toEqual([]);
    expect(large.hashes).toBe(large.admitted.length);
    expect(large.shed.length).toBeGreaterThan(small.shed.length);
    const stats = main.services.hasher.stats();
    expect(stats.maxActive).toBeLessThanOrEqual(CONCURRENT);
    expect(stats.maxWaiting).toBeLessThanOrEqual(WAITING);
    // The excess costs a refusal, not memory: a loose bound, since the test's own clients share the heap.
    expect(large.heapPeak - small.heapPeak).toBeLessThan(64 * 1024 * 1024);
  }, BURST_TIMEOUT);

  it('past MAX_IN_FLIGHT answers pages 503 at once, while /healthz and channel notifications keep their own limits', async () => {
    const tight = platform({ MAX_IN_FLIGHT: '4' });
    const { url: tightUrl } = await listen(tight.app);
    const pages = await loginPages(tightUrl, await students(4));
    // Four sign-ins hashing at a high cost hold the four places.
    const held = Promise.all(pages.map((p) => signIn(tightUrl, p)));
    await until(() => { const s = tight.services.hasher.stats(); return s.active + s.waiting === 4; }, 20_000, 5);

    const page = await fetch(`${tightUrl}/login`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('7');
    expect(text(await page.text())).toContain('当前访问人数较多，请稍后再试');
    const json = await fetch(`${tightUrl}/fees`, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(503);
    expect(await json.json()).toEqual({ error: '当前访问人数较多，请稍后再试' });
    expect((await fetch(`${tightUrl}/healthz`)).status).toBe(200);
    // Not a signed notification, but heard (and refused) by the channel's handler, not by the load gate.
    const notify = await fetch(`${tightUrl}/pay/notify/nontax`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' });
    expect(notify.status).not.toBe(503);

    const done = await held;
    expect(done.map((a) => a.status)).toEqual([303, 303, 303, 303]);
    expect((await fetch(`${tightUrl}/login`)).status).toBe(200);
  }, BURST_TIMEOUT);

  it('while the bcrypt gate is full, refuses every post that hashes before reading its session, parsing its body or checking CSRF', async () => {
    const sessions = countingSessionQueries();
    const full = platform({}, sessions.database);
    const { url: fullUrl } = await listen(full.app);
    const [page] = await loginPages(fullUrl, await students(1));
    const headers = { cookie: page!.cookie, 'x-forwarded-for': page!.ip, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' };
    // The session store is counted: a page read goes through it.
    let before = sessions.count();
    expect((await fetch(`${fullUrl}/login`, { headers })).status).toBe(200);
    expect(sessions.count()).toBeGreaterThan(before);

    // Every place of the gate held (as sign-ins about to hash would hold them).
    const tickets = Array.from({ length: CAPACITY }, () => full.services.hasher.reserve());
    expect(full.services.hasher.hasRoom()).toBe(false);
    const refusedBefore = full.services.hasher.stats().refused;
    const throttled = await db.knex('auth_throttle').count<{ n: string }[]>({ n: '*' });
    // No CSRF token, and a body past the parser's 64 kB limit: either would have been answered
    // 403 or 413 had the post been let as far as the parser or the CSRF check.
    const body = new URLSearchParams({ username: page!.number, password: PW, pad: 'x'.repeat(70_000) }).toString();
    const posts = ['/login', '/LOGIN/', '/profile/password', '/profile/security', '/profile/security/question', '/profile/bank', '/recover/answer', '/recover/reset'];
    before = sessions.count();
    for (const path of posts) {
      const res = await fetch(`${fullUrl}${path}`, { method: 'POST', redirect: 'manual', headers, body });
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after'), path).toBe('7');
      const shown = text(await res.text());
      expect(shown).toContain('当前访问人数较多，请稍后再试');
      expect(shown).toContain('2973305 2973826');
    }
    expect(sessions.count()).toBe(before);
    expect(full.services.hasher.stats().refused - refusedBefore).toBe(posts.length);
    // Refused, not attempted: no throttle counter was touched.
    expect(await db.knex('auth_throttle').count<{ n: string }[]>({ n: '*' })).toEqual(throttled);
    // A post that does not hash goes its usual way, session and CSRF check included (403: no token).
    const other = await fetch(`${fullUrl}/recover`, { method: 'POST', redirect: 'manual', headers, body: 'username=x' });
    expect(other.status).toBe(403);
    expect(sessions.count()).toBeGreaterThan(before);

    // Places free again. A sign-in let through holds its place from its arrival and gives it back
    // unused when it ends before hashing (here: no CSRF token, 403).
    for (const t of tickets) t.release();
    const noToken = await fetch(`${fullUrl}/login`, { method: 'POST', redirect: 'manual', headers, body: new URLSearchParams({ username: page!.number, password: PW }).toString() });
    expect(noToken.status).toBe(403);
    await until(() => full.services.hasher.stats().waiting === 0, 5_000, 5);
    // The same sign-in, with its token, is admitted and signed in as usual.
    const admitted = await signIn(fullUrl, page!);
    expect(admitted.status).toBe(303);
    expect(admitted.location).toBe('/');
  }, BURST_TIMEOUT);
});
