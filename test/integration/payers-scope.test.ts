// 授权缴费人 never reach another student's data: a payer of student B, signed
// in, requests every route of the app (read from its router stack, so tomorrow's routes are
// walked too) with student A's ids in the path and the form, and nothing of A's is shown or
// written. Then the edges: a disabled student, a declined invitation, a payer with no student.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { numberingEbillPlatform } from '../factories-ebills';
import { issuePendingEbills } from '../../src/modules/ebills/issuing';
import { testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { appRoutes } from '../helpers/routes';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { paidOrder, unpaidOrder } from '../factories-payments';
import { invite, payerMobile, payerOf } from './payers-helpers';

const PASSWORD = 'Abc12345!x';
const db = await testDatabase();
const k = db.knex;
const app = testApp(db);

const signedIn = async (p: { number: string }) => {
  const c = new Client(app);
  expect((await c.login(p.number, PASSWORD)).status).toBe(303);
  return c;
};

// A: the student whose data must stay out of reach, with something behind every kind of id.
const a = await f.person(k, { password: PASSWORD, name: '甲同学' });
const period = await f.period(k);
const item = await f.feeItem(k, { category: '财政' });
const aBill = await f.bill(k, { personId: a.personId, periodId: period.id, feeItemId: item.id, due: '900.00' });
const aBill2 = await f.bill(k, { personId: a.personId, periodId: period.id, feeItemId: (await f.feeItem(k, { category: '财政' })).id, due: '50.00' });
const aPaid = await paidOrder(k, { personId: a.personId, channel: 'nontax', lines: [{ billId: aBill, amount: '300.00' }] });
const aOpen = await unpaidOrder(k, { personId: a.personId, channel: 'nontax', lines: [{ billId: aBill2, amount: '50.00' }] });
const platform = numberingEbillPlatform();
await issuePendingEbills({ knex: k, client: platform, schoolName: '兰州理工大学', publicUrl: 'https://pay.example.edu.cn' });
const ebill = await k('ebills').where({ receipt_id: aPaid.receiptId }).first('bill_code', 'bill_no');
const finance = await f.person(k, { password: PASSWORD, role: 'finance_admin' });
const [project] = await k('enrolment_projects').insert({ name: '讲座报名', audience: 'all', opens_at: new Date(Date.now() - 86_400_000), closes_at: new Date(Date.now() + 86_400_000), quota: 10, status: 'open', created_by: finance.accountId }).returning('id');
const [signup] = await k('enrolment_signups').insert({ project_id: project.id, person_id: a.personId, status: 'confirmed', confirmed_at: new Date() }).returning('id');
const aClient = await signedIn(a);
// A's own payer invitation (to another mobile): its link id is one more id to try.
expect((await invite(aClient, { mobile: payerMobile(), name: '甲妈妈' })).status).toBe(303);
const aLink = await k('payer_links').where({ student_id: a.personId }).first('id');

// B and B's payer, signed in and paying for B.
const b = await f.person(k, { password: PASSWORD, name: '乙同学' });
await f.bill(k, { personId: b.personId, periodId: period.id, feeItemId: item.id, due: '700.00' });
const { payer } = await payerOf(app, k, await signedIn(b));

const AS_A = [a.number, a.name, aPaid.orderNo, aOpen.orderNo, aPaid.receiptNo, '甲妈妈'];

/** A's rows as they stand: any write to them changes the digest. */
async function digestOfA(): Promise<string> {
  const rows = await Promise.all([
    k('people').where({ id: a.personId }).select(), k('accounts').where({ person_id: a.personId }).select('id', 'status', 'password_hash', 'bank_card_last4', 'security_question'),
    k('bills').where({ person_id: a.personId }).orderBy('id').select(), k('orders').where({ person_id: a.personId }).orderBy('id').select(),
    k('receipts').where({ person_id: a.personId }).orderBy('id').select(), k('payer_links').where({ student_id: a.personId }).orderBy('id').select(),
    k('enrolment_signups').where({ person_id: a.personId }).select(), k('refunds').whereIn('bill_id', [aBill, aBill2]).select(),
    k('deferrals').whereIn('bill_id', [aBill, aBill2]).select(), k('sms_outbox').where({ person_id: a.personId }).count('* as n'),
  ]);
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

const ids: [RegExp, string][] = [
  [/^\/console\/people\/:id/, String(a.personId)], [/^\/enrolment\/projects\/:id/, String(project.id)], [/^\/enrolment\/signups\/:id/, String(signup.id)],
  [/^\/profile\/payers\/:id/, String(aLink.id)], [/^\/payer\/invitations\/:id/, String(aLink.id)],
];
const named: Record<string, string> = { orderNo: aPaid.orderNo, receiptNo: aPaid.receiptNo, billCode: ebill.bill_code, billNo: ebill.bill_no, channel: 'nontax' };
const fill = (path: string) => path.replace(/:(\w+)/g, (_, name: string) => {
  if (name === 'id') return ids.find(([re]) => re.test(path))?.[1] ?? '1';
  return named[name] ?? '1';
});
/** Every form field a page of the app names an id or a choice by, set to A's. */
const aFields = {
  bill: [String(aBill), String(aBill2)], [`amount_${aBill}`]: '900.00', period: String(period.id), category: '财政', link: String(aLink.id),
  orderNo: aOpen.orderNo, replace: aOpen.orderNo, channel: 'nontax', item: String(item.id), project: String(project.id), person: String(a.personId),
  personId: String(a.personId), number: a.number, q: a.number, mobile: '13900000000', name: '乙妈妈', relation: '母亲',
};

describe('a payer never reaches another student by any URL', () => {
  it('walks every route with A\'s ids: nothing of A is shown, nothing of A is written', async () => {
    // The payer is paying for B: their pages show B.
    expect(text((await payer.get('/fees')).text)).toContain(b.number);
    const routes = appRoutes(app as never).filter((r) => r.path !== '/logout' && !r.path.startsWith('/pay/notify'));
    expect(routes.length).toBeGreaterThan(100);
    const before = await digestOfA();
    const seen: Record<string, number> = {};
    for (const r of routes) {
      const path = fill(r.path);
      const res = r.method === 'GET' ? await payer.get(path) : await payer.post(path, aFields, { from: '/payer' });
      seen[`${r.method} ${r.path}`] = res.status;
      expect(res.status, `${r.method} ${path}`).toBeLessThan(500);
      // A redirect may echo what the request itself typed (an order number in the path); nothing more.
      const redirect = res.status >= 300 && res.status < 400;
      for (const s of AS_A) {
        const shown = redirect ? (res.headers.location ?? '').includes(s) && !path.includes(s) : (res.text ?? '').includes(s);
        expect(shown, `${r.method} ${path} shows ${s}`).toBe(false);
      }
      // Still signed in as the payer (a post that ended the session would make the rest vacuous).
      expect(res.status === 303 && /^\/login/.test(res.headers.location ?? ''), `${r.method} ${path} signed the payer out`).toBe(false);
    }
    expect(await digestOfA()).toBe(before);
    // The walk reached the pages that matter: the student's own pages are refused, the payer's are answered.
    expect(seen['GET /profile']).toBe(403);
    expect(seen['GET /transactions/orders/:orderNo']).toBe(403);
    expect(seen['GET /transactions/ebills/:billCode/:billNo/pdf']).toBe(403);
    expect(seen['GET /console/people/:id']).toBe(403);
    expect(seen['GET /enrolment/signups/:id']).toBe(403);
    expect(seen['GET /pay/orders/:orderNo']).toBe(404);
    expect(seen['GET /fees']).toBe(200);
    // Posts reached their handlers (not a CSRF refusal): A's bills and A's link are simply not there.
    expect(seen['POST /payer/choose']).toBe(404);
    expect(seen['POST /pay/items']).toBe(400);
    expect(seen['POST /profile/payers/:id/revoke']).toBe(403);
    console.log(`payer scope: ${routes.length} routes walked as B's payer with A's ids`);
  });

  it('a disabled student, a declined invitation and a payer with no student leave the payer nothing to pay', async () => {
    const c = await f.person(k, { password: PASSWORD, name: '丙同学' });
    await f.bill(k, { personId: c.personId, periodId: period.id, feeItemId: item.id, due: '600.00' });
    const cClient = await signedIn(c);
    const { payer: p2, mobile } = await payerOf(app, k, cClient);
    expect(text((await p2.get('/fees')).text)).toContain(c.number);
    // Finance disables the student: the payer's next request has no student.
    await k('accounts').where({ person_id: c.personId }).update({ status: 'disabled' });
    const after = await p2.get('/fees');
    expect(after.headers.location).toBe('/payer?gone=1');
    expect(text((await p2.get('/payer')).text)).toContain('目前没有学生授权您为其缴费');
    await k('accounts').where({ person_id: c.personId }).update({ status: 'active' });
    // Another student's invitation, declined: never active, never a student of this payer.
    const d = await f.person(k, { password: PASSWORD, name: '丁同学' });
    expect((await invite(await signedIn(d), { mobile })).status).toBe(303);
    const dLink = await k('payer_links').where({ student_id: d.personId }).first('id');
    await p2.get('/payer');
    expect((await p2.post(`/payer/invitations/${dLink.id}/decline`, {})).headers.location).toBe('/payer?declined=1');
    expect(await k('payer_links').where({ id: dLink.id }).first('status', 'ended_at')).toMatchObject({ status: 'declined' });
    // Answered once: accepting it now is refused and changes nothing.
    const late = await p2.post(`/payer/invitations/${dLink.id}/accept`, {});
    expect(late.status).toBe(409);
    expect(text(late.text)).toContain('该邀请已处理或已撤销');
    const list = text((await p2.get('/payer')).text);
    expect(list).toContain(c.number);
    expect(list).not.toContain(d.number);
    // Choosing D by its link id is refused like any id that is not the payer's.
    const chose = await p2.post('/payer/choose', { link: String(dLink.id) });
    expect(chose.status).toBe(404);
  });
});
