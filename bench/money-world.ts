// The world of the money-path bench (./money-path.ts): a database of its own, the sandbox channels
// and e-bill platform on a real port, the platform as server.ts runs it (one set of services for
// the app and the periodic jobs, the scheduler polling), and N imported students each with a 财政
// bill (学费) and a 代收 bill (医疗保险) of 2020年度, signed in over HTTP.
//
// PUBLIC_URL points at a capture server, not at the app: the channels' notifications (the notify
// URL the platform gives every channel is PUBLIC_URL/pay/notify/<channel>) land there, exactly as
// the sandbox signed them. The capture checks each with the channel's own adapter and answers the
// channel's acknowledgement, so the sandbox stops resending; the bench then posts the captured
// bytes to the app's real notify endpoint at the concurrency it chooses.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcrypt';
import { benchDatabase } from './bench-db';
import { Browser, pool } from './money-http';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { migrateLatest } from '../src/db/migrate';
import { idCheckChar } from '../src/domain/id-number';
import { createGatewayRegistry } from '../src/gateways/registry';
import { platformJobs } from '../src/jobs';
import { createScheduler } from '../src/jobs/scheduler';
import { createLogger } from '../src/logger';
import { auditRepo } from '../src/modules/audit/repo';
import { importsService } from '../src/modules/console/imports/service';
import { createSandboxApp } from '../src/sandbox/server';
import { buildServices } from '../src/services';
import { seedDemo } from '../seeds/demo';

export const PASSWORD = 'Bench#2026pw';
export const PERIOD = '2020年度';
export const FISCAL_DUE = '5000.00';
export const COLLECTED_DUE = '250.00';

/** A notification as the channel sent it: what is posted again to the app. */
export interface Captured { channel: string; path: string; headers: Record<string, string>; body: string }

export interface Student { personId: number; number: string; periodId: number; fiscalBill: number; collectedBill: number; browser: Browser }

async function listenRaw(): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const readBody = (req: IncomingMessage) => new Promise<string>((resolve, reject) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  req.on('error', reject);
});

/** Headers a proxy would not pass on as they are (the replay sets its own). */
const HOP = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive']);

