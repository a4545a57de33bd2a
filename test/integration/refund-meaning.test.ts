// What a refund means, chosen by finance on the person page and read back by the student:
// money back (what is owed stays: a bill refunded in full is owed, payable again and in the
// arrears reports), or money back because the fee is reduced (休学, 退学, 减免: the reduction is
// posted in the refund's own transaction, so the bill stays settled and leaves the reports).
// Everything goes over HTTP: the student pays at the ICBC sandbox through the wizard, finance
// refunds from the console through ICBC's refund API, the student reads 银行交易记录, its 明细 and
// 已缴费信息. Faults: the channel's unclear answer (armFault), and the database refusing the
// reduction entry halfway through the posting transaction (a trigger in this test's database).
import { describe, expect, it } from 'vitest';
import { businessDate } from '../../src/domain/business-date';
import { reportsRepo } from '../../src/modules/console/reports/repo';
import { payableBills } from '../../src/modules/fees/payable';
import { ledgerCheckRepo } from '../../src/modules/reconcile/ledger-check-repo';
import { checkLedger } from '../../src/modules/reconcile/ledger-check';
import { Client, text } from '../helpers/client';
import { armFault, count, makeOrder, refundFromConsole, refundQueryJob, tableCounts, waitForStatus } from '../helpers/world';
import * as f from '../factories';
import { platformWorld } from './channel-harness';

const w = await platformWorld('icbc');
const { knex } = w;
const FIN_PASSWORD = 'Finance#2026x';
const fin = await f.person(knex, { role: 'finance_admin', password: FIN_PASSWORD });

async function finance() {
  const c = new Client(w.env.app);
  expect((await c.login(fin.number, FIN_PASSWORD)).status).toBe(303);
  return c;
}

/** A student who paid their one 代收 bill in full at ICBC, through the wizard. */
async function paidInFull(due: string) {
  const s = await w.student(due);
  const { c, orderNo, action } = await w.wizard(s);
  await w.payAt(action);
  await waitForStatus(knex, orderNo, 'paid');
  const itemId = (await knex('bills').where({ id: s.billId }).first('fee_item_id')).fee_item_id as number;
  return { ...s, student: c, orderNo, itemId };
}

/** paidInFull(`due`), and finance signed in at that student's person page. */
async function atPersonPage(due: string) {
  const s = await paidInFull(due);
  const c = await finance();
  await c.get(`/console/people/${s.personId}`);
  return { s, c };
}

const billOf = (id: number) => knex('bills').where({ id }).first('due', 'reduction', 'paid', 'refunded');
const arrearsReport = (feeItemId: number) => reportsRepo(knex).totals({ collegeId: null }, { feeItemId });
const ledgerOf = (billId: number) => knex('bill_ledger').where({ bill_id: billId }).orderBy('id').select('kind', 'amount', 'reason', 'created_at');
const WRITES = ['refunds', 'bill_ledger', 'audit_log', 'orders', 'overpayments'] as const;

