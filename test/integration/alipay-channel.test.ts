// 支付宝 through the real platform: precreate QR, the sandbox checkout, RSA2 form notifications
// on Alipay's schedule, trade.query/close/refund and the GBK zip bill.
import { describe, expect, it } from 'vitest';
import { alipayAdapter } from '../../src/gateways/alipay/adapter';
import { waitForStatus } from '../helpers/world';
import { channelOrderOf, doneWhen, platformWorld, protocolCases } from './channel-harness';

const w = await platformWorld('alipay');
doneWhen(w, '支付宝');
protocolCases(w, '支付宝', { statementMark: '#支付宝业务明细查询' });

const adapter = alipayAdapter(w.env.config.channels.alipay);

describe('支付宝: page.pay and signatures', () => {
  it('page.pay: the signed form the browser posts lands on the checkout; the paid page links back to the platform', async () => {
    const s = await w.student('249.99');
    const orderNo = await w.order(s);
    await w.submit(s, orderNo);
    const action = adapter.pagePay(await channelOrderOf(w, orderNo));
    if (action.kind !== 'form') throw new Error('page.pay is a form');
    const res = await fetch(action.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(action.fields).toString() });
    expect(await res.text()).toContain('确认支付');
    const done = await (await fetch(`${res.url}/confirm`, { method: 'POST' })).text();
    expect(done).toContain('支付成功');
    expect(done).toContain(`/pay/orders/${orderNo}/result`);
    await waitForStatus(w.knex, orderNo, 'paid');
  });

  it('a request signed with another key is refused by the gateway', async () => {
    const s = await w.student('1.00');
    const orderNo = await w.order(s);
    const forged = alipayAdapter({ ...w.env.config.channels.alipay, privateKeyFile: w.env.config.channels.alipay.privateKeyFile.replace('alipay-merchant', 'wechat-merchant') });
    await expect(forged.query(await channelOrderOf(w, orderNo))).rejects.toThrow(/invalid-signature/);
  });
});
