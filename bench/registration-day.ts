// Registration day: N students each sign in, open 当前费用, build an order (缴费信息修改 → 交费信息显示
// → 下一步), send it to 非税支付 and pay at the sandbox's cashier, at most C at once; the channel's
// notifications, the e-bills and the SMS follow through the instances' own jobs. Run against one
// instance and against two, each behind the shipped deploy/nginx/campus-pay.conf (TLS, least_conn)
// with one standalone sandbox (test/helpers/deploy.ts), on a database of its own with the N students
// and their bills imported through the console's importer. Printed: cores, total time, each step's
// throughput and p50/p99, credit and e-bill lags, SMS, and the ledger check, which must pass with
// every student's payment credited exactly once. Reference from the same run: GET /healthz through
// the same nginx at the same concurrency (the floor of any request) and raw bcrypt compares/s (the
// floor of a sign-in).
//   npm run bench registration-day -- --students 300 --instances 2 [--concurrency 50]
import https from 'node:https';
import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';
import { benchDatabase } from './bench-db';
import { overloadEnv } from '../src/config/overload';
import { migrateLatest } from '../src/db/migrate';
import { idCheckChar } from '../src/domain/id-number';
import { auditRepo } from '../src/modules/audit/repo';
import { importsService } from '../src/modules/console/imports/service';
import { checkLedger } from '../src/modules/reconcile/ledger-check';
import { ledgerCheckRepo } from '../src/modules/reconcile/ledger-check-repo';
import { seedDemo } from '../seeds/demo';
import { Browser, startDeployment, waitUntil, type Deployment } from '../test/helpers/deploy';

const PW = 'Regday#2026pw';
const SECRET = 'r'.repeat(40);
const STEPS = ['login', '当前费用', '缴费信息修改', '交费信息显示', '下一步', '确定缴费', 'pay at channel', 'result page'] as const;
type Step = (typeof STEPS)[number];

interface Options { students: number; instances: number[]; concurrency: number }