describe('退费性质: money back, what is owed stays', () => {
  it('a bill paid in full and handed back is owed again: 核对退费 says so first, then it is payable and in the arrears report', async () => {
    const { s, c } = await atPersonPage('249.99');
    const fields = { bill: String(s.billId), amount: '249.99', purpose: 'money_back', mode: 'channel', reason: '误缴，原路退回' };

    // 核对退费 writes nothing and says plainly what the refund will do.
    const before = await tableCounts(knex, WRITES);
    const check = await c.post(`/console/people/${s.personId}/refund`, fields);
    expect(check.status, text(check.text).slice(0, 300)).toBe(200);
    const said = text(check.text);
    for (const s2 of ['核对退费', '退费后该账单将重新欠费 249.99 元', '显示为“未完成”，可以再次缴费，并计入欠费统计', '原路退回工商银行', '确认退费', '返回修改']) expect(said).toContain(s2);
    expect(await tableCounts(knex, WRITES)).toEqual(before);
    // 返回修改 brings the form back with what was typed.
    const again = await c.post(`/console/people/${s.personId}/refund`, { ...fields, edit: '1' });
    expect(again.text).toContain('id="refund-form"');
    expect(again.text).toContain('value="误缴，原路退回"');

    const { done } = await refundFromConsole(c, s.personId, fields);
    expect(done.status, text(done.text).slice(0, 300)).toBe(303);
    expect(await billOf(s.billId)).toEqual({ due: '249.99', reduction: '0.00', paid: '249.99', refunded: '249.99' });
    expect(await knex('refunds').where({ bill_id: s.billId }).first('status', 'purpose', 'reduction_amount')).toEqual({ status: 'succeeded', purpose: 'money_back', reduction_amount: null });
    expect(w.env.sandbox.icbc.trades.get(s.orderNo)!.refundedFen).toBe(24_999n);

    // Owed again: 未完成 on 当前费用, offered by 学费缴费, counted in the arrears report.
    const fees = text((await s.student.get('/fees')).text);
    expect(fees).toContain('未完成');
    expect(fees).not.toContain('已完成');
    expect((await payableBills(knex, s.personId, new Date())).map((b) => b.billId)).toEqual([s.billId]);
    expect(await makeOrder(s.student, '代收', s.periodId, { [s.billId]: '249.99' })).toMatch(/^XF/);
    const report = await arrearsReport(s.itemId);
    expect([report.arrears.toFixed(2), report.inArrears]).toEqual(['249.99', 1]);
    expect(await checkLedger(ledgerCheckRepo(knex))).toEqual([]);
  });

  it('an overpayment handed back leaves the bill settled, and 核对退费 says that instead', async () => {
    const { s, c } = await atPersonPage('200.00');
    // 200.00 paid on a bill whose fee was lowered to 150.00 since: 50.00 was paid beyond it.
    expect((await c.post(`/console/people/${s.personId}/adjust`, { bill: String(s.billId), kind: 'adjustment', amount: '-50', reason: '收费标准调整' })).status).toBe(303);
    const { check, done } = await refundFromConsole(c, s.personId, { bill: String(s.billId), amount: '50.00', mode: 'offline', reason: '退回多缴款' });
    expect(text(check.text)).toContain('退回的是多缴的部分。退费后该账单仍为已缴清');
    expect(done.status).toBe(303);
    expect(await billOf(s.billId)).toEqual({ due: '150.00', reduction: '0.00', paid: '200.00', refunded: '50.00' });
    expect((await arrearsReport(s.itemId)).inArrears).toBe(0);
    expect(await checkLedger(ledgerCheckRepo(knex))).toEqual([]);
  });
});

