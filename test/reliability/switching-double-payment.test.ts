// No bill paid twice by switching. ICBC e-pay and UnionPay cannot close an unpaid order, and an
// Alipay QR nobody has scanned does not exist at Alipay yet (so it cannot be closed either): each
// page stays payable until its expiry. Through the real platform over HTTP (the wizard's pages,
// the sandboxes' checkout pages, the notify endpoint, PostgreSQL):
//   - the attempt is created with the short expiry (UNCLOSABLE_ATTEMPT_TTL_MINUTES) and the
//     channel is given exactly that expiry;
//   - choosing another channel (same order) or another order for the same bill shows the warning
//     with the old page's channel and expiry time, and sends nothing until the payer chooses;
//   - the payer pays both anyway: one payment is kept, the other is refunded through its own
//     channel by the overpayments job (DUPLICATE_PAYMENT_AUTO_REFUND, on by default) with no
//     finance action; 银行交易记录 shows the refund in plain words; the books check clean.
//
// The Alipay case needs the Alipay sandbox to refuse closing an unscanned QR (trade.close answers
// ACQ.TRADE_NOT_EXIST and the QR stays payable until time_expire) and the adapter to answer
// 'open' for it: both belong to the Alipay channel's own change.
import { describe, expect, it } from 'vitest';
import { businessDate, businessTime } from '../../src/domain/business-date';
import { CHANNEL_LABEL as BANK_LABEL } from '../../src/domain/channels';
import { CHANNEL_LABEL } from '../../src/gateways/types';
import type { PaymentAction } from '../../src/gateways/types';
import { platformJobs } from '../../src/jobs';
import { createLogger } from '../../src/logger';
import { EXPIRY_GRACE_MS } from '../../src/modules/payment/service';
import { checkChannelStatements, checkLedger } from '../../src/modules/reconcile/ledger-check';
import { ledgerCheckRepo } from '../../src/modules/reconcile/ledger-check-repo';
import { sandboxStatements } from './reconcile-env';
import { text as visible, type Client } from '../helpers/client';
import { PASSWORD, form, makeOrder, pageAction as actionOf, payAt as payAtChannel, payEnv, signedIn, waitForStatus } from '../helpers/world';
import { testServices } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

type Unclosable = 'icbc' | 'unionpay' | 'alipay';

const db = await testDatabase();
const knex = db.knex;
// Every 代收 channel offered, so that the wizard itself sends the payer to each of them.
const env = await payEnv(db, { SANDBOX: '1', CHANNELS_COLLECTED: 'icbc,wechat,unionpay,alipay', CHANNEL_TIMEOUT_MS: '3000' });
const m = testServices({ config: env.config, db });
const jobs = platformJobs({ config: env.config, knex, logger: createLogger('silent') });
const overpaymentsJob = jobs.find((j) => j.name === 'overpayments')!;


let seq = 0;
async function student(due: string) {
  seq += 1;
  const p = await f.person(knex, { password: PASSWORD });
  const period = await f.period(knex, `2019年度（switch-${seq}）`);
  const item = await f.feeItem(knex, { category: '代收', name: `医疗保险${seq}` });
  const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due });
  const c = await signedIn(env, p.number);
  return { ...p, billId, periodId: period.id, due, c };
}
type Student = Awaited<ReturnType<typeof student>>;

async function submit(c: Client, orderNo: string, channel: string, acknowledge?: string) {
  await c.get(`/pay/orders/${orderNo}`);
  return c.post(`/pay/orders/${orderNo}/submit`, { channel, ...(acknowledge ? { acknowledge } : {}) });
}

/** The payer at the channel's page: a bank page (手机号码, 卡(账)号后六位, 下一步, 确认支付) or the QR's phone page. */
async function payAt(action: PaymentAction) {
  if (action.kind !== 'qrCode' && action.kind !== 'form') throw new Error(`unexpected action ${action.kind}`);
  const r = await payAtChannel(action);
  if (action.kind === 'qrCode') {
    expect(r.status).toBe(200);
    return;
  }
  expect(r.nextStatus).toBe(200);
  expect(r.done).toContain('支付成功');
}

