// The money path under load, each figure beside a reference measured in the same run:
//  1. orders created/s: N signed-in students each build an order over HTTP through the real
//     wizard (缴费信息修改 → 交费信息显示 → 下一步) at bounded concurrency; reference: the same
//     four requests against a bare Express app in this process.
//  2. channel notifications verified and credited/s: the orders submitted to every channel and
//     paid at the sandbox's pages, the sandbox's own signed notifications captured (./money-world.ts)
//     and posted to the real /pay/notify/<channel>; reference: as many single-row UPDATEs, each in
//     its own transaction, on the same database at the same concurrency.
//  3. e-bills issued/s and the lag from credit to 已生成 (p50/p99), then 4. SMS queued → sent, both
//     as the app runs them (the jobs on the scheduler, as server.ts starts them, and whatever the
//     crediting itself sets off), then the backlog left drained by the jobs' own run() back to back;
//     references: the e-bill platform's signed issue calls and the SMS sender's sends, one at a time.
// `npm run bench -- money-path --n 1000 --c 20 --wait 40`: N students and payments, C at once, W
// seconds for the jobs after the last notification. Loopback only.
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { Browser, ms, payAtChannel, perSec, pool, quantile, rate, walkWizard } from './money-http';
import { COLLECTED_DUE, FISCAL_DUE, moneyWorld, type MoneyWorld } from './money-world';
import { businessDate } from '../src/domain/business-date';
import { BILL_TYPE } from '../src/modules/ebills/protocol';

/** Wechat last: its notifications are refused after five minutes (the SDKs' replay window), so they are replayed first. */
const SETUP_ORDER = ['nontax', 'alipay', 'unionpay', 'icbc', 'wechat'] as const;
const REPLAY_ORDER = ['wechat', 'nontax', 'alipay', 'unionpay', 'icbc'] as const;
const BENCH_PEOPLE = "p.number LIKE '26M%'";

