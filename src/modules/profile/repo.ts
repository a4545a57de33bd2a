import type { Knex } from 'knex';
import type { QueryPool } from '../../db/connection';
import type { CurrentUser } from '../auth/current-user';
import type { LoginAccount } from '../auth/repo';
import { contactColumnsSql, contactStateOf, type ContactColumns, type ContactState } from '../email/repo';

export interface ProfileRow extends Pick<CurrentUser, 'accountId' | 'personId' | 'number' | 'name' | 'gender' | 'idNumber' | 'mobile'> {
  phone: string;
  email: string;
  address: string;
  postcode: string;
  securityQuestion: string | null;
  bankName: string | null;
  bankCardEnc: string | null;
  bankCardLast4: string | null;
  /** The state of 邮箱 (`email`), as the email module reads its rows (../email/repo.ts contactStateOf). */
  emailContact: ContactState;
}

export interface ContactFields {
  mobile: string;
  email: string;
  postcode: string;
  address: string;
}

/** Who pays an order, as a channel and the SMS see the person. */
export interface PayerRow {
  personId: number;
  number: string;
  name: string;
  mobile: string;
}

export async function payerOf(trx: Knex, personId: number): Promise<PayerRow> {
  const r = await trx('people').where('id', personId).first('id', 'number', 'name', 'mobile');
  return { personId: r.id, number: r.number, name: r.name, mobile: r.mobile };
}

export async function setContact(trx: Knex, personId: number, fields: Partial<ContactFields>): Promise<void> {
  await trx('people').where({ id: personId }).update({ ...fields, updated_at: trx.fn.now() });
}

/**
 * 个人信息's one read after the session: the account, its person and, through the email module's
 * fragment, the state of its 邮箱 — one statement where the page used to send two (this and
 * ../email/repo.ts's own). A fixed text, built once here and sent prepared through the pool
 * (src/db/prepared.ts), so a request neither builds a knex query nor has the server parse and plan it.
 */
export const profileSql = (accountSql: string) => `
  SELECT a.id AS "accountId", p.id AS "personId", p.number, p.name, p.gender, p.id_number AS "idNumber",
         p.phone, p.mobile, p.email, p.address, p.postcode,
         a.security_question AS "securityQuestion", a.bank_name AS "bankName", a.bank_card_enc AS "bankCardEnc",
         a.bank_card_last4 AS "bankCardLast4", e."confirmedEmail", e."unsubscribedAt"
    FROM accounts a JOIN people p ON p.id = a.person_id
    LEFT JOIN LATERAL (${contactColumnsSql('p.id')}) e ON true
   WHERE a.id = ${accountSql}
   LIMIT 1`;
const PROFILE_SQL = profileSql('$1');

/** A row of profileSql as the page uses it (from the driver, or as json in a page read: ./page-reads.ts). */
export function toProfileRow(r: Record<string, unknown> | undefined | null): ProfileRow | undefined {
  if (!r) return undefined;
  const { confirmedEmail, unsubscribedAt, ...row } = r as unknown as Omit<ProfileRow, 'emailContact'> & ContactColumns;
  return { ...row, emailContact: contactStateOf(row.email, { confirmedEmail, unsubscribedAt }) };
}

/** `pool`: the database's QueryPool (src/db/connection.ts), for the statements of fixed text. */
export function profileRepo(db: Knex, pool: QueryPool) {
  return {
    async accountForPassword(accountId: number): Promise<(LoginAccount & { number: string }) | undefined> {
      return db('accounts as a').join('people as p', 'p.id', 'a.person_id').where('a.id', accountId).first(
        'a.id as accountId', 'p.id as personId', 'a.role', 'p.kind', 'p.name', 'p.number', 'p.id_number as idNumber',
        'a.password_hash as passwordHash', 'a.must_change_password as mustChangePassword', 'a.status',
      );
    },

    /** 个人信息 and the forms that show its fields (信息修改, 银行卡修改) or compare with them (updateContact). */
    async profile(accountId: number): Promise<ProfileRow | undefined> {
      const { rows } = await pool.query({ text: PROFILE_SQL, values: [accountId], prepare: true });
      return toProfileRow(rows[0]);
    },

    setContact,

    async setPassword(trx: Knex, accountId: number, hash: string): Promise<void> {
      await trx('accounts').where({ id: accountId }).update({
        password_hash: hash, must_change_password: false, password_changed_at: trx.fn.now(), updated_at: trx.fn.now(),
      });
    },

    async setSecurity(trx: Knex, accountId: number, question: string, answerHash: string): Promise<void> {
      await trx('accounts').where({ id: accountId }).update({ security_question: question, security_answer_hash: answerHash, updated_at: trx.fn.now() });
    },

    async setBankCard(trx: Knex, accountId: number, card: { bankName: string; enc: string; last4: string }): Promise<void> {
      await trx('accounts').where({ id: accountId }).update({
        bank_name: card.bankName, bank_card_enc: card.enc, bank_card_last4: card.last4, updated_at: trx.fn.now(),
      });
    },

    /** Signs the account out everywhere but here (sessions are rows; the account id is in the JSON). */
    async endOtherSessions(trx: Knex, accountId: number, keepSid: string): Promise<number> {
      return trx('sessions').whereRaw(`(sess::jsonb ->> 'accountId')::int = ?`, [accountId]).andWhereNot('sid', keepSid).del();
    },
  };
}

export type ProfileRepo = ReturnType<typeof profileRepo>;
