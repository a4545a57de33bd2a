// Heavy work off the main thread (docs/heavy-work.md): an import is parsed in a worker thread and followed as a job. The worker loads
// TypeScript under vitest (as under tsx), a bad file ends the job with the same errors as before
// and nothing written, progress is visible from another instance while the job runs, a worker that
// dies ends the job with a clear message, and /healthz keeps answering while a 20 MB file parses.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { auditRepo } from '../../src/modules/audit/repo';
import { importJobs, MESSAGES } from '../../src/modules/console/imports/jobs';
import { importJobsRepo } from '../../src/modules/console/imports/jobs-repo';
import { importsService } from '../../src/modules/console/imports/service';
import { testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { followImport } from '../helpers/import-jobs';
import { testDatabase } from '../helpers/test-db';
import { idNumber } from '../factories';

const db = await testDatabase({ demo: true });
const k = db.knex;
const app = testApp(db);
const imports = importsService({ db: k, audit: auditRepo(k) });
const dir = mkdtempSync(path.join(tmpdir(), 'import-worker-'));
const HEADER = '学号,姓名,性别,身份证号,学院,班级,手机\r\n';

function peopleCsv(prefix: string, n: number): Buffer {
  const rows: string[] = [];
  for (let i = 0; i < n; i++) rows.push(`${prefix}${String(i).padStart(6, '0')},新生${i},${i % 2 ? '女' : '男'},${idNumber(i + 17)},计算机学院,2026级${(i % 3) + 1}班,1390000${String(i % 10000).padStart(4, '0')}`);
  return Buffer.from(`\uFEFF${HEADER}${rows.join('\r\n')}\r\n`, 'utf8');
}

/** A file on disk, as an upload is for a job. */
function upload(name: string, bytes: Buffer): string {
  const file = path.join(dir, `${Date.now()}-${Math.random().toString(36).slice(2)}-${name}`);
  writeFileSync(file, bytes);
  return file;
}

async function financeClient() {
  const c = new Client(app);
  await c.login(DEMO.finance.number, DEMO.finance.password);
  const page = await c.get('/console/imports');
  return { c, token: page.text.match(/name="_csrf" value="([^"]+)"/)![1]! };
}

const countLike = async (prefix: string) => Number((await k('people').where('number', 'like', `${prefix}%`).count({ n: '*' }))[0]!.n);

describe('an import job, parsed in a worker', () => {
  it('imports a valid file uploaded on the page, and the job ends done', async () => {
    const { c, token } = await financeClient();
    const done = await followImport(c, await c.agent.post('/console/imports/people').field('_csrf', token).attach('file', peopleCsv('31W', 40), 'ok.csv'));
    expect(text(done.text)).toContain('人员导入成功：共 40 行，新增 40');
    expect(await countLike('31W')).toBe(40);
    const job = await k('import_jobs').orderBy('id', 'desc').first();
    expect([job.state, job.rows_done, job.file_name]).toEqual(['done', 40, 'ok.csv']);
  });

  it('reads a GBK file, as Excel on a Chinese Windows saves it, in the worker', async () => {
    const gbk = iconv.encode(peopleCsv('36W', 5).toString('utf8').replace(/^\uFEFF/, ''), 'gbk');
    const out = await imports.importPeople({ path: upload('gbk.csv', gbk), fileName: 'gbk.csv', actorAccountId: null });
    expect(out).toMatchObject({ status: 'imported', rows: 5 });
    expect(await k('people').where({ number: '36W000001' }).first('name')).toEqual({ name: '新生1' });
  });

  it('ends a job on a bad file with the same errors as before and writes nothing', async () => {
    const { c, token } = await financeClient();
    const csv = `${HEADER}32W000001,,男,${idNumber(4)},计算机学院,1班,\r\n32W000002,坏人,M,123456,火星学院,1班,12345\r\n`;
    const page = await followImport(c, await c.agent.post('/console/imports/people').field('_csrf', token).attach('file', Buffer.from(csv), 'bad.csv'));
    expect(text(page.text)).toContain('文件有 2 行错误，本次没有导入任何数据');
    expect(text(page.text)).toContain('性别须为“男”或“女”；身份证号格式或校验位错误；学院“火星学院”不存在；手机号须为11位数字');
    expect(await countLike('32W')).toBe(0);
    // Not a CSV at all (a quote never closed): the file's error, as before, and again nothing.
    const broken = await followImport(c, await c.agent.post('/console/imports/people').field('_csrf', token).attach('file', Buffer.from(`${HEADER}"32W9,x\r\n`), 'broken.csv'));
    expect(text(broken.text)).toContain('文件不是有效的CSV');
    expect(await countLike('32W')).toBe(0);
  });

  it('shows 导入进度 and the rows read on the page of another instance while the job runs', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const atWrite = new Promise<void>((r) => (reached = r));
    // This runner stands for another instance: the page below reads the job from PostgreSQL only.
    const jobs = importJobs({ repo: importJobsRepo(k), imports, hooks: { beforeWrite: () => (reached(), held) } });
    const id = await jobs.start('people', { path: upload('p.csv', peopleCsv('33W', 3000)), fileName: 'progress.csv', actorAccountId: null, ip: '' });
    await atWrite;
    const { c } = await financeClient();
    const running = await c.get(`/console/imports/jobs/${id}`);
    expect(running.status).toBe(200);
    expect(text(running.text)).toContain('导入进度');
    expect(text(running.text)).toContain('正在写入数据库，已处理 3000 行');
    expect(running.text).toMatch(/<meta http-equiv="refresh" content="\d+">/);
    expect(text((await c.get('/console/imports')).text)).toContain('正在进行的导入');
    expect(await countLike('33W')).toBe(0);
    release();
    await jobs.settled(id);
    const done = await c.get(`/console/imports/jobs/${id}`);
    expect(text(done.text)).toContain('人员导入成功：共 3000 行，新增 3000');
    expect(done.text).not.toContain('http-equiv="refresh"');
  });

  it('ends the job with a clear message when its worker dies, and writes nothing', async () => {
    const jobs = importJobs({ repo: importJobsRepo(k), imports, hooks: { onWorker: (w) => void w.once('message', () => void w.terminate()) } });
    const id = await jobs.start('people', { path: upload('p.csv', peopleCsv('34W', 5000)), fileName: 'crash.csv', actorAccountId: null, ip: '' });
    await jobs.settled(id);
    expect(await k('import_jobs').where({ id }).first('state', 'message')).toEqual({ state: 'failed', message: MESSAGES.crashed });
    expect(await countLike('34W')).toBe(0);
    const { c } = await financeClient();
    const page = await c.get(`/console/imports/jobs/${id}`);
    expect(page.status).toBe(200);
    expect(text(page.text)).toContain(MESSAGES.crashed);
  });

  it('ends a job whose instance stopped (no heartbeat for a minute) instead of showing it running for ever', async () => {
    const [row] = await k('import_jobs').insert({ kind: 'bills', file_name: 'lost.csv', state: 'parsing', rows_done: 10, updated_at: k.raw(`now() - interval '5 minutes'`) }).returning('id');
    const { c } = await financeClient();
    const page = await c.get(`/console/imports/jobs/${row.id}`);
    expect(text(page.text)).toContain(MESSAGES.stale);
    expect(page.text).not.toContain('http-equiv="refresh"');
  });

  it('answers /healthz while a 20 MB upload is parsed', async () => {
    const big = peopleCsv('35W', 199_999);
    // The first row again at the end: the file is refused after every row is checked, so the
    // test measures parsing, not 200,000 inserts.
    const bytes = Buffer.concat([big, Buffer.from(`35W000000,重复,男,${idNumber(17)},计算机学院,1班,\r\n`)]);
    expect(bytes.length).toBeGreaterThan(15e6);
    const { c, token } = await financeClient();
    const res = await c.agent.post('/console/imports/people').field('_csrf', token).attach('file', bytes, 'big.csv');
    expect(res.status).toBe(303);
    const id = Number(res.headers.location!.split('/').pop());
    let answeredWhileParsing = 0;
    for (let i = 0; i < 2000; i++) {
      const before = await k('import_jobs').where({ id }).first('state');
      if (before.state !== 'parsing') break;
      const health = await c.agent.get('/healthz');
      expect(health.status).toBe(200);
      if ((await k('import_jobs').where({ id }).first('state')).state === 'parsing') answeredWhileParsing++;
      await sleep(20);
    }
    expect(answeredWhileParsing).toBeGreaterThan(0);
    const page = await followImport(c, res);
    expect(text(page.text)).toContain('学号与第2行重复');
    expect(await countLike('35W')).toBe(0);
  }, 120_000);
});
