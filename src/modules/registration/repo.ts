// SQL of 新用户注册: whether a 身份证号 is anyone's, and the outsider's person and account rows.
// The person is an ordinary people row (kind external, like the demo's 王五), so bills, orders and
// sign-ups attach to it as to anyone; unlike 王五 it has a password of its own from the start.
import type { Knex } from 'knex';

export interface NewOutsider {
  name: string;
  gender: '男' | '女';
  idNumber: string;
  mobile: string;
  passwordHash: string;
}

export function registrationRepo() {
  return {
    /** Whether any person (student, staff or outsider) holds this 身份证号, its X in either case. */
    async registered(db: Knex, idNumber: string): Promise<boolean> {
      return Boolean(await db('people').whereRaw('upper(id_number) = ?', [idNumber.toUpperCase()]).first('id'));
    },

    /** Registrations of one 身份证号 one after another: the check above and the insert below hold together. */
    async lockIdNumber(trx: Knex, idNumber: string): Promise<void> {
      await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`register:${idNumber.toUpperCase()}`]);
    },

    /**
     * The person (用户编号 W + 7 digits of external_number_seq; a number already taken by an
     * import is skipped) and their account, which signs in by 身份证号 with the password chosen.
     */
    async createOutsider(trx: Knex, p: NewOutsider): Promise<{ personId: number; accountId: number; number: string }> {
      for (;;) {
        const { rows } = await trx.raw<{ rows: { id: number; number: string }[] }>(
          `INSERT INTO people (number, name, gender, id_number, kind, mobile)
           VALUES ('W' || lpad(nextval('external_number_seq')::text, 7, '0'), ?, ?, ?, 'external', ?)
           ON CONFLICT (number) DO NOTHING RETURNING id, number`,
          [p.name, p.gender, p.idNumber, p.mobile],
        );
        const person = rows[0];
        if (!person) continue;
        const [account] = await trx('accounts').insert({
          person_id: person.id, role: 'external', password_hash: p.passwordHash, must_change_password: false, password_changed_at: trx.fn.now(),
        }).returning('id');
        return { personId: person.id, accountId: Number(account.id), number: person.number };
      }
    },
  };
}

export type RegistrationRepo = ReturnType<typeof registrationRepo>;
