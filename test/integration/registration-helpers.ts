// 新用户注册 as the tests walk it: the app over a test database with a clock the test moves (the SMS
// codes' expiry and per-number limits follow it), fresh valid 身份证号, and the code read from the
// SMS outbox row as the phone would receive it.
import type { Knex } from 'knex';
import { expect } from 'vitest';
import { createApp } from '../../src/app';
import { idCheckChar } from '../../src/domain/id-number';
import { createLogger } from '../../src/logger';
import { buildServices } from '../../src/services';
import { testConfig } from '../helpers/app';
import { Client } from '../helpers/client';
import type { TestDatabase } from '../helpers/test-db';
import { captchaOf } from './profile-helpers';

export const NEW_PASSWORD = 'Reg#Pass2026';

let seq = 0;
/** A checksum-valid 身份证号 no factory hands out (those start 620102). */
export function freshIdNumber(): string {
  seq += 1;
  const first17 = `1101011990${String(3 + (seq % 7)).padStart(2, '0')}${String(seq % 100000).padStart(5, '0')}`;
  return first17 + idCheckChar(first17);
}

let mobileSeq = 0;
export const freshMobile = () => `139${String(process.pid % 1000).padStart(3, '0')}${String(++mobileSeq).padStart(5, '0')}`;

export function registrationWorld(db: TestDatabase, env: Record<string, string> = {}) {
  const config = testConfig(db, env);
  let offset = 0;
  const now = () => new Date(Date.now() + offset);
  const services = buildServices({ config, db, logger: createLogger('silent'), now });
  const app = createApp({ config, db, logger: createLogger('silent'), services });
  return {
    app, services,
    /** Moves the platform's clock on by `ms`. */
    advance(ms: number) {
      offset += ms;
    },
  };
}

/** Step 1 as a person does it: the form, the 验证码 read off the image, 获取验证码. */
export async function startRegistration(c: Client, knex: Knex, fields: { name?: string; idNumber: string; mobile: string }, captcha?: string) {
  await c.get('/register');
  const answer = captcha ?? (await captchaOf(c, knex)).text;
  const res = await c.post('/register', { name: fields.name ?? '赵六', idNumber: fields.idNumber, mobile: fields.mobile, captcha: answer });
  // On to step 2 as the browser goes (the session id is new there, and so is the form's token).
  if (res.status === 303 && res.headers.location === '/register/verify') await c.get('/register/verify');
  return res;
}

/** The last code texted to `mobile`, from the outbox row the SMS drain sends. */
export async function lastCode(knex: Knex, mobile: string): Promise<string> {
  const row = await knex('sms_outbox').where({ mobile }).orderBy('id', 'desc').first('body');
  const code = /验证码为(\d{6})/.exec(String(row?.body ?? ''))?.[1];
  expect(code, `a code was texted to ${mobile}`).toBeTruthy();
  return code!;
}

export async function counts(knex: Knex) {
  const n = async (t: string) => Number((await knex(t).count<{ count: string }[]>('* as count'))[0]!.count);
  return { people: await n('people'), accounts: await n('accounts'), codes: await n('sms_codes'), outbox: await n('sms_outbox') };
}
