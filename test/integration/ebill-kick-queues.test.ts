// E-bills right after crediting (no job tick), two workers draining one backlog without asking
// for any bill twice, the daily maintenance window honoured like an outage, and 外发队列 on the
// console: queue depths, and 非税平台维护 announced and ended by finance.
import { describe, expect, it } from 'vitest';
import { poolOver } from '../../src/db/connection';
import { businessTime } from '../../src/domain/business-date';
import { createLogger } from '../../src/logger';
import { drainEbills } from '../../src/modules/ebills/issuing';
import { outageNotice } from '../../src/modules/nontax-status/service';
import { buildServices } from '../../src/services';
import { text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { countRows, makeOrder, payAtCashier, payEnv, signedIn, submitNontax, until, PASSWORD } from '../helpers/world';
import * as f from '../factories';
import { paidOrder } from '../factories-payments';

const db = await testDatabase();
const knex = db.knex;
const env = await payEnv(db);
const logger = createLogger('silent');
const instance = () => buildServices({ config: env.config, db: { knex, pool: poolOver(knex) }, logger });

async function payer(category: '财政' | '代收', o: { password?: string } = {}) {
  const p = await f.person(knex, o.password ? { password: o.password } : {});
  const period = await f.period(knex);
  const item = await f.feeItem(knex, { category });
  const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '100.00' });
  return { ...p, billId, periodId: period.id };
}

describe('e-bills at term start', () => {
  it('requests the bill right after the credit: 已生成 with no job tick', async () => {
    const p = await payer('财政', { password: PASSWORD });
    const c = await signedIn(env, p.number);
    const orderNo = await makeOrder(c, '财政', p.periodId, { [p.billId]: '100.00' });
    const { cashierUrl } = await submitNontax(c, orderNo);
    await payAtCashier(cashierUrl, 'wechat');
    // Nobody runs the scheduler here: only the credit's kick can issue it.
    await until(async () => (await knex('receipts as r').join('orders as o', 'o.id', 'r.order_id').where('o.order_no', orderNo).first('r.ebill_status'))?.ebill_status === '已生成');
    const receipt = await knex('receipts as r').join('orders as o', 'o.id', 'r.order_id').where('o.order_no', orderNo).first('r.id');
    expect(await countRows(knex, 'ebills', { receipt_id: receipt.id })).toBe(1);
  });

  it('two workers draining the same backlog never ask for one bill twice', { timeout: 120_000 }, async () => {
    const before = { issued: env.sandbox.ebill.issued().length, bills: await countRows(knex, 'ebills') };
    const period = await f.period(knex);
    const item = await f.feeItem(knex, { category: '财政' });
    for (let i = 0; i < 200; i += 10) {
      await Promise.all(Array.from({ length: 10 }, async () => {
        const p = await f.person(knex);
        const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '100.00' });
        await paidOrder(knex, { personId: p.personId, channel: 'nontax', lines: [{ billId, amount: '100.00' }] });
      }));
    }
    const [a, b] = [instance(), instance()];
    const small = { batchSize: 20, concurrency: 4 };
    const [ra, rb] = await Promise.all([drainEbills({ ...a.ebillIssuing, ...small }), drainEbills({ ...b.ebillIssuing, ...small })]);
    expect(ra.issued + rb.issued).toBe(200);
    expect(await countRows(knex, 'receipts', { ebill_status: '待生成' })).toBe(0);
    expect(await countRows(knex, 'ebills')).toBe(before.bills + 200);
    expect(env.sandbox.ebill.issued().length).toBe(before.issued + 200);
    expect(env.sandbox.ebill.maxRequestsPerId()).toBe(1);
  });
});