describe('退费性质: the fee is reduced (休学, 退学, 减免)', () => {
  it('退学 in full: the reduction is posted with the refund in one transaction, with its reason; the bill stays settled and leaves the report', async () => {
    const { s, c } = await atPersonPage('300.00');
    const fields = { bill: String(s.billId), amount: '300.00', purpose: 'fee_reduced', cause: 'withdrawal', mode: 'channel', reason: '学生退学，学费全免' };
    const { check, done } = await refundFromConsole(c, s.personId, fields);
    const said = text(check.text);
    expect(said).toContain('应收金额同时减免 300.00 元（退学）');
    expect(said).toContain('退费后该账单仍为已缴清，学生无需再缴，不计入欠费统计');
    expect(done.status, text(done.text).slice(0, 300)).toBe(303);

    expect(await billOf(s.billId)).toEqual({ due: '300.00', reduction: '300.00', paid: '300.00', refunded: '300.00' });
    expect(await knex('refunds').where({ bill_id: s.billId }).first('status', 'purpose', 'reduction_cause', 'reduction_amount'))
      .toEqual({ status: 'succeeded', purpose: 'fee_reduced', reduction_cause: 'withdrawal', reduction_amount: '300.00' });
    const ledger = await ledgerOf(s.billId);
    expect(ledger.map((e) => [e.kind, e.amount])).toEqual([['charge', '300.00'], ['payment', '300.00'], ['refund', '300.00'], ['reduction', '300.00']]);
    // One transaction: PostgreSQL's now() is the transaction's start, shared by both entries.
    expect(ledger[3]!.created_at.getTime()).toBe(ledger[2]!.created_at.getTime());
    expect(ledger[3]!.reason).toContain('退学');
    expect(ledger[3]!.reason).toContain('学生退学，学费全免');

    // Settled: 已完成, not offered by 学费缴费, not in the arrears report.
    const fees = text((await s.student.get('/fees')).text);
    expect(fees).toContain('已完成');
    expect(fees).not.toContain('未完成');
    expect(await payableBills(knex, s.personId, new Date())).toEqual([]);
    const chosen = await s.student.post('/pay/items', { category: '代收', period: String(s.periodId), bill: [String(s.billId)], [`amount_${s.billId}`]: '300.00' });
    expect(chosen.status).not.toBe(303);
    const report = await arrearsReport(s.itemId);
    expect([report.arrears.toFixed(2), report.inArrears, report.reduction.toFixed(2)]).toEqual(['0.00', 0, '300.00']);
    expect(await checkLedger(ledgerCheckRepo(knex))).toEqual([]);
  });

  it('休学 in part: the reduction defaults to the refund; a smaller one that would leave the bill owed is refused, writing nothing', async () => {
    const { s, c } = await atPersonPage('300.00');
    const before = await tableCounts(knex, WRITES);
    const small = await refundFromConsole(c, s.personId, { bill: String(s.billId), amount: '120.00', purpose: 'fee_reduced', cause: 'suspension', reduction: '50', mode: 'offline', reason: '休学一学期' });
    expect(small.done.status).toBe(400);
    expect(text(small.done.text)).toContain('减免金额至少为 120.00 元');
    const noCause = await refundFromConsole(c, s.personId, { bill: String(s.billId), amount: '120.00', purpose: 'fee_reduced', mode: 'offline', reason: '休学一学期' });
    expect(text(noCause.done.text)).toContain('请选择减免原因');
    expect(await tableCounts(knex, WRITES)).toEqual(before);

    const { done } = await refundFromConsole(c, s.personId, { bill: String(s.billId), amount: '120.00', purpose: 'fee_reduced', cause: 'suspension', mode: 'offline', reason: '休学一学期' });
    expect(done.status).toBe(303);
    expect(await billOf(s.billId)).toEqual({ due: '300.00', reduction: '120.00', paid: '300.00', refunded: '120.00' });
    expect((await arrearsReport(s.itemId)).inArrears).toBe(0);
    expect(await checkLedger(ledgerCheckRepo(knex))).toEqual([]);
  });

  it('a bill that changed after 核对退费 is not refunded on what finance read: they are asked to look again', async () => {
    const { s, c } = await atPersonPage('100.00');
    const fields = { bill: String(s.billId), amount: '100.00', purpose: 'money_back', mode: 'offline', reason: '误缴退回' };
    const check = await c.post(`/console/people/${s.personId}/refund`, fields);
    const version = /name="version" value="(\d+)"/.exec(check.text)![1]!;
    expect((await c.post(`/console/people/${s.personId}/adjust`, { bill: String(s.billId), kind: 'reduction', amount: '10', reason: '绿色通道' })).status).toBe(303);
    const stale = await c.post(`/console/people/${s.personId}/refund`, { ...fields, version, confirm: '1' });
    expect(stale.status).toBe(400);
    expect(text(stale.text)).toContain('请重新核对后再确认退费');
    expect(await count(knex('refunds').where({ bill_id: s.billId }))).toBe(0);
  });
});

