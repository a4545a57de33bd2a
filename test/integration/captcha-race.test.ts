// One 验证码 answer, one use, whatever the concurrency: the answer is consumed by one DELETE ...
// RETURNING, so of 20 requests carrying it at once exactly one is accepted (when the answer lived in
// the session, every request read it before any of them deleted it, and 5 were accepted).
import bcrypt from 'bcrypt';
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { normaliseAnswer } from '../../src/domain/security-answer';
import { captchas } from '../../src/modules/captcha/routes';
import { testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { captchaOf } from './profile-helpers';

const db = await testDatabase();
const app = testApp(db);

describe('captchas under concurrency', () => {
  it('20 parallel 找回密码 answers with one captcha: exactly 1 gets past it, 19 are told it is spent', async () => {
    const p = await f.person(db.knex);
    await db.knex('accounts').where({ id: p.accountId }).update({ security_question: '您的出生地是？', security_answer_hash: await bcrypt.hash(normaliseAnswer('兰州'), 4) });
    const c = new Client(app);
    await c.get('/recover');
    await c.post('/recover', { username: p.number, idNumber: p.idNumber });
    await c.get('/recover/answer');

    // A wrong answer: whoever gets past the captcha is told the answer is wrong, the others that the captcha is spent.
    const first = await captchaOf(c, db.knex);
    const wrong = await Promise.all(Array.from({ length: 20 }, () => c.post('/recover/answer', { answer: '北京', captcha: first.text })));
    const said = wrong.map((r) => text(r.text));
    expect(said.filter((t) => t.includes('密保答案不正确'))).toHaveLength(1);
    expect(said.filter((t) => t.includes('验证码已失效，请重新输入'))).toHaveLength(19);

    // The right answer: one goes on to 重新设置密码. The others are refused, either for the spent
    // captcha or (arriving after the winner replaced the session) for the session they came with.
    const second = await captchaOf(c, db.knex);
    const right = await Promise.all(Array.from({ length: 20 }, () => c.post('/recover/answer', { answer: '兰州', captcha: second.text })));
    expect(right.filter((r) => r.status === 303)).toHaveLength(1);
    for (const r of right.filter((x) => x.status !== 303)) {
      expect([400, 403]).toContain(r.status);
      if (r.status === 400) expect(text(r.text)).toContain('验证码已失效，请重新输入');
    }
  });

  it('takes one answer once across 20 parallel checks of the store itself', async () => {
    const store = captchas(db.knex);
    const req = { sessionID: 'race-session' } as Request;
    await db.knex('captchas').insert({ session_id: 'race-session', answer: 'abcd', expires_at: db.knex.raw(`now() + interval '1 minute'`) });
    const results = await Promise.all(Array.from({ length: 20 }, () => store.take(req, 'ABCD')));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'expired')).toHaveLength(19);
    expect(await db.knex('captchas').where({ session_id: 'race-session' })).toHaveLength(0);
  });

  it('purges answers past their time when a new image is drawn', async () => {
    await db.knex('captchas').insert({ session_id: 'old-session', answer: 'wxyz', expires_at: db.knex.raw(`now() - interval '1 minute'`) });
    await new Client(app).captchaImage();
    expect(await db.knex('captchas').where({ session_id: 'old-session' })).toHaveLength(0);
  });
});