const attemptsOf = (orderNo: string) => knex('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id').where('o.order_no', orderNo)
  .orderBy('a.id').select('a.id', 'a.channel', 'a.status', 'a.expires_at', 'a.created_at', 'a.duplicate_payment', 'o.expires_at as order_expires_at');

/** The sandbox's record of a channel order: the expiry it was given, what it refunded. */
function tradeAt(channel: Unclosable | 'wechat', orderNo: string) {
  const trades = env.sandbox[channel].trades as Map<string, { orderNo: string; expireAt: Date | null; refundedFen: bigint; status: string }>;
  return [...trades.values()].find((t) => t.orderNo === orderNo);
}

async function ledgerClean(channels: string[]) {
  const repo = ledgerCheckRepo(knex);
  return [...(await checkLedger(repo)), ...(await checkChannelStatements(repo, sandboxStatements(m.gateways, env.sandboxUrl), channels, [businessDate()]))];
}

/** The short life: at most UNCLOSABLE_ATTEMPT_TTL_MINUTES, shorter than its order's, and what the channel was given. */
async function expectShortLived(orderNo: string, channel: Unclosable) {
  const [a] = (await attemptsOf(orderNo)).filter((x) => x.channel === channel);
  expect(a).toBeTruthy();
  const life = new Date(a.expires_at).getTime() - new Date(a.created_at).getTime();
  expect(life).toBeLessThanOrEqual(env.config.unclosableAttemptTtlMinutes * 60_000);
  expect(new Date(a.expires_at).getTime()).toBeLessThan(new Date(a.order_expires_at).getTime());
  return a as { id: number; expires_at: Date };
}

/** The warning of 缴费信息确认及支付方式选择, as the payer reads it; nothing was sent. */
async function expectWarning(res: { status: number; text: string }, oldChannel: Unclosable, until: Date, oldOrderNo: string) {
  expect(res.status, visible(res.text).slice(0, 400)).toBe(200);
  const page = visible(res.text);
  const hhmm = businessTime(new Date(until)).slice(0, 5);
  expect(page).toContain(`您在${CHANNEL_LABEL[oldChannel]}的支付尚未结束，该支付页面在 ${hhmm} 前仍可付款；如已付款请勿重复支付。`);
  for (const s of ['返回继续支付', '查看银行支付结果']) expect(page).toContain(s);
  expect(page).toMatch(/仍使用(微信支付|支付宝|银联支付|中国工商银行)缴费/);
  expect(res.text).toContain(`href="/pay/orders/${oldOrderNo}"`);
  expect(res.text).toContain(`href="/pay/orders/${oldOrderNo}/result"`);
  const ack = /name="acknowledge" value="([^"]+)"/.exec(res.text)?.[1];
  expect(ack).toBeTruthy();
  return ack!;
}

/** The overpayments job, as the scheduler runs it, then what it did: one refund through `channel`. */
async function expectRefundedThrough(s: Student, keptOrder: string, refundedOrder: string, channel: Unclosable, amount: string) {
  await overpaymentsJob.run();
  // UnionPay answers a refund "accepted" (respCode 00) and settles it later: the refund-query job
  // asks about it once the request is surely over (ACTIVE_QUERY_AFTER_MINUTES), here run as if
  // that time had passed.
  const later = platformJobs({ config: env.config, knex, logger: createLogger('silent'), now: () => new Date(Date.now() + 10 * 60_000) });
  await later.find((j) => j.name === 'refund-query')!.run();
  const flags = await knex('overpayments as op').join('orders as o', 'o.id', 'op.order_id').where('op.person_id', s.personId).select('op.*', 'o.order_no');
  expect(flags).toHaveLength(1);
  expect(flags[0]).toMatchObject({ order_no: refundedOrder, channel, amount, status: 'refunded' });
  // Once: the job again does nothing.
  await overpaymentsJob.run();
  expect(await knex('overpayments').where('person_id', s.personId).count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n))).toBe(1);
  expect(tradeAt(channel, refundedOrder)!.refundedFen).toBe(BigInt(amount.replace('.', '')));
  if (keptOrder !== refundedOrder) expect(tradeAt('wechat', keptOrder)!.refundedFen).toBe(0n);
  // Exactly one payment stays on the bill.
  const bill = await knex('bills').where({ id: s.billId }).first('due', 'paid', 'refunded');
  expect(Number(bill.paid) - Number(bill.refunded)).toBe(Number(s.due));
  // No finance action: the platform's own refund, audited as such.
  // (The student's own sign-in is on the record too, as auth.login.)
  const audit = await knex('audit_log').where('target_person_id', s.personId).whereNot('action', 'like', 'auth.%').select('action', 'actor_account_id', 'detail');
  expect(audit.map((x) => x.action)).toContain('overpayment.duplicate_auto_refund');
  expect(audit.every((x) => x.actor_account_id === null)).toBe(true);
  // 银行交易记录: the refund, its date and the way it went back, in plain words.
  const bank = visible((await s.c.get('/transactions/bank')).text);
  expect(bank).toContain(`已退款 ${amount} 元，退款日期 ${businessDate()}，原路退回${BANK_LABEL[channel]}`);
  for (const word of ['overpayment', 'refunded', 'attempt', 'duplicate']) expect(bank).not.toContain(word);
  expect(await ledgerClean(['wechat', channel])).toEqual([]);
}