describe('the student sees each refund', () => {
  it('on 银行交易记录, its 明细 (which shows no 验签) and 已缴费信息: amount, date and the way it went back', async () => {
    const { s, c } = await atPersonPage('260.00');
    expect((await refundFromConsole(c, s.personId, { bill: String(s.billId), amount: '60.00', purpose: 'fee_reduced', cause: 'waiver', mode: 'channel', reason: '困难学生减免' })).done.status).toBe(303);
    expect((await refundFromConsole(c, s.personId, { bill: String(s.billId), amount: '20.00', purpose: 'money_back', mode: 'offline', reason: '柜台退回' })).done.status).toBe(303);
    const rows = await knex('refunds').where({ bill_id: s.billId }).orderBy('id').select('settled_at', 'requested_at');
    const [channelDay, offlineDay] = rows.map((r) => businessDate(new Date(r.settled_at ?? r.requested_at)));
    const item = (await knex('fee_items').where({ id: s.itemId }).first('name')).name as string;

    const bank = text((await s.student.get('/transactions/bank')).text);
    expect(bank).toContain(`退款记录 退款日期 收费项目 退款金额 退款方式 退款状态 说明 ${offlineDay} `);
    expect(bank).toContain(`${item} ¥ 20.00 财务处线下退款 已退款 退回多缴或误缴的款项`);
    expect(bank).toContain(`${channelDay} `);
    expect(bank).toContain(`${item} ¥ 60.00 原路退回工商银行 已退款 减免退费，应缴金额减免 60.00 元`);
    // The payment's own line says what of it went back through its channel.
    expect(bank).toContain(`已退款 60.00 元，退款日期 ${channelDay}，原路退回工商银行`);

    const detail = await s.student.get(`/transactions/orders/${s.orderNo}`);
    const d = text(detail.text);
    expect(d).toContain(`本订单的退款`);
    expect(d).toContain(`${channelDay} `);
    expect(d).toContain(`¥ 60.00 原路退回工商银行 已退款`);
    // Only the refund through this order: the offline one went through no order.
    expect(d).not.toContain('财务处线下退款');
    expect(detail.text).not.toContain('验签');

    const receipts = text((await s.student.get('/transactions/receipts')).text);
    expect(receipts).toContain('退费记录');
    expect(receipts).toContain(`${item} ¥ 60.00 原路退回工商银行 已退款`);
    expect(receipts).toContain(`${item} ¥ 20.00 财务处线下退款 已退款`);
    const receiptNo = (await knex('receipts').where({ person_id: s.personId }).first('receipt_no')).receipt_no as string;
    const receipt = text((await s.student.get(`/transactions/receipts/${receiptNo}`)).text);
    expect(receipt).toContain('以上收费项目的退费');
    expect(receipt).toContain('¥ 60.00');
    expect(receipt).toContain('¥ 20.00');
    for (const page of [bank, d, receipts, receipt]) for (const word of ['验签', 'fee_reduced', 'money_back', 'succeeded', 'pending', 'waiver']) expect(page).not.toContain(word);
    expect(await checkLedger(ledgerCheckRepo(knex))).toEqual([]);
  });
});