function options(args: string[]): Options {
  const get = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const num = (name: string, dflt: number) => {
    const v = get(name);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`--${name} must be a positive whole number (got ${v})`);
    return Number(v);
  };
  const k = get('instances');
  return { students: num('students', 300), instances: k === undefined ? [1, 2] : [num('instances', 1)], concurrency: num('concurrency', 50) };
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
/** Pads to a width of `w` columns, a Chinese character taking two. */
const pad = (s: string, w: number) => s + ' '.repeat(Math.max(1, w - [...s].reduce((n, c) => n + (c.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)));
const ms = (x: number) => (Number.isNaN(x) ? '-' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);

/** N students with one unpaid 学费 each (2020年度, 财政, 5,000.00), through the console's importer. */
async function populate(knex: Parameters<typeof auditRepo>[0], n: number): Promise<Student[]> {
  const people = ['学号,姓名,性别,身份证号,学院,班级,手机'];
  const bills = ['学号,收费期间,收费项目,应收金额'];
  const numbers: string[] = [];
  for (let i = 0; i < n; i++) {
    const first17 = `620102${1998 + (i % 6)}${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}${String(i % 1000).padStart(3, '0')}`;
    const number = `26R${String(i).padStart(7, '0')}`;
    numbers.push(number);
    people.push(`${number},学生${i},${i % 2 ? '女' : '男'},${first17}${idCheckChar(first17)},计算机学院,2026级${(i % 40) + 1}班,139${String(i).padStart(8, '0')}`);
    bills.push(`${number},2020年度,学费,5000.00`);
  }
  const imports = importsService({ db: knex, audit: auditRepo(knex) });
  const csv = (lines: string[]) => Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
  const a = await imports.importPeople({ bytes: csv(people), fileName: 'students.csv', actorAccountId: null });
  const b = await imports.importBills({ bytes: csv(bills), fileName: 'bills.csv', actorAccountId: null });
  if (a.status !== 'imported' || b.status !== 'imported') throw new Error('registration-day: the import was rejected');
  // Each has chosen a password already (the forced change is another bench's business), hashed at
  // the platform's cost so a sign-in costs what it costs.
  const hash = await bcrypt.hash(PW, 10);
  await knex('accounts').whereIn('person_id', knex('people').select('id').whereIn('number', numbers))
    .update({ password_hash: hash, must_change_password: false });
  const rows = await knex('bills as b').join('people as p', 'p.id', 'b.person_id').whereIn('p.number', numbers).select('p.number', 'b.id', 'b.period_id');
  return rows.map((r) => ({ number: r.number as string, billId: String(r.id), periodId: String(r.period_id) }));
}

interface Student { number: string; billId: string; periodId: string }

/** Busy answers (503 with Retry-After) met and waited out, by request path: a student who is told
 * 当前访问人数较多 waits as told and tries again, as a person would. */
const busyWaits = new Map<string, number>();
const MAX_BUSY_TRIES = 20;
const MAX_CHANNEL_TRIES = 5;
const CHANNEL_RETRY_MS = 5000;

class PatientBrowser extends Browser {
  override async send(...a: Parameters<Browser['send']>): ReturnType<Browser['send']> {
    for (let tries = 1; ; tries++) {
      const r = await super.send(...a);
      const after = Number(r.headers['retry-after']);
      if (r.status !== 503 || !(after > 0) || tries >= MAX_BUSY_TRIES) return r;
      const key = `${a[0]} ${a[1].split('?')[0]!.replace(/XF\d+[A-Z]+\d+/, ':orderNo')}`;
      busyWaits.set(key, (busyWaits.get(key) ?? 0) + 1);
      await new Promise((res) => setTimeout(res, after * 1000));
    }
  }
}

/** The payer at the non-tax cashier: 支付宝, 确认支付, then 返回商户 back to the school (a URL of ours). */
async function payAtCashier(cashierUrl: string): Promise<string> {
  const form = (f: Record<string, string> = {}): RequestInit => ({ method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(f).toString() });
  const chosen = await fetch(`${cashierUrl}/pay`, form({ pay_channel: 'alipay' }));
  if (chosen.status !== 303) throw new Error(`cashier: ${chosen.status}`);
  const u = new URL(chosen.headers.get('location')!);
  const done = await fetch(`${u.origin}${u.pathname}/confirm${u.search}`, form());
  const html = await done.text();
  const back = /<a href="([^"]+)">返回商户<\/a>/.exec(html)?.[1];
  if (done.status !== 200 || !back) throw new Error(`checkout: ${done.status} ${html.slice(0, 200)}`);
  const onward = await fetch(back.replace(/&amp;/g, '&'), { redirect: 'manual' });
  if (onward.status !== 303) throw new Error(`返回商户: ${onward.status}`);
  return onward.headers.get('location')!;
}