describe('外发队列 and 非税平台维护 on the console', () => {
  it('shows the queues, takes a maintenance period finance announces, and ends it', async () => {
    const fin = await f.person(knex, { role: 'finance_admin', password: PASSWORD });
    const c = await signedIn(env, fin.number);
    const page = await c.get('/console/queues');
    expect(page.status).toBe(200);
    for (const label of ['外发队列', '电子票据申请', '短信通知', '支付结果查询', '退款结果查询', '待处理', '重试中', '失败', '最早等待', '非税平台', '正常']) expect(text(page.text)).toContain(label);

    const bad = await c.post('/console/queues/maintenance', { starts_at: '', ends_at: '明天', note: '' });
    expect(bad.status).toBe(400);
    expect(text(bad.text)).toContain('请按 年-月-日 时:分 填写');
    // The right shape but no such day or hour: refused like any bad input, not a 500.
    for (const ends_at of ['2099-13-01T10:00', '2099-02-30T10:00', '2099-01-01T99:99']) {
      const nonsense = await c.post('/console/queues/maintenance', { starts_at: '', ends_at, note: '' });
      expect(nonsense.status, ends_at).toBe(400);
      expect(text(nonsense.text)).toContain('日期或时间不存在');
      expect(nonsense.text).toContain(`value="${ends_at}"`);
    }
    expect(await countRows(knex, 'nontax_maintenance')).toBe(0);

    const end = new Date(Date.now() + 3 * 3600_000);
    const local = new Date(end.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
    const ok = await c.post('/console/queues/maintenance', { starts_at: '', ends_at: local, note: '省平台升级' });
    expect(ok.status, ok.text.slice(0, 300)).toBe(303);
    const s = await payer('财政', { password: PASSWORD });
    const student = await signedIn(env, s.number);
    // Each instance reads the state at most once a second. Three hours on may be tomorrow (after
    // 21:00 in business time), when the notice names the day too.
    const expected = /预计 .+? 恢复/.exec(outageNotice({ source: 'maintenance', until: end, note: '' }))![0];
    expect(expected).toContain(businessTime(end).slice(0, 5));
    await until(async () => text((await student.get('/pay')).text).includes(expected));
    expect(text((await c.get('/console/queues')).text)).toContain('维护中');

    const id = (await knex('nontax_maintenance').first('id')).id;
    expect((await c.post(`/console/queues/maintenance/${id}/end`, {})).status).toBe(303);
    expect((await c.post(`/console/queues/maintenance/${id}/end`, {})).status).toBe(409);
    await until(async () => !text((await student.get('/pay')).text).includes('非税平台维护中'));
  });
});

describe('the daily maintenance window', () => {
  it('is honoured like an outage: 财政 shows the notice and builds nothing, fiscal e-bills wait', async () => {
    // A window from the last minute to half an hour on, in business time.
    const hm = (d: Date) => businessTime(d).slice(0, 5);
    const w = await payEnv(db, { NONTAX_MAINTENANCE_WINDOW: `${hm(new Date(Date.now() - 60_000))}-${hm(new Date(Date.now() + 30 * 60_000))}` });
    const p = await payer('财政', { password: PASSWORD });
    const c = await signedIn(w, p.number);
    expect(text((await c.get('/pay')).text)).toContain('非税平台维护中，预计');
    const orders = await countRows(knex, 'orders');
    const items = await c.post('/pay/items', { category: '财政', period: String(p.periodId), bill: [String(p.billId)], [`amount_${p.billId}`]: '100.00' });
    expect(items.status).toBe(409);
    expect(await countRows(knex, 'orders')).toBe(orders);

    const q = await payer('财政');
    const paid = await paidOrder(knex, { personId: q.personId, channel: 'nontax', lines: [{ billId: q.billId, amount: '100.00' }] });
    const s = buildServices({ config: w.config, db: { knex, pool: poolOver(knex) }, logger });
    const requests = w.sandbox.ebill.requests;
    await drainEbills(s.ebillIssuing);
    expect(w.sandbox.ebill.requests).toBe(requests);
    expect((await knex('receipts').where({ id: paid.receiptId }).first('ebill_status', 'ebill_attempts'))).toMatchObject({ ebill_status: '待生成', ebill_attempts: 0 });
  });
});
