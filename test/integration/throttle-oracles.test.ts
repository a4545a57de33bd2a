// Issue 12, review findings 2, 3, 5: the throttle's counters must not tell which accounts exist or
// which 找回密码 pairs are real, and one account has one counter however it is named.
import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { normaliseAnswer } from '../../src/domain/security-answer';
import { testApp } from '../helpers/app';
import { Client } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const app = testApp(db);
let host = 0;
const fresh = () => `192.0.2.${++host}`;

async function withQuestion(o: Parameters<typeof f.person>[1] = {}) {
  const p = await f.person(db.knex, o);
  await db.knex('accounts').where({ id: p.accountId }).update({ security_question: '您的出生地是？', security_answer_hash: await bcrypt.hash(normaliseAnswer('兰州'), 4) });
  return p;
}

async function startFrom(ip: string, username: string, idNumber: string) {
  const c = new Client(app, { ip });
  await c.get('/recover');
  return (await c.post('/recover', { username, idNumber })).status;
}

describe('the counters reveal no account', () => {
  it('5 failures as f9001, then one as F9001: the same answer whether F9001 exists or not', async () => {
    const oracle = async (upper: string) => {
      for (let i = 0; i < 5; i++) expect((await new Client(app, { ip: fresh() }).login(upper.toLowerCase(), 'wrong')).status).toBe(401);
      return (await new Client(app, { ip: fresh() }).login(upper, 'wrong')).status;
    };
    await f.person(db.knex, { number: 'F9001' });
    expect(await oracle('F9001')).toBe(await oracle('F9002'));
  });

  it('7 找回密码 starts from one address: a real pair with 密保 and a wrong pair get the same statuses', async () => {
    const real = await withQuestion();
    const other = await withQuestion();
    const seven = async (username: string, idNumber: () => string) => {
      const ip = fresh();
      const out: number[] = [];
      for (let i = 0; i < 7; i++) out.push(await startFrom(ip, username, idNumber()));
      return out;
    };
    const a = await seven(real.number, () => real.idNumber);
    const b = await seven(other.number, () => f.idNumber());
    expect(a).toEqual(b);
  });

  it('an external payer named by number and by 身份证号 has one 找回密码 counter', async () => {
    const p = await withQuestion({ kind: 'external', number: 'W0001' });
    for (let i = 0; i < 3; i++) expect(await startFrom(fresh(), p.number, f.idNumber())).toBe(303);
    for (let i = 0; i < 2; i++) expect(await startFrom(fresh(), p.idNumber, f.idNumber())).toBe(303);
    // Five failures at the account from anywhere: the sixth start, by either name, needs a 验证码.
    expect(await startFrom(fresh(), p.idNumber, f.idNumber())).toBe(400);
  });
});
