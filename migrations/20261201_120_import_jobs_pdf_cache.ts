// Issue 12, heavy work off the main thread. import_jobs: a CSV import runs in the background
// (parsed in a worker thread) and the console page follows its progress; the row is the job's
// state, shared by every instance, and updated_at is its heartbeat, so a job whose instance died
// is seen as ended instead of running forever. ebill_pdfs: an e-bill's PDF, drawn once and served
// byte for byte on every later download from any instance; content_hash is the digest of what the
// PDF shows, so a change to it (school name, public URL, layout) draws it anew.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('import_jobs', (t) => {
    t.bigIncrements('id');
    t.string('kind', 16).notNullable(); // people | bills
    t.string('file_name', 200).notNullable().defaultTo('');
    t.string('state', 12).notNullable(); // parsing | writing | done | failed
    t.integer('rows_done').notNullable().defaultTo(0);
    t.bigInteger('run_id').references('import_runs.id');
    t.jsonb('outcome'); // what the page shows when done (the first rows of errors only)
    t.string('message', 500); // why a failed job failed, in Chinese
    t.integer('actor_account_id').references('accounts.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_kind_chk CHECK (kind IN ('people','bills'))`);
  await knex.raw(`ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_state_chk CHECK (state IN ('parsing','writing','done','failed'))`);
  await knex.raw(`CREATE INDEX import_jobs_running_idx ON import_jobs (updated_at) WHERE state IN ('parsing','writing')`);

  await knex.schema.createTable('ebill_pdfs', (t) => {
    t.bigInteger('ebill_id').primary().references('ebills.id').onDelete('CASCADE');
    t.string('content_hash', 64).notNullable();
    t.binary('pdf').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ebill_pdfs');
  await knex.schema.dropTable('import_jobs');
}
