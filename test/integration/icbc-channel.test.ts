// 中国工商银行 工银e支付 through the real platform: the wizard's 确定缴费 auto-posts the signed form
// to the bank page of 图22 (手机号码, 卡(账)号后六位, 下一步, 确认支付), signed notifications are
// credited by /pay/notify/icbc and answered with the signed return_code 0 (issue 5).
import { describe, expect, it } from 'vitest';
import { text } from '../helpers/client';
import { waitForStatus } from '../helpers/pay-env';
import { doneWhen, platformWorld, protocolCases } from './channel-harness';

const w = await platformWorld('icbc');

describe('中国工商银行 through the wizard over HTTP', () => {
  it('确定缴费 gives the auto-posted signed form; the 图22 page pays; the result page shows 支付成功', async () => {
    const s = await w.student('249.99');
    const { c, orderNo, action } = await w.wizard(s);
    expect(action.kind).toBe('form');
    const { checkout, done } = await w.payAt(action);
    expect(text(checkout)).toContain('商户名称: 兰州理工大学');
    expect(text(checkout)).toContain('金额: RMB 249.99');
    expect(done).toContain('支付成功');
    await waitForStatus(w.knex, orderNo, 'paid');
    expect(text((await c.get(`/pay/orders/${orderNo}/result`)).text)).toContain('支付成功');
  });
});

doneWhen(w, '中国工商银行');
protocolCases(w, '中国工商银行', { statementMark: '#工银e支付对账单' });
