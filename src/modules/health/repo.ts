import type { Knex } from 'knex';

/** Throws when the database does not answer. */
export async function pingDatabase(trx: Knex): Promise<void> {
  await trx.raw('select 1');
}
