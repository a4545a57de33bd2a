// Which bills made a payment a duplicate, and by how much: for each bill of the order whose line
// exceeded what the bill still owed when the payment was credited, the excess then (a decimal
// string, by bill id). An excess a bill shows later (a reduction made after paying) is not the
// duplicate's and waits for finance. Null on rows credited before this column: unknown, so no
// bill flag of theirs is refunded without finance.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payment_attempts', (t) => t.jsonb('duplicate_bills'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payment_attempts', (t) => t.dropColumn('duplicate_bills'));
}