describe.each(['icbc', 'unionpay', 'alipay'] as const)('%s: a page that cannot be closed', (channel) => {
  it('same order, then 微信支付: warned with the page\'s expiry; both paid → the second payment refunded through its channel by itself', async () => {
    const s = await student('250.00');
    const orderNo = await makeOrder(s.c, '代收', s.periodId, { [s.billId]: s.due });
    const first = await submit(s.c, orderNo, channel);
    expect(first.status, visible(first.text).slice(0, 300)).toBe(200);
    const oldPage = actionOf(first.text);
    const a = await expectShortLived(orderNo, channel);
    if (channel !== 'alipay') {
      // The bank page carries the attempt's expiry (expire_time / payTimeout).
      await fetch((oldPage as { url: string }).url, form((oldPage as { fields: Record<string, string> }).fields, { follow: true }));
      expect(Math.floor(tradeAt(channel, orderNo)!.expireAt!.getTime() / 1000)).toBe(Math.floor(new Date(a.expires_at).getTime() / 1000));
    }

    // 微信支付 chosen instead: the page warns, nothing is sent to WeChat.
    const ack = await expectWarning(await submit(s.c, orderNo, 'wechat'), channel, a.expires_at, orderNo);
    expect((await attemptsOf(orderNo)).map((x) => x.channel)).toEqual([channel]);
    expect(tradeAt('wechat', orderNo)).toBeUndefined();
    // A forged acknowledgement is refused by the form's validation, never taken as a choice.
    expect((await submit(s.c, orderNo, 'wechat', 'abc')).status).toBe(400);

    // 仍使用微信支付缴费: WeChat's QR; the old page stays live (not closed: it is still payable).
    const paidHere = await submit(s.c, orderNo, 'wechat', ack);
    expect(paidHere.status).toBe(200);
    await payAt(actionOf(paidHere.text));
    await waitForStatus(knex, orderNo, 'paid');
    // The payer pays the old page too.
    await payAt(oldPage);
    await expect.poll(async () => (await attemptsOf(orderNo)).map((x) => [x.channel, x.status]), { timeout: 8000 }).toEqual([[channel, 'paid'], ['wechat', 'paid']]);
    expect((await attemptsOf(orderNo)).find((x) => x.channel === channel)!.duplicate_payment).toBe(true);
    expect(await knex('bill_ledger').where({ bill_id: s.billId, kind: 'payment' }).count<{ n: string }[]>('* as n').then((r) => Number(r[0]!.n))).toBe(1);

    await expectRefundedThrough(s, orderNo, orderNo, channel, '250.00');
  });

  it('another order for the same bill: warned with the first order\'s page; both paid → the later payment refunded through its channel', async () => {
    const s = await student('250.00');
    // The first order pays part of the bill at the bank; the second (not the same lines, so not
    // reused) pays all of it through WeChat.
    const firstOrder = await makeOrder(s.c, '代收', s.periodId, { [s.billId]: '200.00' });
    const first = await submit(s.c, firstOrder, channel);
    expect(first.status).toBe(200);
    const oldPage = actionOf(first.text);
    const a = await expectShortLived(firstOrder, channel);

    // 交费信息显示 offers the first order; the payer replaces it. Its ICBC page cannot be closed,
    // so it stays payable (and live) until its expiry.
    const secondOrder = await makeOrder(s.c, '代收', s.periodId, { [s.billId]: '250.00' }, { replace: true });
    expect(secondOrder).not.toBe(firstOrder);
    const warned = await submit(s.c, secondOrder, 'wechat');
    const ack = await expectWarning(warned, channel, a.expires_at, firstOrder);
    expect(visible(warned.text)).toContain(`（缴费单 ${firstOrder}）`);
    expect(await attemptsOf(secondOrder)).toEqual([]);

    const paidHere = await submit(s.c, secondOrder, 'wechat', ack);
    expect(paidHere.status).toBe(200);
    await payAt(actionOf(paidHere.text));
    await waitForStatus(knex, secondOrder, 'paid');
    // The first order is not reported closed while its page may still be paid.
    expect(['created', 'paying']).toContain((await knex('orders').where({ order_no: firstOrder }).first('status')).status);
    await payAt(oldPage);
    await waitForStatus(knex, firstOrder, 'paid');
    expect((await attemptsOf(firstOrder))[0].duplicate_payment).toBe(true);

    await expectRefundedThrough(s, secondOrder, firstOrder, channel, '200.00');
    expect((await knex('orders').where({ order_no: firstOrder }).first('status')).status).toBe('refunded');
    expect((await knex('orders').where({ order_no: secondOrder }).first('status')).status).toBe('paid');
  });
});

