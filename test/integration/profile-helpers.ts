// Shared by the tests that meet a 验证码 (个人信息, 找回密码, login, e-bill check): reading the captcha
// a client was shown, as a person reads the image, from the row kept against its session id.
import type { Knex } from 'knex';
import type { Client } from '../helpers/client';

export function sidOf(setCookie: string[] | string | undefined): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const raw = list.find((c) => c.startsWith('cupp.sid='))!.split(';')[0]!.slice('cupp.sid='.length);
  const signed = decodeURIComponent(raw); // s:<sid>.<signature>
  return signed.slice(2, signed.lastIndexOf('.'));
}

/** Loads the captcha image as the browser would and returns its answer and the session id. */
export async function captchaOf(c: Client, db: Knex): Promise<{ text: string; sid: string; res: Awaited<ReturnType<Client['get']>> }> {
  const res = await c.captchaImage();
  const sid = sidOf(res.headers['set-cookie']);
  const row = await db('captchas').where({ session_id: sid }).first('answer');
  return { text: row.answer as string, sid, res };
}

export async function expireCaptcha(db: Knex, sid: string): Promise<void> {
  await db('captchas').where({ session_id: sid }).update({ expires_at: db.raw(`now() - interval '1 second'`) });
}
