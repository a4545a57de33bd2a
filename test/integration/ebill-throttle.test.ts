// 电子票据查验 under the guess throttle (src/modules/auth/throttle.ts): wrong check codes from one address do not stop other
// people's bills, and guesses at one bill do not stop its holder (a 验证码 at most); the guessing
// address waits.
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { counterPayment } from '../factories-payments';
import { captchaOf } from './profile-helpers';

const db = await testDatabase();
const app = testApp(db);
let serial = 0;

/** A paid bill with its e-bill, as the issuing job leaves it. */
async function ebill() {
  const payer = await f.payerWithBill(db.knex, '财政', '100.00');
  const { receiptId } = await counterPayment(db.knex, { personId: payer.personId, lines: [{ billId: payer.billId, amount: '100.00' }], date: '2026-12-01' });
  const row = { receipt_id: receiptId, kind: 'fiscal', bill_code: '62010126', bill_no: String(7000000000 + ++serial), check_code: String(100000 + serial), issued_on: '2026-12-01', payer_name: '张三', total: '100.00' };
  await db.knex('ebills').insert(row);
  return `/ebills/verify?code=${row.bill_code}&no=${row.bill_no}&check=${row.check_code}`;
}

/** Checks as a person does: with the 验证码 when the page asks for one. */
async function verify(c: Client, url: string) {
  const first = await c.get(url);
  if (!(first.status === 400 && first.text.includes('name="captcha"'))) return { first, last: first };
  const { text: code } = await captchaOf(c, db.knex);
  return { first, last: await c.get(`${url}&captcha=${code}`) };
}

describe('e-bill check throttling', () => {
  it('checks a 51st bill from an address where 50 other bills each failed once (with a 验证码 at most)', async () => {
    const nat = '10.40.0.1';
    for (let i = 0; i < 50; i++) {
      expect((await new Client(app, { ip: nat }).get(`/ebills/verify?code=62010126&no=${8000000000 + i}&check=123456`)).status).toBe(404);
    }
    const { first, last } = await verify(new Client(app, { ip: nat }), await ebill());
    expect(first.status).not.toBe(429);
    expect(last.status).toBe(200);
    expect(text(last.text)).toContain('查验通过');
  });

  it('20 parallel wrong check codes at one bill: the holder checks it from elsewhere, the guessing address needs a 验证码', async () => {
    const url = await ebill();
    const wrong = url.replace(/check=\d+/, 'check=999999');
    const attacker = '203.0.113.90';
    const res = await Promise.all(Array.from({ length: 20 }, () => new Client(app, { ip: attacker }).get(wrong)));
    expect(res.filter((r) => r.status === 404).length).toBeLessThanOrEqual(5);
    expect(res.filter((r) => r.status === 400).length).toBeGreaterThanOrEqual(15);

    const { first, last } = await verify(new Client(app, { ip: '198.51.100.90' }), url);
    expect(first.status).toBe(400);
    expect(last.status).toBe(200);
    expect(text(last.text)).toContain('查验通过');

    // The holder's check forgave the bill's counter, not the guessing pair's: its next wrong code is
    // checked and starts its delay, and the one after waits (or brings a 验证码).
    expect((await new Client(app, { ip: attacker }).get(wrong)).status).toBe(404);
    const slowed = await new Client(app, { ip: attacker }).get(url);
    expect(slowed.status).toBe(429);
    expect(text(slowed.text)).not.toContain('查验通过');
  });

  it('refuses a bill code or number that can match no bill before any throttle row is written', async () => {
    const before = await db.knex('auth_throttle').count<{ n: string }[]>({ n: '*' });
    const res = await new Client(app, { ip: '203.0.113.91' }).get('/ebills/verify?code=6201-0126&no=70000%2F1&check=12345x');
    expect(res.status).toBe(400);
    expect(text(res.text)).toContain('票据代码不正确');
    expect(res.text).toContain('value="6201-0126"');
    expect(await db.knex('auth_throttle').count<{ n: string }[]>({ n: '*' })).toEqual(before);
  });
});
