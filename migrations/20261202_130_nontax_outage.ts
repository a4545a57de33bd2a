// The non-tax platform's outages, as the platform learns of them.
//
// nontax_maintenance: a maintenance period finance announces (from the console or the command
// line) with its expected end; students see it on 财政 payments, and e-bill requests wait. Ended
// early by setting ended_at.
//
// outbound_breakers: one row per outside service (the non-tax platform): consecutive failures
// and, once they pass the threshold, until when it counts as down; after that one probe request
// is let through (probe_until is the probe's lease, so one instance probes at a time).
//
// receipts.ebill_failed_at: an e-bill request the platform refused for good (malformed, amounts
// that do not add up): retrying cannot help, finance must look. Shown as 失败 on the console.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('nontax_maintenance', (t) => {
    t.bigIncrements('id');
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.timestamp('ends_at', { useTz: true }).notNullable();
    t.text('note').notNullable().defaultTo('');
    t.integer('created_by').references('accounts.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('ended_at', { useTz: true });
    t.index(['ends_at']);
  });
  await knex.raw('ALTER TABLE nontax_maintenance ADD CONSTRAINT nontax_maintenance_span_chk CHECK (ends_at > starts_at)');
  await knex.schema.createTable('outbound_breakers', (t) => {
    t.text('name').primary();
    t.integer('failures').notNullable().defaultTo(0);
    t.integer('opened').notNullable().defaultTo(0);
    t.timestamp('open_until', { useTz: true });
    t.timestamp('probe_until', { useTz: true });
    t.text('last_error');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.alterTable('receipts', (t) => {
    t.timestamp('ebill_failed_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('receipts', (t) => {
    t.dropColumn('ebill_failed_at');
  });
  await knex.schema.dropTable('outbound_breakers');
  await knex.schema.dropTable('nontax_maintenance');
}
