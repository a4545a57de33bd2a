// Shared by the tests that meet a 验证码 (个人信息, 找回密码, login, e-bill check): reading the captcha
// a client was shown, as a person reads the image, from the row kept against its session id.
import type { Knex } from 'knex';
import { expect } from 'vitest';
import { PAIR_FREE_FAILURES } from '../../src/modules/auth/throttle';
import type { App } from 'supertest/types';
import { Client } from '../helpers/client';

/** Loads the captcha image as the browser would and returns its answer and the session id. */
export async function captchaOf(c: Client, db: Knex): Promise<{ text: string; sid: string; res: Awaited<ReturnType<Client['get']>> }> {
  const res = await c.captchaImage();
  const sid = c.sessionId()!;
  const row = await db('captchas').where({ session_id: sid }).first('answer');
  return { text: row.answer as string, sid, res };
}

export async function expireCaptcha(db: Knex, sid: string): Promise<void> {
  await db('captchas').where({ session_id: sid }).update({ expires_at: db.raw(`now() - interval '1 second'`) });
}

/**
 * A guesser at one account from one address, as the throttle tests stage it: the free wrong
 * passwords (each answered 401), then one more with a 验证码 (checked, wrong), which starts the
 * pair's delay (src/modules/auth/throttle.ts). Returns the answer to that last guess.
 */
export async function guessPastFreeFailures(app: App, db: Knex, number: string, ip: string) {
  for (let i = 0; i < PAIR_FREE_FAILURES; i++) expect((await new Client(app, { ip }).login(number, `wrong-${i}`)).status).toBe(401);
  const g = new Client(app, { ip });
  await g.get('/login');
  return g.post('/login', { username: number, password: 'wrong-x', captcha: (await captchaOf(g, db)).text });
}