/** One virtual student's morning; each step's time goes into `times`. */
async function walk(d: Deployment, agent: https.Agent, { number, billId, periodId }: Student, times: Map<Step, { ms: number[]; first: number; last: number }>) {
  const br = new PatientBrowser({ base: d.nginx.url, ca: d.nginx.cert, agent });
  const step = async <T>(name: Step, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await fn();
    const t1 = performance.now();
    const s = times.get(name)!;
    s.ms.push(t1 - t0);
    s.first = Math.min(s.first, t0);
    s.last = Math.max(s.last, t1);
    return r;
  };
  const expect = (ok: boolean, what: string, html = '') => {
    if (ok) return;
    // What the student read: the page's alert, or else its text without the head.
    const alert = /role="alert"[^>]*>([\s\S]*?)<\//.exec(html)?.[1];
    const shown = alert ?? html.replace(/<head>[\s\S]*?<\/head>|<script[\s\S]*?<\/script>|<[^>]+>/g, ' ');
    throw new Error(`${number}: ${what} ${shown.replace(/\s+/g, ' ').trim().slice(0, 200)}`);
  };
  await step('login', async () => {
    await br.get('/login');
    const r = await br.post('/login', { username: number, password: PW });
    expect(r.status === 303, `login ${r.status}`, r.text);
  });
  await step('当前费用', async () => {
    const r = await br.get('/fees');
    expect(r.status === 200 && r.text.includes('5,000.00'), `当前费用 ${r.status}`, r.text);
  });
  await step('缴费信息修改', async () => {
    const page = await br.get(`/pay/items?category=${encodeURIComponent('财政')}&period=${periodId}`);
    expect(page.status === 200 && page.text.includes(`value="${billId}"`), `缴费信息修改 ${page.status}`, page.text);
    const r = await br.post('/pay/items', { category: '财政', period: periodId, bill: [billId], [`amount_${billId}`]: '5000.00' });
    expect(r.status === 303, `缴费信息修改 post ${r.status}`, r.text);
  });
  await step('交费信息显示', async () => {
    const r = await br.get('/pay/review');
    expect(r.status === 200, `交费信息显示 ${r.status}`, r.text);
  });
  const orderNo = await step('下一步', async () => {
    const r = await br.post('/pay/orders', {});
    const no = /\/pay\/orders\/(XF\d{6}[A-Z]{3}\d{6})/.exec(String(r.headers.location ?? ''))?.[1];
    expect(r.status === 303 && !!no, `下一步 ${r.status} ${String(r.headers.location)}`, r.text);
    return no!;
  });
  const cashier = await step('确定缴费', async () => {
    let r;
    for (let tries = 1; ; tries++) {
      expect((await br.get(`/pay/orders/${orderNo}`)).status === 200, '确认缴费 page');
      r = await br.post(`/pay/orders/${orderNo}/submit`, { channel: 'nontax' });
      // 支付渠道暂时无法受理，请稍后再试: the channel's answer did not come in time. The student
      // presses 确定缴费 again a little later; the platform resumes the same attempt at the channel.
      if (r.status !== 409 || !r.text.includes('请稍后再试') || tries >= MAX_CHANNEL_TRIES) break;
      busyWaits.set('确定缴费 请稍后再试', (busyWaits.get('确定缴费 请稍后再试') ?? 0) + 1);
      await new Promise((res) => setTimeout(res, CHANNEL_RETRY_MS));
    }
    expect(r.status === 303, `确定缴费 ${r.status}`, r.text);
    return String(r.headers.location);
  });
  const back = await step('pay at channel', () => payAtCashier(cashier));
  await step('result page', async () => {
    const r = await br.get(new URL(back).pathname + new URL(back).search);
    expect(r.status === 200, `result ${r.status}`, r.text);
  });
  return orderNo;
}

/** /healthz checks each instance answers at once (HEALTH_IN_FLIGHT's default, as the deployment leaves it). */
const HEALTH_GATE = overloadEnv.HEALTH_IN_FLIGHT.parse(undefined);

