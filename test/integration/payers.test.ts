// 授权缴费人: a student invites a parent by mobile; the parent registers with the
// SMS code, signs in with the mobile, pays the student's bill through the usual wizard and the
// sandbox's non-tax cashier over real HTTP; the receipt stays the student's, the order records the
// payer, and 银行交易记录 shows them; a revoke ends the payer's access at once.
import { describe, expect, it } from 'vitest';
import { text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { makeOrder, payAtCashier, payEnv, PASSWORD, signedIn, submitNontax, waitForStatus } from '../helpers/world';
import * as f from '../factories';
import { invite, PAYER_PASSWORD, payerMobile, payerOf, registerPayer } from './payers-helpers';
import { Client } from '../helpers/client';

const db = await testDatabase({ demo: true });
const env = await payEnv(db);
const knex = db.knex;

async function studentWithBill(due = '1200.00') {
  const p = await f.person(knex, { password: PASSWORD, name: `张${Math.random().toString(36).slice(2, 4)}` });
  const period = await f.period(knex);
  const item = await f.feeItem(knex, { category: '财政', name: `住宿费${p.personId}` });
  const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due });
  return { p, period, billId, c: await signedIn(env, p.number) };
}

describe('授权缴费人', () => {
  it('invites, registers with the SMS code, pays for the student, is shown as 缴费人, and is revoked', async () => {
    const s = await studentWithBill();
    const profile = await s.c.get('/profile');
    expect(profile.text).toContain('href="/profile/payers"');
    const mobile = payerMobile();
    const sent = await invite(s.c, { mobile, name: '王芳', relation: '母亲' });
    expect(sent.status, text(sent.text)).toBe(303);
    const sms = await knex('sms_outbox').where({ mobile }).orderBy('id').select('body');
    expect(sms).toHaveLength(1);
    expect(sms[0].body).toContain(`${s.p.name}邀请您（母亲）作为授权缴费人`);
    expect(sms[0].body).toContain('/payer/register');
    const page = text((await s.c.get('/profile/payers')).text);
    expect(page).toContain('王芳');
    expect(page).toContain('待接受');

    const c = new Client(env.app, { ip: '203.0.113.7' });
    const done = await registerPayer(c, knex, mobile);
    expect(done.status, text(done.text)).toBe(303);
    expect(done.headers.location).toBe('/login?payer=registered');
    const back = await c.get(done.headers.location!);
    expect(text(back.text)).toContain('注册成功。请使用手机号和刚才设置的密码登录。');
    expect(back.text).toContain(`value="${mobile}"`);
    const payer = await knex('people').where({ kind: 'payer', mobile }).first();
    expect(payer).toMatchObject({ name: '王芳', gender: '' });
    expect(payer.number).toMatch(/^P\d{7}$/);
    expect(await knex('payer_links').where({ student_id: s.p.personId }).first()).toMatchObject({ status: 'active', payer_id: payer.id });

    expect((await c.login(mobile, PAYER_PASSWORD)).headers.location).toBe('/');
    const home = await c.get('/');
    expect(home.status).toBe(200);
    expect(text(home.text)).toContain(`授权缴费人：王芳 正在为 学号：${s.p.number}`);
    const fees = text((await c.get('/fees')).text);
    expect(fees).toContain(`住宿费${s.p.personId}`);
    expect(fees).toContain('1,200.00');
    // The student's own pages are not a payer's.
    for (const path of ['/profile', '/transactions', '/transactions/bank', '/profile/payers', '/enrolment']) {
      expect((await c.get(path)).status, path).toBe(403);
    }

    const orderNo = await makeOrder(c, '财政', s.period.id, { [s.billId]: '1200.00' });
    // 非税通知's mobile is the student's 个人信息, which a payer may not change: not offered, even asked for.
    const confirm = await c.get(`/pay/orders/${orderNo}?edit=mobile`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).not.toContain(`/pay/orders/${orderNo}/mobile`);
    expect(confirm.text).not.toContain('?edit=mobile');
    const { cashierUrl } = await submitNontax(c, orderNo);
    const landed = await payAtCashier(cashierUrl, 'alipay');
    expect(landed).toContain(`/pay/orders/${orderNo}`);
    await waitForStatus(knex, orderNo, 'paid');
    const order = await knex('orders').where({ order_no: orderNo }).first();
    expect(order).toMatchObject({ person_id: s.p.personId, payer_id: payer.id });
    const receipt = await knex('receipts').where({ order_id: order.id }).first();
    expect(receipt.person_id).toBe(s.p.personId);
    expect(text((await c.get(`/pay/orders/${orderNo}/result`)).text)).toContain('支付成功');

    // The student sees it: 银行交易记录, the order's 明细, and 缴费人代缴记录.
    const bank = text((await s.c.get('/transactions/bank')).text);
    expect(bank).toContain(`${orderNo}`);
    expect(bank).toContain('缴费人：王芳（母亲）');
    expect(text((await s.c.get(`/transactions/orders/${orderNo}`)).text)).toContain('缴费人 王芳（母亲）');
    expect(text((await s.c.get('/profile/payers')).text)).toMatch(new RegExp(`${orderNo}\\s*王芳（母亲）.*1,200\\.00`));

    // Finance sees the payer on the person page.
    await f.person(knex, { role: 'finance_admin', password: PASSWORD, number: `F${s.p.personId}` });
    const fin = await signedIn(env, `F${s.p.personId}`);
    const person = text((await fin.get(`/console/people/${s.p.personId}`)).text);
    expect(person).toContain('授权缴费人');
    expect(person).toContain('王芳');
    expect(person).toContain('已授权');

    // Revoked: the payer's next request finds no student.
    const link = await knex('payer_links').where({ student_id: s.p.personId }).first();
    await s.c.get('/profile/payers');
    const revoked = await s.c.post(`/profile/payers/${link.id}/revoke`, {});
    expect(revoked.status).toBe(303);
    expect(text((await s.c.get(revoked.headers.location!)).text)).toContain('已撤销王芳的缴费授权');
    const after = await c.get('/fees');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/payer?gone=1');
    expect(text((await c.get('/payer?gone=1')).text)).toContain('目前没有学生授权您为其缴费');
    expect((await c.get(`/pay/orders/${orderNo}/result`)).status).toBe(303);
    expect(await knex('audit_log').whereIn('action', ['payer.invite', 'payer.register', 'payer.revoke']).andWhere('target_person_id', 'in', [s.p.personId, payer.id]).count('* as n').first())
      .toMatchObject({ n: '3' });
  });

  it('lets a payer of two siblings switch between them, each seeing only that child', async () => {
    const a = await studentWithBill('100.00');
    const b = await studentWithBill('200.00');
    const { payer, mobile } = await payerOf(env.app, knex, a.c);
    expect((await invite(b.c, { mobile, relation: '父亲' })).status).toBe(303);
    // One active student: chosen without asking; the second invitation waits on /payer.
    expect(text((await payer.get('/fees')).text)).toContain('100.00');
    const own = text((await payer.get('/payer')).text);
    expect(own).toContain('待接受的邀请');
    const linkB = await knex('payer_links').where({ student_id: b.p.personId }).first();
    expect((await payer.post(`/payer/invitations/${linkB.id}/accept`, {})).status).toBe(303);
    // Two now: the payer chooses.
    const chose = await payer.post('/payer/choose', { link: String(linkB.id) });
    expect(chose.headers.location, text(chose.text)).toBe('/fees');
    const feesB = text((await payer.get('/fees')).text);
    expect(feesB).toContain('200.00');
    expect(feesB).toContain(b.p.number);
    expect(feesB).not.toContain(a.p.number);
    const linkA = await knex('payer_links').where({ student_id: a.p.personId }).first();
    await payer.get('/payer');
    await payer.post('/payer/choose', { link: String(linkA.id) });
    expect(text((await payer.get('/fees')).text)).toContain(a.p.number);
  });
});
