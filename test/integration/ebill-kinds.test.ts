// Which e-bill a receipt gets, in the test world (the app, and the sandbox's fiscal e-bill platform
// over HTTP): a payment finance records at the counter gets the same e-bill as an online one —
// the 甘肃省非税收入统一票据（电子） for a 财政 item rather than 其他票据 — and 代收 money (体检费,
// 医疗保险), online or at the counter, the 行政事业单位资金往来结算票据（电子）, each asked of the
// platform by its 票据种类 with the 收费渠道 the money came through. The student reads them on
// 已缴费信息 (图27) and 电子票据 (图28).
import { describe, expect, it } from 'vitest';
import { BILL_TYPE } from '../../src/modules/ebills/protocol';
import { text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { makeOrder, pageAction, PASSWORD, payAt, payEnv, signedIn, until } from '../helpers/world';
import * as f from '../factories';

const db = await testDatabase();
const k = db.knex;
// The sandbox on (its phone page for 微信支付's QR code), as `npm start` runs it.
const env = await payEnv(db, { SANDBOX: '1' });
const cashier = await f.person(k, { password: PASSWORD, role: 'finance_admin', name: '柜台甲' });
const fc = await signedIn(env, cashier.number);

async function studentWith(category: '财政' | '代收', name: string, due: string) {
  const p = await f.person(k, { password: PASSWORD });
  const period = await f.period(k);
  const item = await f.feeItem(k, { category, name: `${name}${p.personId}` });
  const billId = await f.bill(k, { personId: p.personId, periodId: period.id, feeItemId: item.id, due });
  return { ...p, periodId: period.id, billId, item: item.name };
}

/** The receipt's row once its e-bill is in, and what the platform was asked for it. */
async function issued(receiptNo: string) {
  await until(async () => (await k('receipts').where({ receipt_no: receiptNo }).first('ebill_status')).ebill_status === '已生成', 15_000);
  const r = await k('receipts').where({ receipt_no: receiptNo }).first('id', 'category', 'method', 'preparer');
  const bill = await k('ebills').where({ receipt_id: r.id }).first('kind', 'bill_code', 'bill_no', 'handler', 'total');
  const asked = env.sandbox.ebill.issued().find((x) => x.requestId === `R${r.id}-${receiptNo}`)!;
  return { receipt: r, bill, asked };
}

async function counter(p: Awaited<ReturnType<typeof studentWith>>, amount: string, method: 'cash' | 'pos' | 'transfer') {
  await fc.get(`/console/people/${p.personId}`);
  const res = await fc.post(`/console/people/${p.personId}/counter`, { [`amount_${p.billId}`]: amount, method, reason: '现场缴费' });
  expect(res.status, text(res.text).slice(-300)).toBe(303);
  return (await k('receipts').where({ person_id: p.personId }).orderBy('id', 'desc').first('receipt_no')).receipt_no as string;
}

describe('e-bills for counter payments and for 代收 receipts', () => {
  it('gives a 财政 counter payment the fiscal e-bill, asked for with the counter as its 收费渠道', async () => {
    const p = await studentWith('财政', '学费（柜台）', '8000.00');
    const receiptNo = await counter(p, '3000.00', 'pos');
    const { bill, asked } = await issued(receiptNo);
    expect(asked).toMatchObject({ billType: BILL_TYPE.fiscal, channel: 'POS刷卡', total: '3000.00' });
    expect(bill).toMatchObject({ kind: 'fiscal', bill_code: asked.billCode, bill_no: asked.billNo, handler: '柜台甲', total: '3000.00' });

    const c = await signedIn(env, p.number);
    expect(text((await c.get('/transactions/receipts')).text)).toContain(`${receiptNo} ${(await k('receipts').where({ receipt_no: receiptNo }).first('receipt_date')).receipt_date} 柜台甲 已生成 明细 票据查询`);
    const page = text((await c.get(`/transactions/receipts/${receiptNo}/ebill`)).text);
    expect(page).toContain('共：1张');
    expect(page).toContain('甘肃省非税收入统一票据（电子）');
    expect(page).toContain(`票据号码： ${asked.billNo}`);
    expect(page).toContain('经办人：柜台甲');
    expect(page).not.toContain('其他票据');
  });

  it('gives 代收 money the 资金往来结算票据, online through 微信支付 and in cash at the counter', async () => {
    const online = await studentWith('代收', '医疗保险', '250.00');
    const c = await signedIn(env, online.number);
    const orderNo = await makeOrder(c, '代收', online.periodId, { [online.billId]: '250.00' });
    await c.get(`/pay/orders/${orderNo}`);
    const submitted = await c.post(`/pay/orders/${orderNo}/submit`, { channel: 'wechat' });
    expect(submitted.status).toBe(200);
    await payAt(pageAction(submitted.text));
    await until(async () => (await k('orders').where({ order_no: orderNo }).first('status')).status === 'paid');
    const onlineNo = (await k('receipts').where({ person_id: online.personId }).first('receipt_no')).receipt_no as string;
    const first = await issued(onlineNo);
    expect(first.asked).toMatchObject({ billType: BILL_TYPE.settlement, channel: '网上支付', total: '250.00' });
    expect(first.bill).toMatchObject({ kind: 'settlement', handler: '支付平台' });
    // 票据代码: 区划 62, then the kind's own digits, then the year.
    expect(first.bill.bill_code).toMatch(/^620401\d{2}$/);
    const page = text((await c.get(`/transactions/receipts/${onlineNo}/ebill`)).text);
    expect(page).toContain('甘肃省行政事业单位资金往来结算票据（电子）');
    expect(page).toContain('合计 贰佰伍拾元整 ¥：250.00');
    expect(page).not.toContain('统一收款收据');

    const atCounter = await studentWith('代收', '体检费', '80.00');
    const counterNo = await counter(atCounter, '80.00', 'cash');
    const second = await issued(counterNo);
    expect(second.asked).toMatchObject({ billType: BILL_TYPE.settlement, channel: '现金', total: '80.00' });
    expect(second.bill).toMatchObject({ kind: 'settlement', handler: '柜台甲' });
    const sc = await signedIn(env, atCounter.number);
    expect(text((await sc.get(`/transactions/receipts/${counterNo}/ebill`)).text)).toContain('甘肃省行政事业单位资金往来结算票据（电子）');
  });
});
