// A deployment that takes 中国工商银行 off 代收 (CHANNELS_COLLECTED=wechat): the wizard does not
// offer it and refuses it if posted, the CSP does not let a form go to its gateway, the daily
// reconciliation does not download its statements; its notifications are heard only while an
// attempt at it exists (an order already there must still be settled).
import { describe, expect, it } from 'vitest';
import { businessDate } from '../../src/domain/business-date';
import { text as visible } from '../helpers/client';
import { PASSWORD, makeOrder, payEnv, signedIn } from '../helpers/world';
import { testServices } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const ICBC_GATEWAY = 'https://gw.icbc.example.test';
const db = await testDatabase();
const knex = db.knex;
const env = await payEnv(db, { CHANNELS_COLLECTED: 'wechat', ICBC_URL: `${ICBC_GATEWAY}/ui` });

let seq = 0;
async function student() {
  seq += 1;
  const p = await f.person(knex, { password: PASSWORD });
  const period = await f.period(knex, `2019年度（配置${seq}）`);
  const item = await f.feeItem(knex, { category: '代收', name: `医疗保险（配置${seq}）` });
  const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '250.00' });
  return { ...p, billId, periodId: period.id };
}

describe('an unconfigured channel', () => {
  it('is not offered on 缴费信息确认及支付方式选择, and is refused if posted', async () => {
    const s = await student();
    const c = await signedIn(env, s.number);
    const orderNo = await makeOrder(c, '代收', s.periodId, { [s.billId]: '250.00' });
    const page = await c.get(`/pay/orders/${orderNo}`);
    expect(page.status).toBe(200);
    expect(visible(page.text)).toContain('微信支付');
    expect(visible(page.text)).not.toContain('中国工商银行');
    expect(page.text).not.toContain('value="icbc"');
    const res = await c.post(`/pay/orders/${orderNo}/submit`, { channel: 'icbc' });
    expect(res.status).toBe(409);
    expect(visible(res.text)).toContain('请选择支付方式');
    expect(await knex('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id').where('o.order_no', orderNo).count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n))).toBe(0);
  });

  it('is not a form-action of the CSP', async () => {
    const s = await student();
    const c = await signedIn(env, s.number);
    const res = await c.get('/pay');
    const csp = String(res.headers['content-security-policy'] ?? '');
    const formAction = /form-action ([^;]+)/.exec(csp)?.[1] ?? '';
    expect(formAction).toContain("'self'");
    expect(formAction).toContain(new URL(env.config.nontax.url).origin);
    expect(formAction).not.toContain(ICBC_GATEWAY);
  });

  it('is not reconciled by the daily job', async () => {
    const m = testServices({ config: env.config, db });
    const yesterday = businessDate(new Date(Date.now() - 24 * 3600_000));
    const runs = await m.reconcile.reconcileDue(yesterday);
    expect(new Set(runs.map((r) => r.channel))).toEqual(new Set(['nontax', 'wechat']));
    expect(await knex('reconcile_runs').where({ channel: 'icbc' }).count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n))).toBe(0);
    expect((await m.reconcile.page()).channels).toEqual(['nontax', 'wechat']);
  });

  it('is not heard at /pay/notify until an attempt at it exists; then it is (the adapter judges the message)', async () => {
    const post = () => fetch(`${env.appUrl}/pay/notify/icbc`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'biz_content=%7B%7D&sign=x' });
    expect((await post()).status).toBe(404);
    // An order sent to ICBC before it was taken off the list.
    const s = await student();
    const [o] = await knex('orders').insert({
      order_no: 'XF261201LUT999001', person_id: s.personId, category: '代收', status: 'paying', amount: '250.00', fee: '0.00', total: '250.00', channel: 'icbc',
      notify_mobile: '', expires_at: new Date(Date.now() + 3600_000),
    }).returning('id');
    await knex('payment_attempts').insert({ order_id: o.id, channel: 'icbc', channel_order_id: 'XF261201LUT999001', amount: '250.00', fee: '0.00', status: 'sent' });
    const res = await post();
    expect(res.status).not.toBe(404);
    const [e] = await knex('channel_events').where({ channel: 'icbc', kind: 'notify' }).select('verified', 'outcome');
    expect(e).toMatchObject({ verified: false });
    expect(String(e.outcome)).toMatch(/^rejected:/);
  });
});
