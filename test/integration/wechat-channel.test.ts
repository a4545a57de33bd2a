// 微信支付 (API v3, Native) through the real platform: the wizard's 确定缴费 shows code_url as a
// QR at the platform, the sandbox phone page stands in for scanning, signed and encrypted
// TRANSACTION.SUCCESS notifications are credited by /pay/notify/wechat.
import { describe, expect, it } from 'vitest';
import { text } from '../helpers/client';
import { waitForStatus } from '../helpers/world';
import { doneWhen, platformWorld, protocolCases } from './channel-harness';

const w = await platformWorld('wechat');

describe('微信支付 through the wizard over HTTP', () => {
  it('确定缴费 shows the QR page (server-drawn image, amount, 我已完成支付); the phone pays; 我已完成支付 shows 支付成功', async () => {
    const s = await w.student('249.99');
    const { c, orderNo, action, page } = await w.wizard(s);
    const t = text(page);
    for (const label of ['微信支付扫码支付', orderNo, '¥249.99', '我已完成支付', '模拟扫码（沙箱）']) expect(t).toContain(label);
    expect(page).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+" width="220" height="220" alt="微信支付二维码">/);
    const { done } = await w.payAt(action);
    expect(done).toContain('支付成功');
    await waitForStatus(w.knex, orderNo, 'paid');
    const result = await c.get(`/pay/orders/${orderNo}/result`);
    expect(text(result.text)).toContain('支付成功');
    expect((await w.knex('bills').where({ id: s.billId }).first('paid')).paid).toBe('249.99');
  });
});

doneWhen(w, '微信支付');
protocolCases(w, '微信支付', { statementMark: '`' });
