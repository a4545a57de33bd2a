import bcrypt from 'bcrypt';
import type { Knex } from 'knex';
import type { App } from 'supertest/types';
import { DEMO } from '../../seeds/demo';
import { Client } from './client';

/** Gives a demo account a chosen password, as if its owner had already changed the initial one. */
export async function setPassword(db: Knex, number: string, password: string): Promise<void> {
  const person = await db('people').where({ number }).first('id');
  await db('accounts').where({ person_id: person.id }).update({ password_hash: await bcrypt.hash(password, 4), must_change_password: false });
}

/** 张三 with a chosen password, signed in: the demo student most page tests look through. */
export async function signedInZhangsan(db: Knex, app: App, password = 'Zhangsan#2019'): Promise<Client> {
  await setPassword(db, DEMO.student.number, password);
  const c = new Client(app);
  await c.login(DEMO.student.number, password);
  return c;
}
