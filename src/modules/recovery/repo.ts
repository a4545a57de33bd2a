import type { Knex } from 'knex';

export interface RecoveryAccount {
  accountId: number;
  personId: number;
  number: string;
  idNumber: string | null;
  question: string | null;
  answerHash: string | null;
}

const columns = [
  'a.id as accountId', 'p.id as personId', 'p.number', 'p.id_number as idNumber',
  'a.security_question as question', 'a.security_answer_hash as answerHash',
];

export function recoveryRepo(db: Knex) {
  return {
    /** 用户名 is what the person signs in with: 学号/用户编号, or 身份证号 for an external payer. */
    async find(username: string, idNumber: string): Promise<RecoveryAccount | undefined> {
      return db('accounts as a').join('people as p', 'p.id', 'a.person_id')
        .where('a.status', 'active')
        .andWhereRaw('upper(p.id_number) = ?', [idNumber])
        .andWhere((q) => q.where('p.number', username).orWhere((q2) => q2.where('p.kind', 'external').andWhereRaw('upper(p.id_number) = ?', [username.toUpperCase()])))
        .first(columns);
    },

    /** The account a 用户名 names, whatever the 身份证号 typed with it (the throttle's key). */
    async byName(username: string): Promise<{ accountId: number } | undefined> {
      return db('accounts as a').join('people as p', 'p.id', 'a.person_id')
        .where((q) => q.where('p.number', username).orWhere((q2) => q2.where('p.kind', 'external').andWhereRaw('upper(p.id_number) = ?', [username.toUpperCase()])))
        .first('a.id as accountId');
    },

    async byId(accountId: number): Promise<RecoveryAccount | undefined> {
      return db('accounts as a').join('people as p', 'p.id', 'a.person_id').where('a.id', accountId).andWhere('a.status', 'active').first(columns);
    },

    async setPassword(trx: Knex, accountId: number, hash: string): Promise<void> {
      await trx('accounts').where({ id: accountId }).update({
        password_hash: hash, must_change_password: false, password_changed_at: trx.fn.now(), updated_at: trx.fn.now(),
      });
    },

    /** Whoever knew the old password may still be signed in: recovery ends every session. */
    async endAllSessions(trx: Knex, accountId: number): Promise<number> {
      return trx('sessions').whereRaw(`(sess::jsonb ->> 'accountId')::int = ?`, [accountId]).del();
    },
  };
}

export type RecoveryRepo = ReturnType<typeof recoveryRepo>;
