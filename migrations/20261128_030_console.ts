// The finance console: import history with its error reports, refund numbers, and the
// indexes the reports, person search, dashboard and audit viewer filter on.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Each CSV import, kept with its error report so the 下载错误报告 link works after the page is gone.
  await knex.schema.createTable('import_runs', (t) => {
    t.bigIncrements('id');
    t.string('kind', 16).notNullable(); // people | bills
    t.string('file_name', 200).notNullable().defaultTo('');
    t.string('status', 12).notNullable(); // imported | rejected
    t.integer('row_count').notNullable().defaultTo(0);
    t.integer('error_count').notNullable().defaultTo(0);
    t.jsonb('summary').notNullable().defaultTo('{}');
    t.text('error_report'); // CSV, only for a rejected file
    t.integer('actor_account_id').references('accounts.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE import_runs ADD CONSTRAINT import_runs_kind_chk CHECK (kind IN ('people','bills'))`);

  // 退费单号 TF + YYMMDD + serial: a sequence keeps concurrent refunds on several instances apart.
  await knex.raw(`CREATE SEQUENCE refund_no_seq START 1`);

  // 学号 prefix search: the unique index uses the database collation, which LIKE 'x%' cannot use.
  await knex.raw(`CREATE INDEX people_number_pattern_idx ON people (number text_pattern_ops)`);
  await knex.raw(`CREATE INDEX people_class_idx ON people (class_id)`);
  await knex.raw(`CREATE INDEX bills_fee_item_idx ON bills (fee_item_id)`);
  await knex.raw(`CREATE INDEX receipts_date_idx ON receipts (receipt_date)`);
  await knex.raw(`CREATE INDEX receipt_lines_bill_idx ON receipt_lines (bill_id)`);
  await knex.raw(`CREATE INDEX refunds_bill_idx ON refunds (bill_id)`);
  await knex.raw(`CREATE INDEX refunds_created_idx ON refunds (created_at)`);
  await knex.raw(`CREATE INDEX audit_log_action_idx ON audit_log (action, created_at)`);
}

export async function down(knex: Knex): Promise<void> {
  for (const idx of ['people_number_pattern_idx', 'people_class_idx', 'bills_fee_item_idx', 'receipts_date_idx', 'receipt_lines_bill_idx', 'refunds_bill_idx', 'refunds_created_idx', 'audit_log_action_idx']) {
    await knex.raw(`DROP INDEX IF EXISTS ??`, [idx]);
  }
  await knex.raw('DROP SEQUENCE IF EXISTS refund_no_seq');
  await knex.schema.dropTableIfExists('import_runs');
}
