// Nothing the app answers may be kept by a browser or a proxy: after 退出登录, Back must not show
// the previous person's 个人信息 or 当前费用, and a shared campus proxy must never serve one
// student's page to another. Static files keep their own caching.
//
// Every GET route is read from the app's router stack, so a page added later is covered without
// touching this file; a route with a parameter this file cannot fill fails the test rather than
// being skipped. Each is fetched as a student, a department staff member and finance, with real
// ids (so that the handlers that set their own headers, the PDF and the CSV exports, run for real).
import { describe, expect, it } from 'vitest';
import { numberingEbillPlatform } from '../factories-ebills';
import { issuePendingEbills } from '../../src/modules/ebills/issuing';
import { testApp } from '../helpers/app';
import { Client } from '../helpers/client';
import { appRoutes } from '../helpers/routes';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { paidOrder } from '../factories-payments';

const PASSWORD = 'Abc12345!x';
const db = await testDatabase();
const k = db.knex;
const app = testApp(db);

// The people and the things their pages are about.
const { id: college } = await f.college(k);
const student = await f.person(k, { password: PASSWORD, collegeId: college });
const staff = await f.person(k, { password: PASSWORD, role: 'dept_staff', collegeId: college });
const finance = await f.person(k, { password: PASSWORD, role: 'finance_admin' });
const period = await f.period(k);
const item = await f.feeItem(k, { category: '财政' });
const billId = await f.bill(k, { personId: student.personId, periodId: period.id, feeItemId: item.id, due: '800.00' });
const paid = await paidOrder(k, { personId: student.personId, channel: 'nontax', lines: [{ billId, amount: '300.00' }] });
const platform = numberingEbillPlatform();
await issuePendingEbills({ knex: k, client: platform, schoolName: '兰州理工大学', publicUrl: 'https://pay.example.edu.cn' });
const ebill = await k('ebills').where({ receipt_id: paid.receiptId }).first('bill_code', 'bill_no');
const [announcement] = await k('announcements').insert({ title: '缴费通知', body: '请按时缴费', status: 'published', publish_from: new Date(), author_account_id: finance.accountId }).returning('id');
const [importJob] = await k('import_jobs').insert({ kind: 'people', file_name: 'people.csv', state: 'done', actor_account_id: finance.accountId }).returning('id');
const [project] = await k('enrolment_projects').insert({ name: '讲座报名', audience: 'all', opens_at: new Date(Date.now() - 86_400_000), closes_at: new Date(Date.now() + 86_400_000), quota: 10, status: 'open', created_by: finance.accountId }).returning('id');
const [signup] = await k('enrolment_signups').insert({ project_id: project.id, person_id: student.personId, status: 'confirmed', confirmed_at: new Date() }).returning('id');
const [loanBatch] = await k('loan_refund_batches').insert({ refund_count: 0, total: '0.00', file: '\uFEFF姓名,卡号,金额\r\n', actor_account_id: finance.accountId }).returning('id');
const [campaign] = await k('reminder_campaigns').insert({ title: '缴费提醒', body: '请按时缴费', by_sms: true, by_email: false }).returning('id');
const [importRun] = await k('import_runs').insert({ kind: 'people', file_name: 'people.csv', status: 'rejected', row_count: 1, error_count: 1, error_report: '行号,错误\n2,学号重复\n', actor_account_id: finance.accountId }).returning('id');

/** Real values for every parameter; :id means what the path before it names. */
function fill(path: string): string {
  const ids: [RegExp, string][] = [
    [/^\/console\/announcements\/:id/, String(announcement.id)],
    [/^\/console\/fees\/items\/:id/, String(item.id)],
    [/^\/console\/fees\/periods\/:id/, String(period.id)],
    [/^\/console\/imports\/jobs\/:id/, String(importJob.id)],
    [/^\/console\/imports\/:id/, String(importRun.id)],
    [/^\/console\/people\/:id/, String(student.personId)],
    [/^\/console\/enrolment\/:id/, String(project.id)],
    [/^\/console\/reminders\/:id/, String(campaign.id)],
    [/^\/console\/loan-refunds\/batches\/:id/, String(loanBatch.id)],
    [/^\/enrolment\/projects\/:id/, String(project.id)],
    [/^\/enrolment\/signups\/:id/, String(signup.id)],
  ];
  const named: Record<string, string> = { orderNo: paid.orderNo, receiptNo: paid.receiptNo, billCode: ebill.bill_code, billNo: ebill.bill_no };
  return path.replace(/:(\w+)/g, (_, name: string) => {
    if (name === 'id') {
      const hit = ids.find(([re]) => re.test(path));
      if (!hit) throw new Error(`no id for ${path}: add one to this test`);
      return hit[1];
    }
    if (!(name in named)) throw new Error(`no value for :${name} in ${path}: add one to this test`);
    return named[name]!;
  });
}

// Every GET path of the app, read from its router stack (the fuzz test's walker).
const routes = [...new Set(appRoutes(app).filter((r) => r.method === 'GET').map((r) => r.path))].sort();
/** no-store among the directives (the PDF says `private, no-store`). */
const NO_STORE = /(^|,)\s*no-store\s*(,|$)/;

async function signedIn(p: { number: string }) {
  const c = new Client(app);
  expect((await c.login(p.number, PASSWORD)).status).toBe(303);
  return c;
}

describe('Cache-Control: no-store on every signed-in page', () => {
  it('the router stack has the pages this test knows to be there', () => {
    for (const p of ['/', '/fees', '/pay', '/profile', '/transactions/ebills/:billCode/:billNo/pdf', '/console/reports.csv', '/console/imports/:id/errors.csv']) {
      expect(routes).toContain(p);
    }
  });

  for (const [who, person] of [['student', student], ['dept_staff', staff], ['finance_admin', finance]] as const) {
    it(`every GET route as ${who}`, async () => {
      const c = await signedIn(person);
      const statuses: Record<string, number> = {};
      for (const route of routes) {
        const path = fill(route);
        const res = await c.agent.get(path).set('Accept', 'text/html');
        statuses[route] = res.status;
        expect(res.status, path).toBeLessThan(500);
        expect(res.headers['cache-control'], `${who} ${path}`).toMatch(NO_STORE);
      }
      console.log(`no-store: ${routes.length} GET routes as ${who}`);
      // The answers whose handlers set their own headers really ran.
      if (who === 'student') expect(statuses['/transactions/ebills/:billCode/:billNo/pdf']).toBe(200);
      if (who === 'finance_admin') {
        expect(statuses['/console/reports.csv']).toBe(200);
        expect(statuses['/console/imports/:id/errors.csv']).toBe(200);
      }
    });
  }

  it('on the login page too, but not on static files', async () => {
    const anon = new Client(app);
    expect((await anon.get('/login')).headers['cache-control']).toBe('no-store');
    const css = await anon.agent.get('/public/css/site.css');
    expect(css.status).toBe(200);
    expect(css.headers['cache-control']).not.toContain('no-store');
  });
});
