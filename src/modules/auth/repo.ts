import type { Knex } from 'knex';
import type { CurrentUser, Role } from './current-user';

export interface LoginAccount {
  accountId: number;
  personId: number;
  role: Role;
  kind: 'student' | 'staff' | 'external';
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

export function authRepo(db: Knex) {
  return {
    /** 学号/用户编号, or — for external payers only — 身份证号. */
    async findForLogin(username: string): Promise<LoginAccount | undefined> {
      const byNumber = await db('accounts as a').join('people as p', 'p.id', 'a.person_id')
        .where('p.number', username).first(loginColumns);
      if (byNumber) return byNumber as LoginAccount;
      return (await db('accounts as a').join('people as p', 'p.id', 'a.person_id')
        .where({ 'p.id_number': username.toUpperCase(), 'p.kind': 'external' }).first(loginColumns)) as LoginAccount | undefined;
    },

    async currentUser(accountId: number): Promise<CurrentUser | undefined> {
      const row = await db('accounts as a')
        .join('people as p', 'p.id', 'a.person_id')
        .leftJoin('colleges as c', 'c.id', 'p.college_id')
        .leftJoin('classes as k', 'k.id', 'p.class_id')
        .where('a.id', accountId)
        .andWhere('a.status', 'active')
        .first(
          'a.id as accountId', 'p.id as personId', 'p.number', 'p.name', 'p.gender', 'p.id_number as idNumber',
          'a.role', 'p.college_id as collegeId', 'c.name as collegeName', 'k.name as className', 'p.mobile',
          'a.must_change_password as mustChangePassword',
        );
      if (!row) return undefined;
      return { ...row, collegeName: row.collegeName ?? '', className: row.className ?? '' } as CurrentUser;
    },

    async recordLogin(accountId: number): Promise<void> {
      await db('accounts').where({ id: accountId }).update({ last_login_at: db.fn.now() });
    },
  };
}

export type AuthRepo = ReturnType<typeof authRepo>;
