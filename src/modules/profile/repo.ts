import type { Knex } from 'knex';
import type { CurrentUser } from '../auth/current-user';
import type { LoginAccount } from '../auth/repo';

export interface ProfileRow extends Pick<CurrentUser, 'accountId' | 'personId' | 'number' | 'name' | 'gender' | 'idNumber' | 'mobile'> {
  phone: string;
  email: string;
  address: string;
  postcode: string;
  securityQuestion: string | null;
  bankName: string | null;
  bankCardEnc: string | null;
  bankCardLast4: string | null;
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

export function profileRepo(db: Knex) {
  return {
    async accountForPassword(accountId: number): Promise<(LoginAccount & { number: string }) | undefined> {
      return db('accounts as a').join('people as p', 'p.id', 'a.person_id').where('a.id', accountId).first(
        'a.id as accountId', 'p.id as personId', 'a.role', 'p.kind', 'p.name', 'p.number', 'p.id_number as idNumber',
        'a.password_hash as passwordHash', 'a.must_change_password as mustChangePassword', 'a.status',
      );
    },

    async profile(accountId: number): Promise<ProfileRow | undefined> {
      return db('accounts as a').join('people as p', 'p.id', 'a.person_id').where('a.id', accountId).first(
        'a.id as accountId', 'p.id as personId', 'p.number', 'p.name', 'p.gender', 'p.id_number as idNumber',
        'p.phone', 'p.mobile', 'p.email', 'p.address', 'p.postcode',
        'a.security_question as securityQuestion', 'a.bank_name as bankName', 'a.bank_card_enc as bankCardEnc',
        'a.bank_card_last4 as bankCardLast4',
      ).options({ prepare: true });
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