describe('a fault between the steps leaves nothing half done', () => {
  it('the channel took a fee-reduced refund but its answer was unclear: nothing is posted, the reduction stays reserved, and the refund query posts both once', async () => {
    const { s, c } = await atPersonPage('400.00');
    await armFault(w.env, 'icbc', 'refund_error');
    const ledger = await count(knex('bill_ledger').where({ bill_id: s.billId }));
    const { done } = await refundFromConsole(c, s.personId, { bill: String(s.billId), amount: '400.00', purpose: 'fee_reduced', cause: 'withdrawal', mode: 'channel', reason: '退学退费' });
    expect(done.status).toBe(400);
    expect(text(done.text)).toContain('处理中');
    expect(w.env.sandbox.icbc.trades.get(s.orderNo)!.refundedFen).toBe(40_000n);
    expect(await knex('refunds').where({ bill_id: s.billId }).first('status', 'reduction_amount')).toEqual({ status: 'pending', reduction_amount: '400.00' });
    // Neither entry, not one without the other.
    expect(await billOf(s.billId)).toEqual({ due: '400.00', reduction: '0.00', paid: '400.00', refunded: '0.00' });
    expect(await count(knex('bill_ledger').where({ bill_id: s.billId }))).toBe(ledger);
    // The reduction is held for the pending refund: a 减免 of the whole fee meanwhile is refused.
    const reduce = await c.post(`/console/people/${s.personId}/adjust`, { bill: String(s.billId), kind: 'reduction', amount: '400', reason: '重复减免' });
    expect(reduce.status).toBe(400);
    expect(text(reduce.text)).toContain('减免金额不能超过应收金额');
    // The student sees the refund under way.
    expect(text((await s.student.get('/transactions/bank')).text)).toContain('¥ 400.00 原路退回工商银行 退款处理中');

    await refundQueryJob(w.env.config, knex).run();
    await refundQueryJob(w.env.config, knex).run();
    expect(await knex('refunds').where({ bill_id: s.billId }).first('status')).toEqual({ status: 'succeeded' });
    expect(await billOf(s.billId)).toEqual({ due: '400.00', reduction: '400.00', paid: '400.00', refunded: '400.00' });
    const entries = await ledgerOf(s.billId);
    expect(entries.map((e) => e.kind)).toEqual(['charge', 'payment', 'refund', 'reduction']);
    expect(entries[3]!.created_at.getTime()).toBe(entries[2]!.created_at.getTime());
    expect(w.env.sandbox.icbc.trades.get(s.orderNo)!.refundedFen).toBe(40_000n);
    expect((await arrearsReport(s.itemId)).inArrears).toBe(0);
    expect(await checkLedger(ledgerCheckRepo(knex))).toEqual([]);
  });

  it('the database refuses the reduction entry after the refund entry was written: the whole posting rolls back, offline or after the channel paid out', async () => {
    await knex.raw(`CREATE FUNCTION test_refuse_reduction() RETURNS trigger AS $$
      BEGIN IF NEW.kind = 'reduction' THEN RAISE EXCEPTION 'injected fault: reduction entry refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await knex.raw('CREATE TRIGGER test_refuse_reduction BEFORE INSERT ON bill_ledger FOR EACH ROW EXECUTE FUNCTION test_refuse_reduction()');
    const heal = () => knex.raw('DROP TRIGGER IF EXISTS test_refuse_reduction ON bill_ledger');
    try {
      const { s, c } = await atPersonPage('500.00');
      const before = await tableCounts(knex, WRITES);
      const offline = await refundFromConsole(c, s.personId, { bill: String(s.billId), amount: '100.00', purpose: 'fee_reduced', cause: 'suspension', mode: 'offline', reason: '休学退费' });
      expect(offline.done.status).toBe(500);
      // No refund row, no refund entry, no audit row: the refund never happened here.
      expect(await tableCounts(knex, WRITES)).toEqual(before);
      expect(await billOf(s.billId)).toEqual({ due: '500.00', reduction: '0.00', paid: '500.00', refunded: '0.00' });

      // Through the channel: ICBC pays out, then posting fails. The refund stays pending (its
      // amount and reduction reserved), nothing is on the books, and the refund query posts it.
      await c.get(`/console/people/${s.personId}`);
      const channel = await refundFromConsole(c, s.personId, { bill: String(s.billId), amount: '100.00', purpose: 'fee_reduced', cause: 'suspension', mode: 'channel', reason: '休学退费' });
      expect(channel.done.status).toBe(500);
      expect(w.env.sandbox.icbc.trades.get(s.orderNo)!.refundedFen).toBe(10_000n);
      expect(await knex('refunds').where({ bill_id: s.billId }).select('status')).toEqual([{ status: 'pending' }]);
      expect(await billOf(s.billId)).toEqual({ due: '500.00', reduction: '0.00', paid: '500.00', refunded: '0.00' });
      expect(await count(knex('bill_ledger').where({ bill_id: s.billId }).whereIn('kind', ['refund', 'reduction']))).toBe(0);
      // Still failing: the job leaves it pending, as it was.
      await refundQueryJob(w.env.config, knex).run().catch(() => undefined);
      expect(await billOf(s.billId)).toEqual({ due: '500.00', reduction: '0.00', paid: '500.00', refunded: '0.00' });

      await heal();
      await refundQueryJob(w.env.config, knex).run();
      expect(await knex('refunds').where({ bill_id: s.billId }).select('status')).toEqual([{ status: 'succeeded' }]);
      expect(await billOf(s.billId)).toEqual({ due: '500.00', reduction: '100.00', paid: '500.00', refunded: '100.00' });
      expect(w.env.sandbox.icbc.trades.get(s.orderNo)!.refundedFen).toBe(10_000n);
      expect(await checkLedger(ledgerCheckRepo(knex))).toEqual([]);
    } finally {
      await heal();
      await knex.raw('DROP FUNCTION IF EXISTS test_refuse_reduction()');
    }
  });
});
