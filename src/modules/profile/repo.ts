import type { Knex } from 'knex';
import type { LoginAccount } from '../auth/repo';

export function profileRepo(db: Knex) {
  return {
    async accountForPassword(accountId: number): Promise<(LoginAccount & { number: string }) | undefined> {
      return db('accounts as a').join('people as p', 'p.id', 'a.person_id').where('a.id', accountId).first(
        'a.id as accountId', 'p.id as personId', 'a.role', 'p.kind', 'p.name', 'p.number', 'p.id_number as idNumber',
        'a.password_hash as passwordHash', 'a.must_change_password as mustChangePassword', 'a.status',
      );
    },

    async setPassword(trx: Knex, accountId: number, hash: string): Promise<void> {
      await trx('accounts').where({ id: accountId }).update({
        password_hash: hash, must_change_password: false, password_changed_at: trx.fn.now(), updated_at: trx.fn.now(),
      });
    },

    /** Signs the account out everywhere but here (sessions are rows; the account id is in the JSON). */
    async endOtherSessions(trx: Knex, accountId: number, keepSid: string): Promise<number> {
      return trx('sessions').whereRaw(`(sess::jsonb ->> 'accountId')::int = ?`, [accountId]).andWhereNot('sid', keepSid).del();
    },
  };
}

export type ProfileRepo = ReturnType<typeof profileRepo>;
