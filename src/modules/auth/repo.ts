import type { Knex } from 'knex';
import { sqlPart, type SqlPart } from '../../db/rows';
import { toCurrentUser } from '../../domain/current-user';
import type { CurrentUser, Role } from './current-user';

export interface LoginAccount {
  accountId: number;
  personId: number;
  role: Role;
  kind: 'student' | 'staff' | 'external' | 'payer';
  name: string;
  idNumber: string | null;
  passwordHash: string | null;
  mustChangePassword: boolean;
  status: 'active' | 'disabled';
}

const loginColumns = [
  'a.id as accountId', 'p.id as personId', 'a.role', 'p.kind', 'p.name', 'p.id_number as idNumber',
  'a.password_hash as passwordHash', 'a.must_change_password as mustChangePassword', 'a.status',
];

/**
 * The signed-in user of every page (an active account only: a disabled one has no user), given the
 * SQL of the account id. Also read in the same statement as the session (src/app.ts passes it to
 * the session store), so a page does not ask for the session and then for its user.
 */
export const currentUserSql = (accountIdSql: string) => `
  SELECT a.id AS "accountId", p.id AS "personId", p.number, p.name, p.gender, p.id_number AS "idNumber",
         a.role, p.college_id AS "collegeId", c.name AS "collegeName", k.name AS "className", p.mobile,
         a.must_change_password AS "mustChangePassword"
    FROM accounts a JOIN people p ON p.id = a.person_id
    LEFT JOIN colleges c ON c.id = p.college_id LEFT JOIN classes k ON k.id = p.class_id
   WHERE a.id = ${accountIdSql} AND a.status = 'active'
   LIMIT 1`;

export function authRepo(db: Knex) {
  return {
    /** 学号/用户编号; for external payers only, 身份证号; for 授权缴费人 only, their mobile number. */
    async findForLogin(username: string): Promise<LoginAccount | undefined> {
      // Every sign-in asks this first, always the same text: prepared (src/db/prepared.ts).
      const byNumber = await db('accounts as a').join('people as p', 'p.id', 'a.person_id')
        .where('p.number', username).first(loginColumns).options({ prepare: true });
      if (byNumber) return byNumber as LoginAccount;
      if (/^1[3-9]\d{9}$/.test(username)) {
        return (await db('accounts as a').join('people as p', 'p.id', 'a.person_id')
          .where({ 'p.mobile': username, 'p.kind': 'payer' }).first(loginColumns)) as LoginAccount | undefined;
      }
      return (await db('accounts as a').join('people as p', 'p.id', 'a.person_id')
        .where({ 'p.id_number': username.toUpperCase(), 'p.kind': 'external' }).first(loginColumns)) as LoginAccount | undefined;
    },

    async currentUser(accountId: number): Promise<CurrentUser | undefined> {
      const { rows } = await db.raw<{ rows: Record<string, unknown>[] }>(currentUserSql('?'), [accountId]).options({ prepare: true });
      return rows[0] ? toCurrentUser(rows[0]) : undefined;
    },

    /** The sign-in's own mark (最后登录时间), sent in the statement of the throttle's forgiving (src/modules/auth/service.ts). */
    recordLoginSql: (accountId: number): SqlPart => sqlPart(db('accounts').where({ id: accountId }).update({ last_login_at: db.fn.now() })),
  };
}

export type AuthRepo = ReturnType<typeof authRepo>;