function csv(lines: string[]): Buffer {
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

export async function moneyWorld(n: number, concurrency: number) {
  const { db, url, drop } = await benchDatabase('money', 10);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cupp-bench-money-'));
  const platform = await listenRaw();
  const sb = await listenRaw();
  const capture = await listenRaw();
  const config = loadConfig({
    NODE_ENV: 'production', COOKIE_SECURE: '0', DATABASE_URL: url, SESSION_SECRET: 'b'.repeat(40), BANK_CARD_KEY: 'ab'.repeat(32),
    LOG_LEVEL: 'silent', SANDBOX: '0', DATA_DIR: dataDir, PUBLIC_URL: capture.url, SANDBOX_URL: sb.url,
    CHANNELS_COLLECTED: 'icbc,wechat,alipay,unionpay',
    // For a large --n the payments wait longer than 5 (15) minutes before their notifications are
    // posted: neither the active query nor the expiry of bank-page attempts may credit them first
    // (the replay would find duplicates).
    ACTIVE_QUERY_AFTER_MINUTES: '120', UNCLOSABLE_ATTEMPT_TTL_MINUTES: '120',
  });
  const logger = createLogger('silent');
  // The sandbox first: it writes the key files the platform's adapters read.
  const sandbox = createSandboxApp({ config });
  sb.server.on('request', sandbox);

  const captured = new Map<string, Captured>();
  const verifier = createGatewayRegistry(config);
  capture.server.on('request', (req, res) => {
    void readBody(req).then((body) => {
      const channel = /^\/pay\/notify\/([a-z]+)$/.exec(req.url ?? '')?.[1] ?? '';
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !HOP.has(k)) headers[k] = v;
      const adapter = verifier.get(channel);
      const parsed = adapter?.parseNotification({ method: req.method ?? 'POST', path: req.url ?? '', headers: req.headers, rawBody: body });
      if (!parsed || !parsed.verified || parsed.event.kind !== 'paid') {
        res.writeHead(parsed ? parsed.nack.status : 404).end(parsed?.nack.body ?? '');
        return;
      }
      const key = `${channel}:${parsed.event.orderNo ?? parsed.event.channelOrderId}`;
      if (!captured.has(key)) captured.set(key, { channel, path: req.url!, headers, body });
      res.writeHead(parsed.ack.status, { 'content-type': parsed.ack.contentType }).end(parsed.ack.body);
    }).catch(() => res.writeHead(400).end());
  });

  await migrateLatest(db.knex);
  await seedDemo(db.knex);
  // Built once, as server.ts does: the app and the jobs share every service.
  const services = buildServices({ config, db, logger });
  const app = createApp({ config, db, logger, services });
  platform.server.on('request', app);
  const jobs = platformJobs({ config, knex: db.knex, logger, services });
  const scheduler = createScheduler({ db, jobs, logger });
  scheduler.start();

  // The students, through the console's importer (as the upload page does).
  const imports = importsService({ db: db.knex, audit: auditRepo(db.knex) });
  const people = ['学号,姓名,性别,身份证号,学院,班级,手机'];
  const bills = ['学号,收费期间,收费项目,应收金额'];
  const numbers: string[] = [];
  for (let i = 0; i < n; i++) {
    const number = `26M${String(i).padStart(7, '0')}`;
    const first17 = `620102${1998 + (i % 6)}${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}${String(i % 1000).padStart(3, '0')}`;
    people.push(`${number},学生${i},${i % 2 ? '女' : '男'},${first17}${idCheckChar(first17)},计算机学院,2026级${(i % 40) + 1}班,139${String(i).padStart(8, '0')}`);
    bills.push(`${number},${PERIOD},学费,${FISCAL_DUE}`, `${number},${PERIOD},医疗保险,${COLLECTED_DUE}`);
    numbers.push(number);
  }
  const p = await imports.importPeople({ bytes: csv(people), fileName: 'students.csv', actorAccountId: null });
  const b = await imports.importBills({ bytes: csv(bills), fileName: 'bills.csv', actorAccountId: null });
  if (p.status !== 'imported' || b.status !== 'imported') throw new Error('money-path: the students or their bills were refused by the importer');
  // Past the initial password already (signing in is the web bench's subject, not this one's).
  const hash = await bcrypt.hash(PASSWORD, 4);
  const k = db.knex;
  await k('accounts').whereIn('person_id', k('people').select('id').whereIn('number', numbers)).update({ password_hash: hash, must_change_password: false });
  const rows: { personId: number; number: string; periodId: number; item: string; billId: number }[] = await k('bills as b')
    .join('people as p', 'p.id', 'b.person_id').join('fee_items as i', 'i.id', 'b.fee_item_id').join('fee_periods as fp', 'fp.id', 'b.period_id')
    .whereIn('p.number', numbers).where('fp.name', PERIOD)
    .select('p.id as personId', 'p.number', 'b.period_id as periodId', 'i.name as item', 'b.id as billId');
  const byNumber = new Map<string, Omit<Student, 'browser'>>();
  for (const r of rows) {
    const s = byNumber.get(r.number) ?? { personId: r.personId, number: r.number, periodId: r.periodId, fiscalBill: 0, collectedBill: 0 };
    if (r.item === '学费') s.fiscalBill = r.billId;
    else s.collectedBill = r.billId;
    byNumber.set(r.number, s);
  }
  const students: Student[] = numbers.map((num) => ({ ...byNumber.get(num)!, browser: new Browser(platform.url) }));
  await pool(students, concurrency, async (s) => {
    const r = await s.browser.login(s.number, PASSWORD);
    if (r.status !== 303) throw new Error(`login of ${s.number} answered ${r.status}`);
  });

  const close = async () => {
    await scheduler.stop();
    sandbox.stop();
    for (const s of [platform.server, sb.server, capture.server]) s.closeAllConnections();
    await Promise.all([platform.server, sb.server, capture.server].map((s) => new Promise((r) => s.close(r))));
    await services.pdfPool.close();
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { db, config, services, jobs, scheduler, sandbox, appUrl: platform.url, captured, students, close };
}

export type MoneyWorld = Awaited<ReturnType<typeof moneyWorld>>;