function argOf(args: readonly string[], name: string, fallback: number): number {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  const raw = args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
  const v = Number(raw);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive whole number`);
  return v;
}

const pct = (x: number, ref: number) => (Number.isFinite(x / ref) ? `${((x / ref) * 100).toFixed(0)}% of reference` : '');

async function bareWizard() {
  const bare = express();
  bare.use(express.urlencoded({ extended: false }));
  const page = (title: string) => `<!doctype html><html><body><h1>${title}</h1><form method="POST"><input type="hidden" name="_csrf" value="t0k3n"></form></body></html>`;
  let serial = 0;
  bare.get('/pay/items', (_req, res) => res.type('html').send(page('缴费信息修改')));
  bare.post('/pay/items', (_req, res) => res.redirect(303, '/pay/review'));
  bare.get('/pay/review', (_req, res) => res.type('html').send(page('交费信息显示')));
  bare.post('/pay/orders', (_req, res) => res.redirect(303, `/pay/orders/XF260101LUT${String(++serial % 1e6).padStart(6, '0')}`));
  const server = bare.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

async function orders(w: MoneyWorld, c: number): Promise<void> {
  const bare = await bareWizard();
  const walk = async (browsers: Browser[], real: boolean) => {
    const times: number[] = [];
    const failed = new Map<string, number>();
    const t = performance.now();
    await pool(browsers, c, async (b, i) => {
      const s = w.students[i]!;
      const t0 = performance.now();
      const r = await walkWizard(b, '财政', s.periodId, s.fiscalBill, FISCAL_DUE);
      if (r.ok) times.push(performance.now() - t0);
      else {
        const at = `${r.step} → ${r.status} ${r.location}`;
        failed.set(at, (failed.get(at) ?? 0) + 1);
      }
      if (!r.ok && !real) throw new Error(`bare wizard: ${JSON.stringify(r)}`);
    });
    return { times, failed, elapsed: performance.now() - t };
  };
  const ref = await walk(w.students.map(() => new Browser(bare.url)), false);
  const got = await walk(w.students.map((s) => s.browser), true);
  await bare.close();
  const made = Number((await w.db.knex.raw(`SELECT count(*) AS n FROM orders o JOIN people p ON p.id = o.person_id WHERE ${BENCH_PEOPLE}`)).rows[0].n);
  console.log(`\n== orders created over HTTP (${w.students.length} students, ${c} at once; 4 requests each: GET/POST 缴费信息修改, GET 交费信息显示, POST 下一步)`);
  console.log(`reference: bare Express, same 4 requests   ${perSec(rate(ref.times.length, ref.elapsed))}  p50 ${ms(quantile(ref.times, 0.5))}  p99 ${ms(quantile(ref.times, 0.99))}`);
  const r = rate(got.times.length, got.elapsed);
  console.log(`orders created/s                          ${perSec(r)}  p50 ${ms(quantile(got.times, 0.5))}  p99 ${ms(quantile(got.times, 0.99))}  (${pct(r, rate(ref.times.length, ref.elapsed))}; ${made} orders in the database)`);
  for (const [at, count] of got.failed) console.log(`  not created: ${count} at ${at}`);
}

async function notifications(w: MoneyWorld, c: number): Promise<void> {
  const { payment } = w.services;
  const k = w.db.knex;
  // Every student's payment, channel by channel: the order, 确定缴费, the payer at the channel.
  const plan = w.students.map((s, i) => ({ s, channel: SETUP_ORDER[i % SETUP_ORDER.length]! }));
  const t = performance.now();
  for (const channel of SETUP_ORDER) {
    await pool(plan.filter((x) => x.channel === channel), c, async ({ s }) => {
      const fiscal = channel === 'nontax';
      const chosen = await payment.chooseItems(s.personId, {
        category: fiscal ? '财政' : '代收', periods: [s.periodId], lines: [{ billId: fiscal ? s.fiscalBill : s.collectedBill, amount: fiscal ? FISCAL_DUE : COLLECTED_DUE }],
      });
      if (!chosen.ok) throw new Error(`chooseItems: ${JSON.stringify(chosen.errors)}`);
      const made = await payment.confirmOrder(s.personId, chosen.wizard);
      const sent = await payment.submitToChannel(s.personId, made.orderNo, channel);
      if (sent.kind !== 'action') throw new Error(`submit to ${channel}: ${JSON.stringify(sent)}`);
      await payAtChannel(sent.action);
    });
  }
  const until = Date.now() + 60_000;
  while (w.captured.size < plan.length && Date.now() < until) await sleep(50);
  const setupMs = performance.now() - t;
  if (w.captured.size < plan.length) throw new Error(`only ${w.captured.size} of ${plan.length} notifications reached the capture`);

  // Reference: the same number of one-row UPDATEs, each its own transaction, same pool, same concurrency.
  await k.raw('CREATE TABLE bench_ref_rows (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)');
  await k.raw('INSERT INTO bench_ref_rows (id) SELECT generate_series(1, ?)', [plan.length]);
  const refTimes: number[] = [];
  let t0 = performance.now();
  await pool(plan, c, async (_x, i) => {
    const s = performance.now();
    await k.transaction((trx) => trx('bench_ref_rows').where({ id: i + 1 }).increment('n', 1));
    refTimes.push(performance.now() - s);
  });
  const refRate = rate(plan.length, performance.now() - t0);

  console.log(`\n== channel notifications verified and credited (${plan.length} payments, ${c} at once, POST /pay/notify/<channel> with the sandbox's signed bytes; setup ${ms(setupMs)})`);
  console.log(`reference: one-row UPDATE in a transaction        ${perSec(refRate)}  p50 ${ms(quantile(refTimes, 0.5))}  p99 ${ms(quantile(refTimes, 0.99))}`);
  let total = 0;
  let totalMs = 0;
  for (const channel of REPLAY_ORDER) {
    const list = [...w.captured.values()].filter((x) => x.channel === channel);
    const times: number[] = [];
    const statuses = new Map<number, number>();
    t0 = performance.now();
    await pool(list, c, async (x) => {
      const s = performance.now();
      const res = await fetch(`${w.appUrl}${x.path}`, { method: 'POST', headers: x.headers, body: x.body });
      await res.arrayBuffer();
      times.push(performance.now() - s);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    });
    const elapsed = performance.now() - t0;
    const credited = Number((await k('channel_events').where({ channel, kind: 'notify', verified: true, outcome: 'credited' }).count({ n: '*' }))[0]!.n);
    total += credited;
    totalMs += elapsed;
    const r = rate(credited, elapsed);
    const answers = [...statuses].map(([st, count]) => `${count}×${st}`).join(' ');
    console.log(`${channel.padEnd(9)} ${String(list.length).padStart(5)} sent, ${String(credited).padStart(5)} credited  ${perSec(r).padStart(9)}  p50 ${ms(quantile(times, 0.5))}  p99 ${ms(quantile(times, 0.99))}  answers ${answers}  (${pct(r, refRate)})`);
  }
  console.log(`all channels ${String(total).padStart(5)} credited  ${perSec(rate(total, totalMs))}  (${pct(rate(total, totalMs), refRate)})`);
}

interface ReceiptRow { category: '财政' | '代收'; credited: Date; issued: Date | null; status: string }
interface SmsRow { purpose: string; queued: Date; sent: Date | null; status: string }

const receipts = async (w: MoneyWorld): Promise<ReceiptRow[]> => (await w.db.knex.raw(
  `SELECT r.category, r.created_at AS credited, e.created_at AS issued, r.ebill_status AS status FROM receipts r
   JOIN people p ON p.id = r.person_id LEFT JOIN ebills e ON e.receipt_id = r.id WHERE r.order_id IS NOT NULL AND ${BENCH_PEOPLE}`)).rows;
const smsRows = async (w: MoneyWorld): Promise<SmsRow[]> => (await w.db.knex.raw(
  `SELECT s.purpose, s.created_at AS queued, s.sent_at AS sent, s.status FROM sms_outbox s JOIN people p ON p.id = s.person_id WHERE ${BENCH_PEOPLE}`)).rows;

const lagLine = (label: string, lags: number[]) => `${label.padEnd(28)} p50 ${ms(quantile(lags, 0.5))}  p99 ${ms(quantile(lags, 0.99))}  (${lags.length})`;
const span = (from: Date[], to: Date[]) => (from.length && to.length ? Math.max(...to.map(Number)) - Math.min(...from.map(Number)) : NaN);

/** Runs a job's run() until its count of pending rows stops falling: how many it settled, in how long. */
async function drain(run: () => Promise<void>, pending: () => Promise<number>) {
  const before = await pending();
  let left = before;
  const t = performance.now();
  while (left > 0) {
    await run();
    const now = await pending();
    if (now >= left) break;
    left = now;
  }
  return { drained: before - left, left, elapsed: performance.now() - t };
}

const drained = (d: Awaited<ReturnType<typeof drain>>) => (d.drained === 0 && d.left === 0
  ? 'backlog drained by the job\'s run() back to back: none was left'
  : `backlog drained by the job's run() back to back: ${d.drained} in ${ms(d.elapsed)}  ${perSec(rate(d.drained, d.elapsed))}${d.left ? `  (${d.left} left: still failing)` : ''}`);

async function backOffice(w: MoneyWorld, waitS: number): Promise<void> {
  const end = Date.now() + waitS * 1000;
  const settled = async () => (await receipts(w)).every((r) => r.issued) && (await smsRows(w)).every((s) => s.status !== 'pending');
  while (Date.now() < end && !(await settled())) await sleep(250);
  await w.scheduler.stop();
  const live = await receipts(w);
  const liveSms = await smsRows(w);

  const issued = live.filter((r) => r.issued);
  const lagOf = (rs: ReceiptRow[]) => rs.map((r) => r.issued!.getTime() - r.credited.getTime());
  console.log(`\n== e-bills, as the app runs them (jobs on the scheduler as server.ts starts them; until done or ${waitS} s after the last notification)`);
  console.log(`credited receipts ${live.length}; issued ${issued.length} (已生成 ${issued.filter((r) => r.status === '已生成').length}, 其他票据 ${issued.filter((r) => r.status === '其他票据').length}); backlog left ${live.length - issued.length}`);
  console.log(`e-bills issued/s (first credit → last bill)  ${perSec(rate(issued.length, span(live.map((r) => r.credited), issued.map((r) => r.issued!))))}  (first bill → last bill ${perSec(rate(issued.length - 1, span(issued.map((r) => r.issued!), issued.map((r) => r.issued!))))})`);
  console.log(lagLine('lag credit → 已生成 (财政)', lagOf(issued.filter((r) => r.category === '财政'))));
  console.log(lagLine('lag credit → 其他票据 (代收)', lagOf(issued.filter((r) => r.category === '代收'))));

  const job = (name: string) => {
    const j = w.jobs.find((x) => x.name === name);
    if (!j) throw new Error(`money-path: the platform has no job named ${name} any more`);
    return j;
  };
  const ebillJob = job('ebill-issuing');
  const smsJob = job('sms-sending');
  const e = await drain(() => ebillJob.run(), async () => (await receipts(w)).filter((r) => !r.issued).length);
  const fiscal = Math.max(20, live.filter((r) => r.category === '财政').length);
  let t = performance.now();
  for (let i = 0; i < fiscal; i++) {
    await w.services.ebillClient.issue({
      requestId: `REF${i}`, billType: BILL_TYPE.fiscal, channel: '网上支付', payerName: '学生0', payerNumber: '26M0000000', unitName: w.config.schoolName, remark: w.config.schoolName, payDate: businessDate(new Date()), total: FISCAL_DUE,
      lines: [{ code: '10304275713', name: '学费', unit: '元', quantity: '1', standard: FISCAL_DUE, amount: FISCAL_DUE }],
    });
  }
  const refIssue = rate(fiscal, performance.now() - t);
  console.log(drained(e));
  console.log(`reference: signed issue calls to the e-bill platform, one at a time  ${perSec(refIssue)}  (${fiscal})`);

  const sent = liveSms.filter((s) => s.sent);
  const lagSms = (rs: SmsRow[]) => rs.map((s) => s.sent!.getTime() - s.queued.getTime());
  console.log(`\n== SMS queued → sent, as the app runs them (same window)`);
  console.log(`queued ${liveSms.length} (paid notices ${liveSms.filter((s) => s.purpose !== 'ebill').length}, e-bill notices ${liveSms.filter((s) => s.purpose === 'ebill').length}); sent ${sent.length}; failed ${liveSms.filter((s) => s.status === 'failed').length}; left ${liveSms.filter((s) => s.status === 'pending').length}`);
  console.log(`SMS sent/s (first queued → last sent)  ${perSec(rate(sent.length, span(liveSms.map((s) => s.queued), sent.map((s) => s.sent!))))}`);
  console.log(lagLine('lag queued → sent', lagSms(sent)));
  const s = await drain(() => smsJob.run(), async () => (await smsRows(w)).filter((x) => x.status === 'pending').length);
  const refCount = Math.max(20, Math.min(liveSms.length, 500));
  t = performance.now();
  for (let i = 0; i < refCount; i++) await w.services.smsSender.send('13900000000', `【${w.config.schoolName}】参考短信 ${i}`);
  console.log(drained(s));
  console.log(`reference: the SMS sender's sends, one at a time  ${perSec(rate(refCount, performance.now() - t))}  (${refCount})`);
}

export async function benchMoneyPath(args: readonly string[] = process.argv.slice(2)): Promise<void> {
  const n = argOf(args, 'n', 100);
  const c = argOf(args, 'c', 20);
  const waitS = argOf(args, 'wait', 40);
  console.log(`cores: ${availableParallelism()}  (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}); ${n} students, ${c} at once`);
  const t = performance.now();
  const w = await moneyWorld(n, c);
  console.log(`setup (database, sandbox, import, sign-ins) ${ms(performance.now() - t)}`);
  try {
    await orders(w, c);
    await notifications(w, c);
    await backOffice(w, waitS);
  } finally {
    await w.close();
  }
  console.log(`money-path: ${ms(performance.now() - t)} in all`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchMoneyPath().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