describe('取消交费 and the expiry job with a page that cannot be closed', () => {
  it('取消交费 does not report the order cancelled while its ICBC page is payable; the expiry job settles it once the page lapsed', async () => {
    const s = await student('120.00');
    const orderNo = await makeOrder(s.c, '代收', s.periodId, { [s.billId]: s.due });
    const first = await submit(s.c, orderNo, 'icbc');
    const page = actionOf(first.text);
    await fetch((page as { url: string }).url, form((page as { fields: Record<string, string> }).fields, { follow: true }));
    const a = await expectShortLived(orderNo, 'icbc');

    await s.c.get(`/pay/orders/${orderNo}`);
    const cancel = await s.c.post(`/pay/orders/${orderNo}/cancel`, {});
    expect(cancel.status).toBe(409);
    const hhmm = businessTime(new Date(a.expires_at)).slice(0, 5);
    expect(visible(cancel.text)).toContain(`您在中国工商银行的支付页面在 ${hhmm} 前仍可付款`);
    const order = await knex('orders').where({ order_no: orderNo }).first('status', 'expires_at');
    expect(order.status).toBe('paying');
    // The order now ends with its page (and the grace given to the bank's clock).
    expect(new Date(order.expires_at).getTime()).toBe(new Date(a.expires_at).getTime() + EXPIRY_GRACE_MS);
    expect((await attemptsOf(orderNo))[0].status).toBe('sent');

    // The page lapses at the bank (its expire_time, brought to now) and in our records.
    const past = new Date(Date.now() - 10 * 60_000);
    tradeAt('icbc', orderNo)!.expireAt = past;
    await knex('payment_attempts').where({ id: a.id }).update({ expires_at: past });
    await knex('orders').where({ order_no: orderNo }).update({ expires_at: past });
    await jobs.find((j) => j.name === 'order-expiry')!.run();
    expect((await attemptsOf(orderNo))[0].status).toBe('closed');
    expect((await knex('orders').where({ order_no: orderNo }).first('status')).status).toBe('closed');
    // Closed only after the channel's last word (a query past the expiry).
    const close = await knex('channel_events').where({ attempt_id: a.id, kind: 'close' }).orderBy('id').pluck('outcome');
    expect(close).toEqual(['open', 'closed']);
  });
});
