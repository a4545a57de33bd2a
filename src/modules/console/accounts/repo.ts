// SQL of 账户管理: the account row of a person, locked for the change, and the changes themselves.
import type { Knex } from 'knex';

export interface LockedAccount {
  accountId: number;
  role: string;
  status: string;
  idNumber: string | null;
  kind: string;
  name: string;
}

/** A person's account, locked FOR UPDATE until the transaction ends; undefined when there is none. */
export async function accountForUpdate(trx: Knex, personId: number): Promise<LockedAccount | undefined> {
  return trx('accounts as a').join('people as p', 'p.id', 'a.person_id').where('p.id', personId).forUpdate('a')
    .first('a.id as accountId', 'a.role', 'a.status', 'p.id_number as idNumber', 'p.kind', 'p.name');
}

/** Back to the initial password: the chosen hash is forgotten and must be changed at the next sign-in. */
export async function resetToInitialPassword(trx: Knex, accountId: number): Promise<void> {
  await trx('accounts').where('id', accountId)
    .update({ password_hash: null, must_change_password: true, password_changed_at: null, updated_at: trx.fn.now() });
}

/** Signs the account out everywhere. */
export async function endSessionsOf(trx: Knex, accountId: number): Promise<void> {
  await trx('sessions').whereRaw(`(sess::jsonb ->> 'accountId')::int = ?`, [accountId]).del();
}

export async function setAccountStatus(trx: Knex, accountId: number, status: 'active' | 'disabled'): Promise<void> {
  await trx('accounts').where('id', accountId).update({ status, updated_at: trx.fn.now() });
}
