// E-bill issuing against the simulated fiscal e-bill platform: retry with backoff until it answers,
// 已生成 once it has — the 非税收入 bill for 财政, the 资金往来结算票据 for 代收, each asked for by its
// 票据种类 — and the SMS notice queued with it.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessDate } from '../../src/domain/business-date';
import { issuePendingEbills, retryDelayMs } from '../../src/modules/ebills/issuing';
import { createEbillClient, EbillError } from '../../src/modules/ebills/client';
import { BILL_TYPE, type BillType } from '../../src/modules/ebills/protocol';
import { ebillSandbox } from '../../src/sandbox/ebill';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { paidOrder } from '../factories-payments';

const db = await testDatabase();
const settings = { appId: 'LUT-EBILL', secret: 'test-ebill-secret-0123456789abcdef' };
const sandbox = ebillSandbox({ ...settings, timeoutMs: 3_000 });
let server: Server;
let url = '';

beforeAll(async () => {
  const app = express();
  app.use('/ebill', sandbox.router);
  server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ebill`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const client = () => createEbillClient({ url, ...settings, timeoutMs: 500 });
const deps = (now: Date) => ({
  knex: db.knex, client: client(), schoolName: '兰州理工大学', publicUrl: 'https://pay.example.edu.cn', now: () => now,
});

/** A 财政 and (unless `collected` is false) a 代收 receipt of one payer, both waiting for their bills. */
async function setup(o: { collected?: boolean } = {}) {
  const p = await f.person(db.knex, { name: '董晨', password: 'Secret#2026a', mobile: '13912345678' });
  const period = await f.period(db.knex, `2019年度-${p.personId}`);
  const tuition = await f.feeItem(db.knex, { name: `普通高等教育学费-${p.personId}`, code: '10304275713' });
  const insurance = await f.feeItem(db.knex, { name: `医疗保险-${p.personId}`, category: '代收', code: '20190001' });
  const b1 = await f.bill(db.knex, { personId: p.personId, periodId: period.id, feeItemId: tuition.id, due: '9099.95' });
  const b2 = await f.bill(db.knex, { personId: p.personId, periodId: period.id, feeItemId: insurance.id, due: '250.00' });
  const fiscal = await paidOrder(db.knex, { personId: p.personId, channel: 'nontax', lines: [{ billId: b1, amount: '9099.95' }] });
  const collected = o.collected === false ? null : await paidOrder(db.knex, { personId: p.personId, channel: 'wechat', category: '代收', lines: [{ billId: b2, amount: '250.00' }] });
  return { p, fiscal, collected };
}

// Receipts are due from the moment they are written; each test runs its clock a little later.
const at = (minutesAhead: number) => new Date(Date.now() + minutesAhead * 60_000);
const receipt = (id: string) => db.knex('receipts').where({ id }).first();
const ebill = (receiptId: string) => db.knex('ebills').where({ receipt_id: receiptId }).first();

describe('e-bill issuing', () => {
  it('retries a failed request with backoff, then records the bill as 已生成 and queues the SMS', async () => {
    const { p, fiscal, collected: c } = await setup();
    const collected = c!;
    const t0 = at(1);
    sandbox.control.fail('error');
    const before = sandbox.control.requests;

    // The 代收 receipt is due a minute later, so the armed fault meets the 财政 one.
    await db.knex('receipts').where({ id: collected.receiptId }).update({ ebill_next_attempt_at: new Date(t0.getTime() + 60_000) });
    expect(await issuePendingEbills(deps(t0))).toMatchObject({ issued: 0, failed: 1 });
    let r = await receipt(fiscal.receiptId);
    expect(r.ebill_status).toBe('待生成');
    expect(r.ebill_attempts).toBe(1);
    expect(r.ebill_last_error).toContain('5001');
    expect(new Date(r.ebill_next_attempt_at).getTime()).toBe(t0.getTime() + retryDelayMs(1));
    expect(await ebill(fiscal.receiptId)).toBeUndefined();

    // Not due yet: nothing is asked.
    expect(await issuePendingEbills(deps(new Date(t0.getTime() + 30_000)))).toMatchObject({ issued: 0, failed: 0 });
    expect(sandbox.control.requests).toBe(before + 1);

    const second = await issuePendingEbills(deps(new Date(t0.getTime() + 61_000)));
    expect(second).toMatchObject({ issued: 2, failed: 0 });
    r = await receipt(fiscal.receiptId);
    expect(r.ebill_status).toBe('已生成');
    expect(r.ebill_last_error).toBeNull();
    const e = await ebill(fiscal.receiptId);
    const fromPlatform = sandbox.control.issued().find((x) => x.requestId === `R${fiscal.receiptId}-${fiscal.receiptNo}`)!;
    // 票据代码: 区划 62, the kind's 0101, the year.
    expect(fromPlatform).toMatchObject({ billType: BILL_TYPE.fiscal, channel: '网上支付', billCode: `620101${businessDate(t0).slice(2, 4)}` });
    expect(e).toMatchObject({ kind: 'fiscal', bill_code: fromPlatform.billCode, bill_no: fromPlatform.billNo, check_code: fromPlatform.checkCode, payer_name: '董晨', total: '9099.95', unit_name: '兰州理工大学', handler: '支付平台' });
    expect(e.check_code).toMatch(/^\d{6}$/);
    expect(e.remark).toBe(`兰州理工大学 2019年度-${p.personId}`);
    expect(e.lines).toEqual([{ code: '10304275713', name: `普通高等教育学费-${p.personId}`, unit: '元', quantity: '1', standard: '9099.95', amount: '9099.95' }]);

    const sms = await db.knex('sms_outbox').where({ receipt_id: fiscal.receiptId }).first();
    expect(sms).toMatchObject({ mobile: '13912345678', status: 'pending', purpose: 'ebill' });
    expect(sms.body).toContain('甘肃省非税收入统一票据（电子）已开具');
    expect(sms.body).toContain('9,099.95元');
    expect(sms.body).toContain(`https://pay.example.edu.cn/transactions/receipts/${fiscal.receiptNo}/ebill`);

    // 代收: the platform's 资金往来结算票据 (票据种类 0401), 已生成 like the fiscal bill.
    const s = await receipt(collected.receiptId);
    expect(s.ebill_status).toBe('已生成');
    const se = await ebill(collected.receiptId);
    const settlement = sandbox.control.issued().find((x) => x.requestId === `R${collected.receiptId}-${collected.receiptNo}`)!;
    expect(settlement).toMatchObject({ billType: BILL_TYPE.settlement, channel: '网上支付', billCode: `620401${businessDate(t0).slice(2, 4)}`, total: '250.00' });
    expect(se).toMatchObject({ kind: 'settlement', bill_code: settlement.billCode, bill_no: settlement.billNo, total: '250.00', unit_name: '兰州理工大学' });
    expect(se.bill_no).toMatch(/^\d{10}$/);
    const seSms = await db.knex('sms_outbox').where({ receipt_id: collected.receiptId }).first();
    expect(seSms.body).toContain('甘肃省行政事业单位资金往来结算票据（电子）已开具');

    // Nothing left to do, and a second run issues nothing twice.
    expect(await issuePendingEbills(deps(new Date(t0.getTime() + 3_600_000)))).toMatchObject({ issued: 0, failed: 0 });
  });

  it('refuses a forged answer, and the retry gets the same bill from the platform (requestId is idempotent)', async () => {
    const { fiscal } = await setup({ collected: false });
    const t0 = at(2);
    sandbox.control.fail('badsign');
    expect((await issuePendingEbills(deps(t0))).failed).toBe(1);
    const r = await receipt(fiscal.receiptId);
    expect(r.ebill_status).toBe('待生成');
    expect(r.ebill_last_error).toContain('bad signature');
    const issuedOnce = sandbox.control.issued().filter((x) => x.requestId === `R${fiscal.receiptId}-${fiscal.receiptNo}`);
    expect(issuedOnce).toHaveLength(1);

    await issuePendingEbills(deps(new Date(t0.getTime() + retryDelayMs(1))));
    const e = await ebill(fiscal.receiptId);
    expect(e.bill_no).toBe(issuedOnce[0]!.billNo);
    expect(sandbox.control.issued().filter((x) => x.requestId === `R${fiscal.receiptId}-${fiscal.receiptNo}`)).toHaveLength(1);
  });

  it('treats a timeout as a failure to retry, and backs off 1, 2, 4 … minutes up to an hour', async () => {
    const { fiscal } = await setup({ collected: false });
    const t0 = at(3);
    sandbox.control.fail('timeout');
    expect((await issuePendingEbills(deps(t0))).failed).toBe(1);
    expect((await receipt(fiscal.receiptId)).ebill_last_error).toContain('timeout');
    expect([1, 2, 3, 4, 7, 20].map(retryDelayMs)).toEqual([60_000, 120_000, 240_000, 480_000, 3_600_000, 3_600_000]);
    await issuePendingEbills(deps(new Date(t0.getTime() + 60_000)));
    expect((await receipt(fiscal.receiptId)).ebill_status).toBe('已生成');
  });

  it('never issues two bills when two runners race', async () => {
    const receipts = [];
    for (let i = 0; i < 3; i++) receipts.push((await setup()).fiscal.receiptId);
    const now = at(4);
    const results = await Promise.all([issuePendingEbills(deps(now)), issuePendingEbills(deps(now))]);
    expect(results.reduce((n, r) => n + r.issued, 0)).toBeGreaterThanOrEqual(3);
    for (const id of receipts) {
      expect(await db.knex('ebills').where({ receipt_id: id }).count('* as n').first()).toMatchObject({ n: '1' });
      expect(await db.knex('sms_outbox').where({ receipt_id: id }).count('* as n').first()).toMatchObject({ n: '1' });
    }
  });

  it('refuses, for good, a 票据种类 the school was not given, or a request without its 收费渠道', async () => {
    const request = { requestId: `KIND-${Date.now()}`, payerName: '董晨', payerNumber: '1', unitName: '兰州理工大学', remark: '', payDate: '2026-09-01', total: '1.00',
      lines: [{ code: '1', name: '学费', unit: '元', quantity: '1', standard: '1.00', amount: '1.00' }] };
    for (const bad of [{ billType: '0301' as BillType, channel: '网上支付' }, { billType: BILL_TYPE.fiscal, channel: '' }]) {
      const err = await client().issue({ ...request, ...bad }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EbillError);
      expect((err as EbillError).permanent).toBe(true);
      expect((err as EbillError).message).toContain('4000');
    }
  });

  it('refuses a request signed with the wrong secret at the platform', async () => {
    const { fiscal } = await setup();
    const wrong = createEbillClient({ url, appId: settings.appId, secret: 'not-the-secret-not-the-secret-000', timeoutMs: 500 });
    const res = await issuePendingEbills({ ...deps(at(5)), client: wrong });
    expect(res.failed).toBeGreaterThanOrEqual(1);
    // The platform's refusal is signed with the real secret, which the wrong client cannot verify.
    expect((await receipt(fiscal.receiptId)).ebill_last_error).toMatch(/refused/);
  });
});
