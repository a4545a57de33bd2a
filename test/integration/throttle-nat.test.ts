// Issue 12, review finding 1: a guesser and the owner behind one campus NAT address. The guesser
// must not be able to keep the pair's delay running by sending requests that are never checked
// (no 验证码), and the owner with the right password and a 验证码 must always get in, delay or not.
import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { normaliseAnswer } from '../../src/domain/security-answer';
import { PAIR_FREE_FAILURES } from '../../src/modules/auth/throttle';
import { testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { counterPayment } from '../factories-payments';
import { captchaOf, guessPastFreeFailures } from './profile-helpers';

const db = await testDatabase();
const app = testApp(db);

/** Pretends the pair's delay at this address ran out (tests do not wait on the clock). */
const delayRunsOut = (address: string) =>
  db.knex('auth_throttle').where({ address }).whereNotNull('next_at').update({ next_at: db.knex.raw(`now() - interval '1 second'`) });
const delayed = async (address: string) =>
  Number((await db.knex('auth_throttle').where({ address }).andWhere('next_at', '>', db.knex.fn.now()).count<{ n: string }[]>({ n: '*' }))[0]!.n);

describe('a guesser and the owner behind one NAT address', () => {
  it('系统登陆: a request without a 验证码 starts no delay, and the owner with a 验证码 gets in while one runs', async () => {
    const p = await f.person(db.knex, { password: 'Right#pass2026' });
    const nat = '10.60.0.1';
    // One more checked wrong guess (it needs a 验证码 now) starts the pair's delay.
    expect((await guessPastFreeFailures(app, db.knex, p.number, nat)).status).toBe(401);
    expect(await delayed(nat)).toBe(1);

    // The owner, same address, while the delay runs: told to wait or give a 验证码; with one, in.
    const o = new Client(app, { ip: nat });
    const asked = await o.login(p.number, 'Right#pass2026');
    expect(asked.status).toBe(429);
    expect(asked.text).toContain('name="captcha"');
    expect((await o.post('/login', { username: p.number, password: 'Right#pass2026', captcha: (await captchaOf(o, db.knex)).text })).status).toBe(303);
  });

  it('系统登陆: when the delay runs out, a request without a 验证码 does not start a fresh one', async () => {
    const p = await f.person(db.knex, { password: 'Right#pass2026' });
    const nat = '10.60.0.2';
    await guessPastFreeFailures(app, db.knex, p.number, nat);
    await delayRunsOut(nat);
    const bare = await new Client(app, { ip: nat }).login(p.number, 'wrong-y');
    expect(bare.status).toBe(400);
    expect(text(bare.text)).toContain('请输入验证码');
    expect(await delayed(nat)).toBe(0);
    // So the owner is not told to wait: a 验证码, and in.
    const o = new Client(app, { ip: nat });
    const asked = await o.login(p.number, 'Right#pass2026');
    expect(asked.status).toBe(400);
    expect((await o.post('/login', { username: p.number, password: 'Right#pass2026', captcha: (await captchaOf(o, db.knex)).text })).status).toBe(303);
  });

  it('找回密码 step 1: the owner with a 验证码 gets the question while the delay runs; a bare request starts none', async () => {
    const p = await f.person(db.knex);
    await db.knex('accounts').where({ id: p.accountId }).update({ security_question: '您的出生地是？', security_answer_hash: await bcrypt.hash(normaliseAnswer('兰州'), 4) });
    const nat = '10.60.0.3';
    const startFrom = async (idNumber: string, withCaptcha: boolean) => {
      const c = new Client(app, { ip: nat });
      await c.get('/recover');
      return c.post('/recover', { username: p.number, idNumber, ...(withCaptcha ? { captcha: (await captchaOf(c, db.knex)).text } : {}) });
    };
    for (let i = 0; i < PAIR_FREE_FAILURES; i++) expect((await startFrom(f.idNumber(), false)).status).toBe(303);
    expect((await startFrom(f.idNumber(), true)).status).toBe(303);
    expect(await delayed(nat)).toBe(1);
    expect((await startFrom(p.idNumber, false)).status).toBe(429);
    const owner = await startFrom(p.idNumber, true);
    expect(owner.headers.location).toBe('/recover/answer');

    await delayRunsOut(nat);
    expect((await startFrom(f.idNumber(), false)).status).toBe(400);
    expect(await delayed(nat)).toBe(0);
  });

  it('电子票据查验: the holder with a 验证码 checks the bill while the delay runs; a bare request starts none', async () => {
    const payer = await f.payerWithBill(db.knex, '财政', '100.00');
    const { receiptId } = await counterPayment(db.knex, { personId: payer.personId, lines: [{ billId: payer.billId, amount: '100.00' }], date: '2026-12-01' });
    await db.knex('ebills').insert({ receipt_id: receiptId, kind: 'fiscal', bill_code: '62010126', bill_no: '7100000001', check_code: '100001', issued_on: '2026-12-01', payer_name: '张三', total: '100.00' });
    const url = '/ebills/verify?code=62010126&no=7100000001&check=100001';
    const wrong = url.replace('check=100001', 'check=999999');
    const nat = '10.60.0.4';
    const check = async (u: string, withCaptcha: boolean) => {
      const c = new Client(app, { ip: nat });
      return c.get(withCaptcha ? `${u}&captcha=${(await captchaOf(c, db.knex)).text}` : u);
    };
    for (let i = 0; i < PAIR_FREE_FAILURES; i++) expect((await check(wrong, false)).status).toBe(404);
    expect((await check(wrong, true)).status).toBe(404);
    expect(await delayed(nat)).toBe(1);
    expect((await check(url, false)).status).toBe(429);
    const holder = await check(url, true);
    expect(holder.status).toBe(200);
    expect(text(holder.text)).toContain('查验通过');

    // The holder's check forgave the pair; fail again into a delay, let it run out, send a bare one.
    for (let i = 0; i < PAIR_FREE_FAILURES + 1; i++) await check(wrong, true);
    expect(await delayed(nat)).toBe(1);
    await delayRunsOut(nat);
    expect((await check(wrong, false)).status).toBe(400);
    expect(await delayed(nat)).toBe(0);
  });
});
