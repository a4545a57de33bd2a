// Guess throttling that fits a campus and captchas that are used once.
//
// auth_throttle: one row per counter, shared by every app instance. `account` and `address` say what
// the row counts: failures at an account from anywhere (address ''), at an account from one address,
// or at any account from one address (account ''). `next_at` is when a pair that failed too often may
// be checked again (its progressive delay). Rows past `expires_at` count as empty and are replaced.
//
// captchas: the answer of the last image a session was shown, kept out of the session so that
// parallel requests cannot each read it before one of them deletes it: consuming is one DELETE.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_throttle', (t) => {
    t.text('scope').notNullable();
    t.text('account').notNullable();
    t.text('address').notNullable();
    t.integer('failures').notNullable().defaultTo(0);
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('next_at', { useTz: true });
    t.primary(['scope', 'account', 'address']);
    t.index(['expires_at']);
  });
  await knex.schema.createTable('captchas', (t) => {
    t.text('session_id').primary();
    t.text('answer').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('captchas');
  await knex.schema.dropTable('auth_throttle');
}
