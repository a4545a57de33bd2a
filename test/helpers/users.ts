import bcrypt from 'bcrypt';
import type { Knex } from 'knex';

/** Gives a demo account a chosen password, as if its owner had already changed the initial one. */
export async function setPassword(db: Knex, number: string, password: string): Promise<void> {
  const person = await db('people').where({ number }).first('id');
  await db('accounts').where({ person_id: person.id }).update({ password_hash: await bcrypt.hash(password, 4), must_change_password: false });
}
