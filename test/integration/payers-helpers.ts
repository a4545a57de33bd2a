// 授权缴费人 as the tests walk it: a student invites a mobile from 个人信息 > 授权缴费人, the payer
// registers with the SMS code read from the outbox (as the phone would receive it), then signs in
// with the mobile number.
import type { Knex } from 'knex';
import type { App } from 'supertest/types';
import { expect } from 'vitest';
import { Client, text } from '../helpers/client';
import { captchaOf } from './profile-helpers';
import { lastCode } from './registration-helpers';

export const PAYER_PASSWORD = 'Mama#Pays2026';

let mobileSeq = 0;
/** A mobile number no factory hands out (those start 170; registration's 139). */
export const payerMobile = () => `158${String(process.pid % 1000).padStart(3, '0')}${String(++mobileSeq).padStart(5, '0')}`;

/** 邀请缴费人 on the student's page; returns the response of the post. */
export async function invite(student: Client, fields: { name?: string; mobile: string; relation?: string }) {
  await student.get('/profile/payers');
  return student.post('/profile/payers', { name: fields.name ?? '王芳', mobile: fields.mobile, relation: fields.relation ?? '母亲' });
}

/** Both steps of 授权缴费人注册 for `mobile`; returns the final response (303 to the login page when it worked). */
export async function registerPayer(c: Client, knex: Knex, mobile: string, o: { name?: string; password?: string } = {}) {
  await c.get('/payer/register');
  const start = await c.post('/payer/register', { mobile, captcha: (await captchaOf(c, knex)).text });
  expect(start.status, text(start.text)).toBe(303);
  await c.get('/payer/register/verify');
  const code = await lastCode(knex, mobile);
  const password = o.password ?? PAYER_PASSWORD;
  return c.post('/payer/register/verify', { name: o.name ?? '王芳', code, password, confirm: password });
}

/** A student who invited `mobile`, and the payer registered and signed in with it. */
export async function payerOf(app: App, knex: Knex, student: Client, mobile = payerMobile(), o: { ip?: string; name?: string } = {}) {
  expect((await invite(student, { mobile, ...(o.name ? { name: o.name } : {}) })).status).toBe(303);
  const c = new Client(app, { ip: o.ip ?? `203.0.113.${(mobileSeq % 250) + 1}` });
  const done = await registerPayer(c, knex, mobile, o.name ? { name: o.name } : {});
  expect(done.status, text(done.text)).toBe(303);
  const login = await c.login(mobile, PAYER_PASSWORD);
  expect(login.status, text(login.text)).toBe(303);
  return { payer: c, mobile };
}
