// When each scheduled job last started, so that several app instances run each slot once.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('job_runs', (t) => {
    t.string('name', 64).primary();
    t.timestamp('last_started_at', { useTz: true }).notNullable();
    t.timestamp('last_finished_at', { useTz: true });
    t.string('last_instance', 64).notNullable().defaultTo('');
    t.text('last_error');
    t.integer('runs').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('job_runs');
}
