// Shared by the 个人信息 and 找回密码 tests: reading the captcha a client was shown, as a person
// reads the image, from the session row it was stored in.
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
  const res = await c.agent.get('/captcha.svg');
  const sid = sidOf(res.headers['set-cookie']);
  const row = await db('sessions').where({ sid }).first('sess');
  const sess = typeof row.sess === 'string' ? JSON.parse(row.sess) : row.sess;
  return { text: sess.captcha.text as string, sid, res };
}

export async function expireCaptcha(db: Knex, sid: string): Promise<void> {
  await db('sessions').where({ sid }).update({ sess: db.raw(`jsonb_set(sess::jsonb, '{captcha,expires}', '0')::json`) });
}
