// 找回密码 under the guess throttle (src/modules/auth/throttle.ts): failures from one address do not stop other people, and
// guesses at one user name do not stop its owner (a 验证码 at most); the guessing address waits.
import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { normaliseAnswer } from '../../src/domain/security-answer';
import { testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { captchaOf } from './profile-helpers';

const db = await testDatabase();
const app = testApp(db);

async function withQuestion() {
  const p = await f.person(db.knex);
  await db.knex('accounts').where({ id: p.accountId }).update({ security_question: '您的出生地是？', security_answer_hash: await bcrypt.hash(normaliseAnswer('兰州'), 4) });
  return p;
}

/** Step 1 as a person does it: with the 验证码 when the page asks for one. */
async function start(c: Client, username: string, idNumber: string) {
  await c.get('/recover');
  const first = await c.post('/recover', { username, idNumber });
  if (!(first.status === 400 && first.text.includes('name="captcha"'))) return { first, last: first };
  const { text: code } = await captchaOf(c, db.knex);
  return { first, last: await c.post('/recover', { username, idNumber, captcha: code }) };
}

async function answerAndReset(c: Client) {
  await c.get('/recover/answer');
  const { text: code } = await captchaOf(c, db.knex);
  const answered = await c.post('/recover/answer', { answer: '兰州', captcha: code });
  expect(answered.headers.location).toBe('/recover/reset');
  await c.get('/recover/reset');
  return c.post('/recover/reset', { next: 'Found#Pass2026', confirm: 'Found#Pass2026' });
}

describe('找回密码 throttling', () => {
  it('lets a 51st person recover from an address where 50 others each failed once (with a 验证码 at most)', async () => {
    const nat = '10.30.0.1';
    for (let i = 0; i < 50; i++) {
      const c = new Client(app, { ip: nat });
      await c.get('/recover');
      const r = await c.post('/recover', { username: `student-${i}`, idNumber: f.idNumber() });
      expect(r.status).toBe(303);
    }
    const p = await withQuestion();
    const c = new Client(app, { ip: nat });
    const { first, last } = await start(c, p.number, p.idNumber);
    expect(first.status).not.toBe(429);
    expect(last.headers.location).toBe('/recover/answer');
    expect((await answerAndReset(c)).headers.location).toBe('/recover/done');
  });

  it('20 parallel wrong pairs at one user name: the owner recovers from elsewhere, the guessing address needs a 验证码', async () => {
    const p = await withQuestion();
    const attacker = '203.0.113.80';
    const clients = await Promise.all(Array.from({ length: 20 }, async () => {
      const c = new Client(app, { ip: attacker });
      await c.get('/recover');
      return c;
    }));
    const res = await Promise.all(clients.map((c) => c.post('/recover', { username: p.number, idNumber: f.idNumber() })));
    expect(res.filter((r) => r.status === 303).length).toBeLessThanOrEqual(5);
    expect(res.filter((r) => r.status === 400 && text(r.text).includes('请输入验证码')).length).toBeGreaterThanOrEqual(15);

    const owner = new Client(app, { ip: '198.51.100.80' });
    const { first, last } = await start(owner, p.number, p.idNumber);
    expect(first.status).toBe(400); // asked for a 验证码, not refused
    expect(last.headers.location).toBe('/recover/answer');
    expect((await answerAndReset(owner)).headers.location).toBe('/recover/done');

    // The owner's recovery forgave the account's counter, not the guessing pair's: its next wrong
    // start is checked and starts its delay, and the one after waits (or brings a 验证码).
    const again = async () => {
      const c = new Client(app, { ip: attacker });
      await c.get('/recover');
      return c.post('/recover', { username: p.number, idNumber: f.idNumber() });
    };
    expect((await again()).status).toBe(303);
    const slowed = await again();
    expect(slowed.status).toBe(429);
    expect(text(slowed.text)).toMatch(/尝试次数过多，请\d+秒后再试/);
  });
});