/** GET /healthz through the same nginx at the same concurrency: the floor of any request here. */
async function reference(d: Deployment, agent: https.Agent, count: number, concurrency: number) {
  const br = new PatientBrowser({ base: d.nginx.url, ca: d.nginx.cert, agent });
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      next++;
      const t = performance.now();
      await br.get('/healthz');
      lat.push(performance.now() - t);
    }
  }));
  return { rps: count / ((performance.now() - t0) / 1000), p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function runOnce(o: Options, k: number): Promise<boolean> {
  const { db, url, drop } = await benchDatabase(`regday${k}`, 4);
  let d: Deployment | undefined;
  const agent = new https.Agent({ keepAlive: true, maxSockets: o.concurrency });
  try {
    await migrateLatest(db.knex);
    await seedDemo(db.knex); // colleges, periods and fee items
    const knex = db.knex;
    const students = await populate(knex, o.students);
    const numbers = students.map((x) => x.number);
    d = await startDeployment({
      databaseUrl: url, count: k, nginxWorkers: k, upTimeoutMs: 300_000,
      env: { NODE_ENV: 'production', SESSION_SECRET: SECRET, BANK_CARD_KEY: 'ab'.repeat(32), LOG_LEVEL: 'warn', COOKIE_SECURE: '1' },
    });
    // No more probes at once than the instances' health gates admit (HEALTH_IN_FLIGHT each): 50 at
    // once against gates of 4 measured the gate's 503s and their 5 s Retry-After (p99 5-10 s), not
    // the floor of a request.
    const floor = await reference(d, agent, Math.max(200, o.students), Math.min(o.concurrency, HEALTH_GATE * k));
    const n = 40;
    const hash = await bcrypt.hash(PW, 10);
    let t = performance.now();
    await Promise.all(Array.from({ length: n }, () => bcrypt.compare(PW, hash)));
    const bcryptPerSec = n / ((performance.now() - t) / 1000);

    const times = new Map(STEPS.map((s) => [s, { ms: [] as number[], first: Infinity, last: 0 }]));
    const failures: string[] = [];
    const orderNos: string[] = [];
    let next = 0;
    busyWaits.clear();
    t = performance.now();
    await Promise.all(Array.from({ length: Math.min(o.concurrency, students.length) }, async () => {
      while (next < students.length) {
        const student = students[next++]!;
        try {
          orderNos.push(await walk(d!, agent, student, times));
        } catch (e) {
          failures.push(e instanceof Error ? e.message : String(e));
        }
      }
    }));
    const walked = performance.now() - t;
    const settle = async (what: string, cond: () => Promise<boolean>, ms2: number) => {
      try {
        await waitUntil(cond, ms2, () => what);
        return true;
      } catch {
        failures.push(`timed out waiting: ${what}`);
        return false;
      }
    };
    const paidCount = async () => Number((await knex('orders').whereIn('order_no', orderNos).where({ status: 'paid' }).count<{ n: string }[]>('* as n'))[0]!.n);
    await settle('every order credited', async () => (await paidCount()) === orderNos.length, 120_000);
    const credited = performance.now() - t;
    const receipts = () => knex('receipts as r').join('orders as o', 'o.id', 'r.order_id').whereIn('o.order_no', orderNos);
    await settle('every e-bill 已生成', async () => Number((await receipts().clone().whereNot('r.ebill_status', '已生成').count<{ n: string }[]>('* as n'))[0]!.n) === 0, 240_000);
    const sms = () => knex('sms_outbox as s').join('people as p', 'p.id', 's.person_id').whereIn('p.number', numbers);
    await settle('every SMS sent', async () => Number((await sms().clone().whereNot('s.status', 'sent').count<{ n: string }[]>('* as n'))[0]!.n) === 0, 120_000);
    const total = performance.now() - t;

    // Credited: when the receipt was written, in the credit's own transaction. orders.paid_at is the
    // channel's word (its message's payment time, to the second), which put the credit before the
    // attempt by up to a second (p50 -111 ms).
    const creditLag = (await receipts().clone().join('payment_attempts as a', 'a.order_id', 'o.id').where('o.status', 'paid')
      .select(knex.raw('extract(epoch from (r.created_at - max(a.created_at))) * 1000 as ms')).groupBy('r.id', 'r.created_at').catch(() => [])) as { ms: string }[];
    const ebillLag = (await receipts().clone().join('ebills as e', 'e.receipt_id', 'r.id')
      .select(knex.raw('extract(epoch from (e.created_at - r.created_at)) * 1000 as ms'))) as { ms: string }[];
    const smsLag = (await sms().clone().where('s.status', 'sent').select(knex.raw('extract(epoch from (s.sent_at - s.created_at)) * 1000 as ms'), 's.purpose')) as { ms: string; purpose: string }[];

    // The books: the ledger check of the console, and each student's payment credited exactly once.
    const differences = await checkLedger(ledgerCheckRepo(knex));
    const perStudent = (await knex.raw(`
      SELECT p.number, count(DISTINCT o.id) FILTER (WHERE o.status = 'paid') AS paid_orders,
             count(l.id) FILTER (WHERE l.kind = 'payment') AS credits, coalesce(sum(l.amount) FILTER (WHERE l.kind = 'payment'), 0) AS credited
      FROM people p JOIN bills b ON b.person_id = p.id
      LEFT JOIN bill_ledger l ON l.bill_id = b.id AND l.kind = 'payment'
      LEFT JOIN orders o ON o.id = l.order_id
      WHERE p.number = ANY(?) GROUP BY p.number`, [numbers])).rows as { number: string; paid_orders: string; credits: string; credited: string }[];
    const once = perStudent.filter((r) => Number(r.paid_orders) === 1 && Number(r.credits) === 1 && r.credited === '5000.00').length;
    const [rc] = await receipts().clone().count<{ n: string }[]>('* as n');

    console.log(`\nregistration-day: ${o.students} students, ${k} instance${k > 1 ? 's' : ''} behind nginx (TLS, least_conn), ${o.concurrency} at once, ${availableParallelism()} cores shared by nginx, the instances, the sandbox, PostgreSQL and the students`);
    console.log(`reference: GET /healthz via nginx  ${floor.rps.toFixed(0)} req/s  p50 ${ms(floor.p50)}  p99 ${ms(floor.p99)};  bcrypt.compare (cost 10) ${bcryptPerSec.toFixed(0)}/s`);
    console.log(`walks done ${ms(walked)}  all credited ${ms(credited)}  all e-bills and SMS ${ms(total)}  (${(orderNos.length / (walked / 1000)).toFixed(1)} students/s)`);
    for (const s of STEPS) {
      const x = times.get(s)!;
      const span = (x.last - x.first) / 1000;
      console.log(`  ${pad(s, 16)} ${String(x.ms.length).padStart(6)}  ${(x.ms.length / (span || 1)).toFixed(1).padStart(7)}/s  p50 ${ms(pct(x.ms, 50)).padStart(8)}  p99 ${ms(pct(x.ms, 99)).padStart(8)}`);
    }
    const waited = [...busyWaits].map(([k2, v]) => `${k2} ×${v}`).join(', ');
    console.log(`  busy answers waited out and retried (503 + Retry-After; 确定缴费 told 请稍后再试): ${waited || 'none'}`);
    const lag = (rows: { ms: string }[]) => rows.map((r) => Number(r.ms));
    console.log(`  credit lag (sent to channel → credited)  p50 ${ms(pct(lag(creditLag), 50))}  p99 ${ms(pct(lag(creditLag), 99))}`);
    console.log(`  e-bill lag (credit → 已生成)          p50 ${ms(pct(lag(ebillLag), 50))}  p99 ${ms(pct(lag(ebillLag), 99))}  (${ebillLag.length} e-bills)`);
    console.log(`  SMS (queued → sent)                  p50 ${ms(pct(lag(smsLag), 50))}  p99 ${ms(pct(lag(smsLag), 99))}  (${smsLag.filter((r) => r.purpose === 'notice').length} notices, ${smsLag.filter((r) => r.purpose !== 'notice').length} e-bill notices)`);
    const pass = failures.length === 0 && differences.length === 0 && once === o.students && Number(rc!.n) === o.students;
    console.log(`ledger check: ${differences.length} differences; ${once}/${o.students} students credited exactly once, ${rc!.n} receipts -> ${pass ? 'PASS' : 'FAIL'}`);
    for (const f of failures.slice(0, 10)) console.log(`  failure: ${f}`);
    if (failures.length > 10) console.log(`  … ${failures.length - 10} more failures`);
    for (const x of differences.slice(0, 10)) console.log(`  difference: ${JSON.stringify(x)}`);
    return pass;
  } finally {
    agent.destroy();
    await d?.stop();
    await drop();
  }
}

export async function benchRegistrationDay(args: string[] = []): Promise<void> {
  const o = options(args);
  let ok = true;
  for (const k of o.instances) ok = (await runOnce(o, k)) && ok;
  if (!ok) process.exitCode = 1;
}
