// PostgreSQL restarted under load, on a server of this test's own (test/helpers/private-pg.ts):
// the platform process runs against it (it migrates the empty database at start), students sign
// in and read their pages, payers pay at WeChat and Alipay. Twice — pg_ctl stop -m fast, then
// -m immediate (a crash) — the database goes away while that goes on: /healthz answers 503, every
// page a 503 系统维护中 page with Retry-After (never a 500, never a dropped connection), each
// notification that arrives gets the channel's failure answer, and the process stays up. When
// the database is back the same process serves again by itself, and the channels' retries bring
// every payment of the outage, each credited exactly once.
import { describe, expect, it, onTestFailed } from 'vitest';
import { connect } from '../../src/db/connection';
import { DATABASE_UNAVAILABLE } from '../../src/http/errors';
import { privatePostgres, privatePostgresMissing } from '../helpers/private-pg';
import { until } from '../helpers/world';
import * as f from '../factories';
import { Browser, childWorld, inParallel, type Payment } from './child-world';

const PASSWORD = 'Abc12345!x';
const STUDENTS = 4;
const missing = privatePostgresMissing();
if (missing) console.warn(`postgres-restart skipped: ${missing}`);

const pg = missing ? null : await privatePostgres();
const world = async () => {
  const admin = await connect({ databaseUrl: pg!.url('postgres'), poolMax: 1 });
  await admin.knex.raw('CREATE DATABASE cupp');
  await admin.close();
  const db = await connect({ databaseUrl: pg!.url('cupp'), poolMax: 4 });
  return { db, w: await childWorld({ databaseUrl: pg!.url('cupp'), knex: db.knex }) };
};
const { db, w } = pg ? await world() : ({} as Awaited<ReturnType<typeof world>>);

type Phase = 'up' | 'down' | 'back';
interface Seen { phase: Phase; whole: boolean; what: string; status: number | string; retryAfter: string | null; friendly: boolean }

describe.skipIf(!!missing)('PostgreSQL restarted under load', () => {
  it('503 while it is down, the platform reconnects by itself, no notification is lost', { timeout: 420_000 }, async () => {
    onTestFailed(() => console.log(`the platform's errors:\n${w.output().split('\n').filter((l) => l.includes('"level":50')).join('\n').slice(-8000)}`));
    await w.start();
    const pid = w.pid();
    const students = await inParallel(Array.from({ length: STUDENTS }), 2, () => f.person(db.knex, { password: PASSWORD }));
    const before = await w.payments(6);
    const during = { fast: await w.payments(10), immediate: await w.payments(10) };
    await inParallel(before, 4, (p) => w.pay(p));
    await until(async () => (await w.paidCount(before.map((p) => p.orderNo))) === before.length, 60_000);

    // The load: each student signs in and reads 当前费用 and the home page, over and over; /healthz polled.
    let phase: Phase = 'up';
    let loading = true;
    const seen: Seen[] = [];
    const entry = (what: string, p: Phase, r: { status: number; retryAfter: string | null; body: string } | Error): Seen =>
      r instanceof Error
        ? { phase: p, whole: false, what, status: `no answer: ${String((r.cause as Error | undefined)?.message ?? r.message)}`, retryAfter: null, friendly: false }
        : { phase: p, whole: false, what, status: r.status, retryAfter: r.retryAfter, friendly: r.body.includes(DATABASE_UNAVAILABLE) };
    const failed = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));
    const student = async (s: { number: string }) => {
      while (loading) {
        // A round is counted in its phase only if the phase did not change while it ran (a round
        // begun with the database back may run into the next outage).
        const p = phase;
        const b = new Browser(w.appUrl);
        const round: Seen[] = [];
        for (const [what, step] of [['login', () => b.login(s.number, PASSWORD)], ['fees', () => b.req('GET', '/fees')], ['home', () => b.req('GET', '/')]] as const) {
          round.push(entry(what, p, await step().catch(failed)));
        }
        const whole = phase === p;
        seen.push(...round.map((r) => ({ ...r, whole })));
      }
    };
    const health = async () => {
      while (loading) {
        const p = phase;
        const r = await fetch(`${w.appUrl}/healthz`).then(async (x) => ({ status: x.status, retryAfter: x.headers.get('retry-after'), body: await x.text() }), failed);
        seen.push({ ...entry('healthz', p, r), whole: phase === p });
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const load = Promise.all([...students.map(student), health()]);
    const healthz = async () => (await fetch(`${w.appUrl}/healthz`)).status;

    const outage = async (mode: 'fast' | 'immediate', payments: Payment[]) => {
      const from = seen.length;
      await pg!.stop(mode);
      phase = 'down';
      await until(async () => (await healthz()) === 503, 30_000, 100);
      // Payers pay meanwhile: each notification is answered, with the channel's failure.
      await inParallel(payments, 5, (p) => w.pay(p));
      const answered = (p: Payment) => w.sandbox.control.log.some((r) => r.orderNo === p.orderNo && r.status !== null && !r.acked);
      await until(() => payments.every(answered), 60_000, 50);
      // Students were answered 503 pages too before the database comes back.
      await until(() => seen.slice(from).filter((s) => s.phase === 'down' && s.what !== 'healthz' && s.status === 503).length >= STUDENTS, 60_000, 50);
      expect(w.alive()).toBe(true);
      await pg!.start();
      // Back by itself: the same process, no restart.
      await until(async () => (await healthz()) === 200, 60_000, 100);
      phase = 'back';
      await until(() => seen.slice(from).filter((s) => s.phase === 'back' && s.whole && s.what === 'fees').length >= STUDENTS, 60_000, 50);
      phase = 'up';
    };

    try {
      await outage('fast', during.fast);
      await outage('immediate', during.immediate);
    } finally {
      loading = false;
      await load;
    }
    expect(w.alive()).toBe(true);
    expect(w.pid()).toBe(pid);

    // Never a 500 nor a dropped connection; while down, 503 with Retry-After and the 系统维护中 page.
    const broken = seen.filter((s) => typeof s.status === 'string' || (s.status >= 500 && s.status !== 503));
    expect(broken).toEqual([]);
    const down = seen.filter((s) => s.phase === 'down' && s.status === 503);
    expect(down.length).toBeGreaterThan(0);
    expect(down.every((s) => s.retryAfter !== null)).toBe(true);
    expect(down.filter((s) => s.what !== 'healthz').every((s) => s.friendly)).toBe(true);
    // Once back: signed in (303), pages read (200).
    const back = seen.filter((s) => s.phase === 'back' && s.whole && s.what !== 'healthz');
    expect(back.length).toBeGreaterThan(0);
    expect(back.every((s) => s.status === (s.what === 'login' ? 303 : 200))).toBe(true);

    // The channels' retries bring every payment of the outages: each credited once.
    const all = [...before, ...during.fast, ...during.immediate];
    await until(() => w.allAcked(all), 300_000, 250);
    expect(await w.creditedOnce(all)).toEqual([]);
    await db.close();
  });
});
