// CSV import: every row checked, all or nothing, a downloadable error report,
// idempotent re-import, changed amounts as adjustments, the upload page and the CLI.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { auditRepo } from '../../src/modules/audit/repo';
import { importsService } from '../../src/modules/console/imports/service';
import { TEST_SECRET, testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { followImport } from '../helpers/import-jobs';
import { testDatabase } from '../helpers/test-db';
import { idNumber } from '../factories';

const db = await testDatabase({ demo: true });
const k = db.knex;
const svc = importsService({ db: k, audit: auditRepo(k) });
const app = testApp(db);
const utf8 = (s: string) => Buffer.from(`\uFEFF${s}`, 'utf8');
const PEOPLE_HEADER = '学号,姓名,性别,身份证号,学院,班级,手机\r\n';

function peopleCsv(prefix: string, n: number) {
  let s = PEOPLE_HEADER;
  for (let i = 0; i < n; i++) s += `${prefix}${String(i).padStart(4, '0')},新生${i},${i % 2 ? '女' : '男'},${idNumber(i + 17)},计算机学院,2026级${(i % 3) + 1}班,1390000${String(i).padStart(4, '0')}\r\n`;
  return s;
}

describe('people import', () => {
  it('imports students with the initial password, then a re-import changes nothing', async () => {
    const csv = utf8(peopleCsv('26JSJ', 50));
    const first = await svc.importPeople({ bytes: csv, fileName: 'freshmen.csv', actorAccountId: null });
    expect(first).toMatchObject({ status: 'imported', rows: 50, summary: { inserted: 50, updated: 0, unchanged: 0 } });
    const p = await k('people as p').join('accounts as a', 'a.person_id', 'p.id').join('classes as c', 'c.id', 'p.class_id').where('p.number', '26JSJ0001').first('p.*', 'a.password_hash', 'a.role', 'c.name as klass');
    expect([p.name, p.gender, p.klass, p.role, p.password_hash]).toEqual(['新生1', '女', '2026级2班', 'student', null]);
    const before = await k('people').where('number', 'like', '26JSJ%').max({ u: 'updated_at' });
    const again = await svc.importPeople({ bytes: csv, fileName: 'freshmen.csv', actorAccountId: null });
    expect(again).toMatchObject({ status: 'imported', summary: { inserted: 0, updated: 0, unchanged: 50 } });
    expect(await k('people').where('number', 'like', '26JSJ%').max({ u: 'updated_at' })).toEqual(before);
    expect(Number((await k('accounts as a').join('people as p', 'p.id', 'a.person_id').where('p.number', 'like', '26JSJ%').count({ n: '*' }))[0]!.n)).toBe(50);
    // A changed row updates that person only.
    const changed = utf8(peopleCsv('26JSJ', 50).replace('新生7,', '新生七,'));
    expect(await svc.importPeople({ bytes: changed, fileName: 'freshmen.csv', actorAccountId: null })).toMatchObject({ summary: { inserted: 0, updated: 1, unchanged: 49 } });
  });

  it('imports nothing from a file with bad rows and names each row and why', async () => {
    const csv = PEOPLE_HEADER
      + `26BAD0001,好人,男,${idNumber(3)},计算机学院,1班,13900000001\r\n`
      + `26BAD0002,,男,${idNumber(4)},计算机学院,1班,\r\n`
      + `26BAD0003,坏人,M,123456,火星学院,1班,12345\r\n`
      + `26BAD0001,重复,女,${idNumber(5)},计算机学院,1班,\r\n`
      + `${DEMO.finance.number},冒名,男,${idNumber(6)},计算机学院,1班,\r\n`;
    const out = await svc.importPeople({ bytes: utf8(csv), fileName: 'bad.csv', actorAccountId: null });
    expect(out.status).toBe('rejected');
    if (out.status !== 'rejected') return;
    expect(out.errors.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    expect(out.errors[0]!.reasons).toEqual(['姓名为空']);
    expect(out.errors[1]!.reasons).toEqual(['性别须为“男”或“女”', '身份证号格式或校验位错误', '学院“火星学院”不存在', '手机号须为11位数字']);
    expect(out.errors[2]!.reasons).toEqual(['学号与第2行重复']);
    expect(out.errors[3]!.reasons).toEqual(['该学号已被教职工或校外人员使用']);
    expect(await k('people').where('number', 'like', '26BAD%').count({ n: '*' })).toEqual([{ n: '0' }]);
    const run = await k('import_runs').where({ id: out.runId }).first();
    expect(run.error_report.startsWith('\uFEFF"行号","学号","错误原因"\r\n"3","26BAD0002","姓名为空"\r\n')).toBe(true);
  });

  it('reports a missing column and reads a GBK file saved by Excel', async () => {
    const out = await svc.importPeople({ bytes: utf8('学号,姓名\r\n1,2\r\n'), fileName: 'x.csv', actorAccountId: null });
    expect(out.status === 'rejected' && out.errors[0]!.reasons[0]).toContain('缺少列：性别、身份证号、学院、班级、手机');
    // "学号" in GBK, as Excel on a Chinese Windows saves it.
    const { decodeCsvBytes } = await import('../../src/domain/csv');
    expect(decodeCsvBytes(Buffer.from([0xd1, 0xa7, 0xba, 0xc5]))).toBe('学号');
  });
});

describe('bill import', () => {
  const header = '学号,收费期间,收费项目,应收金额\r\n';

  it('creates bills with charge entries, re-imports without change, and turns a changed amount into an adjustment', async () => {
    await svc.importPeople({ bytes: utf8(peopleCsv('27JSJ', 10)), fileName: 'p.csv', actorAccountId: null });
    let csv = header;
    for (let i = 0; i < 10; i++) csv += `27JSJ${String(i).padStart(4, '0')},2020年度,学费,"5,000.00"\r\n27JSJ${String(i).padStart(4, '0')},2020年度,住宿费,1100\r\n`;
    const first = await svc.importBills({ bytes: utf8(csv), fileName: 'bills.csv', actorAccountId: null });
    expect(first).toMatchObject({ status: 'imported', rows: 20, summary: { created: 20, adjusted: 0, unchanged: 0 } });
    const again = await svc.importBills({ bytes: utf8(csv), fileName: 'bills.csv', actorAccountId: null });
    expect(again).toMatchObject({ status: 'imported', summary: { created: 0, adjusted: 0, unchanged: 20 } });
    const changed = csv.replace('27JSJ0003,2020年度,学费,"5,000.00"', '27JSJ0003,2020年度,学费,4800.50');
    expect(await svc.importBills({ bytes: utf8(changed), fileName: 'bills.csv', actorAccountId: null })).toMatchObject({ summary: { created: 0, adjusted: 1, unchanged: 19 } });
    const bill = await k('bills as b').join('people as p', 'p.id', 'b.person_id').join('fee_items as i', 'i.id', 'b.fee_item_id').where({ 'p.number': '27JSJ0003', 'i.name': '学费' }).first('b.id', 'b.due');
    expect(bill.due).toBe('4800.50');
    expect(await k('bill_ledger').where({ bill_id: bill.id }).orderBy('id').select('kind', 'amount')).toEqual([{ kind: 'charge', amount: '5000.00' }, { kind: 'adjustment', amount: '-199.50' }]);
    expect(await k('bills as b').join('people as p', 'p.id', 'b.person_id').where('p.number', 'like', '27JSJ%').count({ n: '*' })).toEqual([{ n: '20' }]);
  });

  it('rejects unknown students, periods, items, bad amounts and duplicate rows, writing nothing', async () => {
    const csv = header
      + `${DEMO.student.number},2020年度,体检费,45\r\n`
      + 'NOBODY,2030年度,飞行费,-5\r\n'
      + `${DEMO.student.number},2020年度,体检费,45.00\r\n`
      + `${DEMO.student.number},2020年度,医疗保险,1.234\r\n`;
    const before = await k('bills').count({ n: '*' });
    const out = await svc.importBills({ bytes: utf8(csv), fileName: 'bad-bills.csv', actorAccountId: null });
    expect(out.status).toBe('rejected');
    if (out.status !== 'rejected') return;
    expect(out.errors.map((e) => [e.line, e.reasons])).toEqual([
      [3, ['学号“NOBODY”不存在', '收费期间“2030年度”不存在', '收费项目“飞行费”不存在', '应收金额须为不超过两位小数的非负金额']],
      [4, ['与第2行重复（同一学号、收费期间、收费项目）']],
      [5, ['应收金额须为不超过两位小数的非负金额']],
    ]);
    expect(await k('bills').count({ n: '*' })).toEqual(before);
  });

  it('refuses an amount below a reduction already granted, naming the row', async () => {
    const zs = await k('bills as b').join('people as p', 'p.id', 'b.person_id').join('fee_items as i', 'i.id', 'b.fee_item_id').where({ 'p.number': DEMO.student.number, 'i.name': '学费' }).first('b.id');
    await k.transaction(async (trx) => {
      const { postLedgerEntry } = await import('../../src/modules/billing/repo');
      const { Decimal } = await import('../../src/domain/money');
      await postLedgerEntry(trx, { billId: zs.id, kind: 'reduction', amount: new Decimal('3000'), reason: '绿色通道' });
    });
    const out = await svc.importBills({ bytes: utf8(`${header}${DEMO.student.number},2019年度,学费,2000\r\n`), fileName: 'low.csv', actorAccountId: null });
    expect(out.status === 'rejected' && out.errors[0]).toEqual({ line: 2, number: DEMO.student.number, reasons: ['应收金额 2000.00 低于该账单已减免的 3000.00 元'] });
    expect((await k('bills').where({ id: zs.id }).first()).due).toBe('8000.00');
  });
});

describe('import page and CLI', () => {
  it('uploads through the console with CSRF, shows the errors and serves the report for download', async () => {
    const c = new Client(app);
    await c.login(DEMO.finance.number, DEMO.finance.password);
    const page = await c.get('/console/imports');
    const token = page.text.match(/name="_csrf" value="([^"]+)"/)![1]!;
    // The upload becomes a job; its page shows the outcome once the worker and the writes are done.
    const bad = await followImport(c, await c.agent.post('/console/imports/people').set('Accept', 'text/html').field('_csrf', token)
      .attach('file', utf8(`${PEOPLE_HEADER}X1,,男,1,计算机学院,1班,\r\n`), '新生.csv'));
    expect(bad.status).toBe(200);
    expect(text(bad.text)).toContain('本次没有导入任何数据');
    const link = bad.text.match(/href="(\/console\/imports\/\d+\/errors\.csv)"/)![1]!;
    const report = await c.agent.get(link);
    expect(report.headers['content-type']).toContain('text/csv');
    expect(report.text).toContain('"2","X1","姓名为空；身份证号格式或校验位错误"');
    const ok = await followImport(c, await c.agent.post('/console/imports/people').set('Accept', 'text/html').field('_csrf', token)
      .attach('file', utf8(peopleCsv('28JSJ', 3)), 'ok.csv'));
    expect(ok.status).toBe(200);
    expect(text(ok.text)).toContain('人员导入成功：共 3 行，新增 3');
    const noCsrf = await c.agent.post('/console/imports/people').set('Accept', 'text/html').attach('file', utf8(peopleCsv('29JSJ', 1)), 'x.csv');
    expect(noCsrf.status).toBe(403);
    const empty = await c.agent.post('/console/imports/bills').set('Accept', 'text/html').field('_csrf', token);
    expect(text(empty.text)).toContain('请选择要导入的CSV文件');
  });

  it('runs the same import from the command line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-'));
    const file = path.join(dir, 'people.csv');
    writeFileSync(file, utf8(peopleCsv('30CLI', 5)));
    const env = { ...process.env, DATABASE_URL: db.url, SESSION_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', SANDBOX: '0' };
    const run = promisify(execFile);
    const { stdout } = await run('npx', ['tsx', 'src/cli/index.ts', 'import-people', file], { env });
    expect(stdout).toContain('导入成功：5 行');
    const again = await run('npx', ['tsx', 'src/cli/index.ts', 'import-people', file], { env });
    expect(again.stdout).toContain('"unchanged":5');
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, utf8('学号,收费期间,收费项目,应收金额\r\nNOBODY,2019年度,学费,1\r\n'));
    const err = await run('npx', ['tsx', 'src/cli/index.ts', 'import-bills', bad], { env }).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('学号“NOBODY”不存在');
  }, 60_000);
});
