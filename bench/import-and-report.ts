// Import 30,000 students and 120,000 bills through the console's import service (as the upload
// page and the CLI do), then the arrears report by college and by class over them. References
// measured in the same run: a bare bulk insert of the same 120,000 rows (the floor any import
// pays) and a bare `SELECT count(*), sum(due) FROM bills` (the floor any report pays).
import { benchDatabase } from './bench-db';
import { migrateLatest } from '../src/db/migrate';
import { idCheckChar } from '../src/domain/id-number';
import { auditRepo } from '../src/modules/audit/repo';
import { importsService } from '../src/modules/console/imports/service';
import { dashboardRepo } from '../src/modules/console/reports/dashboard-repo';
import { reportsRepo } from '../src/modules/console/reports/repo';
import { reportsService } from '../src/modules/console/reports/service';
import { reportQuery } from '../src/modules/console/reports/schemas';
import { seedDemo } from '../seeds/demo';

const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 30_000);
const COLLEGES = ['计算机学院', '机电工程学院', '材料科学与工程学院', '经济管理学院', '土木工程学院', '理学院'];
const BILLS: [string, string][] = [['学费', '5000.00'], ['住宿费', '1100.00'], ['医疗保险', '250.00'], ['体检费', '45.00']];

const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
const fmt = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);

function studentsCsv(): string {
  const lines = ['学号,姓名,性别,身份证号,学院,班级,手机'];
  for (let i = 0; i < STUDENTS; i++) {
    const first17 = `620102${1998 + (i % 6)}${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}${String(i % 1000).padStart(3, '0')}`;
    lines.push(`26B${String(i).padStart(7, '0')},学生${i},${i % 2 ? '女' : '男'},${first17}${idCheckChar(first17)},${COLLEGES[i % COLLEGES.length]},2026级${(Math.floor(i / COLLEGES.length) % 40) + 1}班,139${String(i).padStart(8, '0')}`);
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function billsCsv(): string {
  const lines = ['学号,收费期间,收费项目,应收金额'];
  for (let i = 0; i < STUDENTS; i++) for (const [item, due] of BILLS) lines.push(`26B${String(i).padStart(7, '0')},2020年度,${item},${due}`);
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function benchImportAndReport(): Promise<void> {
  const { db, drop } = await benchDatabase('import', 4);
  try {
    await migrateLatest(db.knex);
    await seedDemo(db.knex); // colleges, periods and fee items (and 330 demo students)
    const k = db.knex;
    const imports = importsService({ db: k, audit: auditRepo(k) });

    const people = Buffer.from(studentsCsv(), 'utf8');
    const bills = Buffer.from(billsCsv(), 'utf8');
    console.log(`import-and-report: ${STUDENTS} students (${(people.length / 1e6).toFixed(1)} MB), ${STUDENTS * BILLS.length} bills (${(bills.length / 1e6).toFixed(1)} MB)`);

    let t = process.hrtime.bigint();
    const p1 = await imports.importPeople({ bytes: people, fileName: 'students.csv', actorAccountId: null });
    const tPeople = ms(t);
    t = process.hrtime.bigint();
    const b1 = await imports.importBills({ bytes: bills, fileName: 'bills.csv', actorAccountId: null });
    const tBills = ms(t);
    if (p1.status !== 'imported' || b1.status !== 'imported') throw new Error(`import rejected: ${JSON.stringify(p1.status === 'rejected' ? p1.errors.slice(0, 3) : b1.status === 'rejected' ? b1.errors.slice(0, 3) : '')}`);
    t = process.hrtime.bigint();
    const b2 = await imports.importBills({ bytes: bills, fileName: 'bills.csv', actorAccountId: null });
    const tBillsAgain = ms(t);

    // Reference: the same 120,000 rows inserted bare into a table of the same shape.
    await k.raw('CREATE TEMP TABLE ref_bills (person_id int, period_id int, fee_item_id int, due numeric(14,2))');
    const ids = await k('bills').select('person_id', 'period_id', 'fee_item_id', 'due');
    t = process.hrtime.bigint();
    await k.transaction(async (trx) => {
      for (let i = 0; i < ids.length; i += 5000) {
        const c = ids.slice(i, i + 5000);
        await trx.raw('INSERT INTO ref_bills SELECT * FROM unnest(?::int[], ?::int[], ?::int[], ?::numeric[])',
          [`{${c.map((r) => r.person_id).join(',')}}`, `{${c.map((r) => r.period_id).join(',')}}`, `{${c.map((r) => r.fee_item_id).join(',')}}`, `{${c.map((r) => r.due).join(',')}}`]);
      }
    });
    const tRefInsert = ms(t);
    await k.raw('ANALYZE');

    const reports = reportsService({ repo: reportsRepo(k), dashboard: dashboardRepo(k) });
    const best = async (fn: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const s = process.hrtime.bigint();
        await fn();
        times.push(ms(s));
      }
      return Math.min(...times);
    };
    const finance = { collegeId: null };
    const byCollege = await best(() => reports.report(finance, reportQuery.parse({ by: 'college' })));
    const byClass = await best(() => reports.report(finance, reportQuery.parse({ by: 'class', sort: 'arrears', dir: 'desc' })));
    const csvByClass = await best(() => reports.csv(finance, reportQuery.parse({ by: 'class' })));
    const refCount = await best(() => k.raw('SELECT count(*), sum(due) FROM bills'));
    const n = ((await k('bills').count({ n: '*' })) as { n: string }[])[0]?.n;

    console.log(`  import people        ${fmt(tPeople)}   (${JSON.stringify(p1.summary)})`);
    console.log(`  import bills         ${fmt(tBills)}   (${JSON.stringify(b1.summary)})`);
    console.log(`  re-import bills      ${fmt(tBillsAgain)}   (${JSON.stringify(b2.status === 'imported' ? b2.summary : b2.status)})`);
    console.log(`  import total         ${fmt(tPeople + tBills)}   target < 30 s`);
    console.log(`  reference: bare bulk insert of the same ${ids.length} bill rows  ${fmt(tRefInsert)}`);
    console.log(`  report by college    ${fmt(byCollege)}   (${n} bills; target < 1 s)`);
    console.log(`  report by class      ${fmt(byClass)}   (sorted by arrears)`);
    console.log(`  CSV export by class  ${fmt(csvByClass)}`);
    console.log(`  reference: SELECT count(*), sum(due) FROM bills  ${fmt(refCount)}`);
  } finally {
    await drop();
  }
}
