// 退费 through the original channel from the finance console: the WeChat Pay
// sandbox answers the refund API, the ledger records it, and a refund never exceeds what was paid.
import { describe, expect, it } from 'vitest';
import { Client, text } from '../helpers/client';
import { refundFromConsole, waitForStatus } from '../helpers/world';
import * as f from '../factories';
import { platformWorld } from './channel-harness';

const w = await platformWorld('wechat');

describe('原渠道退回 from the console', () => {
  it('refunds part of a WeChat payment through the channel, then refuses more than what is left', async () => {
    const s = await w.student('249.99');
    const { orderNo, action } = await w.wizard(s);
    await w.payAt(action);
    await waitForStatus(w.knex, orderNo, 'paid');

    const fin = await f.person(w.knex, { role: 'finance_admin', password: 'Finance#2026x' });
    const c = new Client(w.env.app);
    expect((await c.login(fin.number, 'Finance#2026x')).status).toBe(303);
    await c.get(`/console/people/${s.personId}`);
    const res = (await refundFromConsole(c, s.personId, { bill: String(s.billId), amount: '100.00', mode: 'channel', reason: '学生退学，原路退回' })).done;
    expect(res.status, text(res.text)).toBe(303);

    const bill = await w.knex('bills').where({ id: s.billId }).first('paid', 'refunded');
    expect(bill).toEqual({ paid: '249.99', refunded: '100.00' });
    const refund = await w.knex('refunds').where({ bill_id: s.billId }).first('status', 'channel', 'amount');
    expect(refund).toEqual({ status: 'succeeded', channel: 'wechat', amount: '100.00' });
    expect((await w.knex('orders').where({ order_no: orderNo }).first('status')).status).toBe('partly_refunded');
    const entries = await w.knex('bill_ledger').where({ bill_id: s.billId }).orderBy('id').pluck('kind');
    expect(entries).toEqual(['charge', 'payment', 'refund']);
    expect(await w.knex('audit_log').where({ action: 'refund.channel', target_person_id: s.personId }).first()).toBeTruthy();

    await c.get(`/console/people/${s.personId}`);
    const tooMuch = (await refundFromConsole(c, s.personId, { bill: String(s.billId), amount: '150.00', mode: 'channel', reason: '超额' })).done;
    expect(tooMuch.status).toBe(400);
    expect(text(tooMuch.text)).toContain('退费金额不能超过');
    expect((await w.knex('bills').where({ id: s.billId }).first('refunded')).refunded).toBe('100.00');
  });
});
