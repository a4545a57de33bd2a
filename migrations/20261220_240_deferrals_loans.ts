// 绿色通道 and student loans (issue 18 item 2). A deferral (缓缴) holds part of what a bill owes
// back from online payment until a loan arrives or its expected date passes; a loan disbursement
// is paid into the deferred bills as ledger entries of the kind 'loan' (so the ledger says which
// money came from a loan, while `paid` stays the one column of money received); what a loan brings
// beyond what is owed is one refund to the student's bank card, exported to the bank in batches.
import type { Knex } from 'knex';

const LEDGER_KINDS_BEFORE = `'charge','reduction','payment','refund','adjustment'`;
const IMPORT_KINDS_BEFORE = `'people','bills'`;

async function setChecks(knex: Knex, ledger: string, imports: string) {
  await knex.raw('ALTER TABLE bill_ledger DROP CONSTRAINT bill_ledger_kind_chk');
  await knex.raw(`ALTER TABLE bill_ledger ADD CONSTRAINT bill_ledger_kind_chk CHECK (kind IN (${ledger}))`);
  await knex.raw('ALTER TABLE import_runs DROP CONSTRAINT import_runs_kind_chk');
  await knex.raw(`ALTER TABLE import_runs ADD CONSTRAINT import_runs_kind_chk CHECK (kind IN (${imports}))`);
  await knex.raw('ALTER TABLE import_jobs DROP CONSTRAINT import_jobs_kind_chk');
  await knex.raw(`ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_kind_chk CHECK (kind IN (${imports}))`);
}

export async function up(knex: Knex): Promise<void> {
  await setChecks(knex, `${LEDGER_KINDS_BEFORE},'loan'`, `${IMPORT_KINDS_BEFORE},'loans'`);

  await knex.schema.createTable('deferrals', (t) => {
    t.bigIncrements('id');
    t.integer('bill_id').notNullable().references('bills.id');
    t.integer('person_id').notNullable().references('people.id');
    t.string('kind', 12).notNullable(); // green | national | local | other
    t.decimal('amount', 14, 2).notNullable(); // 缓缴金额 as granted
    t.decimal('covered', 14, 2).notNullable().defaultTo(0); // paid in by loans so far
    t.date('expected_on').notNullable(); // 预计到账日期
    t.string('status', 12).notNullable(); // requested | approved | rejected | settled | expired
    t.string('reason', 200).notNullable();
    t.integer('requested_by').notNullable().references('accounts.id');
    t.integer('decided_by').references('accounts.id');
    t.timestamp('decided_at', { useTz: true });
    t.timestamp('ended_at', { useTz: true });
    t.timestamps(true, true);
    t.index(['person_id']);
  });
  await knex.raw(`ALTER TABLE deferrals ADD CONSTRAINT deferrals_kind_chk CHECK (kind IN ('green','national','local','other'))`);
  await knex.raw(`ALTER TABLE deferrals ADD CONSTRAINT deferrals_status_chk CHECK (status IN ('requested','approved','rejected','settled','expired'))`);
  await knex.raw('ALTER TABLE deferrals ADD CONSTRAINT deferrals_amount_chk CHECK (amount > 0 AND covered >= 0 AND covered <= amount)');
  // One deferral asked for or in force per bill: two would defer the same money twice.
  await knex.raw(`CREATE UNIQUE INDEX deferrals_one_live ON deferrals (bill_id) WHERE status IN ('requested','approved')`);
  await knex.raw(`CREATE INDEX deferrals_in_force ON deferrals (expected_on) WHERE status = 'approved'`);

  await knex.schema.createTable('loan_disbursements', (t) => {
    t.bigIncrements('id');
    t.integer('person_id').notNullable().references('people.id');
    t.string('loan_kind', 12).notNullable(); // national | local
    t.decimal('amount', 14, 2).notNullable();
    t.date('arrived_on').notNullable();
    // 学号 + 贷款类型 + 到账日期 + 金额: the same row imported again (the same file, or the next
    // file of the bank repeating it) is recognised and not applied twice.
    t.string('dedupe_key', 120).notNullable().unique();
    t.string('source', 8).notNullable(); // import | manual
    t.bigInteger('import_run_id').references('import_runs.id');
    t.decimal('applied', 14, 2).notNullable();
    t.decimal('surplus', 14, 2).notNullable();
    t.integer('actor_account_id').references('accounts.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['person_id']);
  });
  await knex.raw(`ALTER TABLE loan_disbursements ADD CONSTRAINT loan_disbursements_chk CHECK (
    loan_kind IN ('national','local') AND source IN ('import','manual') AND amount > 0 AND applied >= 0 AND surplus >= 0 AND applied + surplus = amount)`);

  await knex.schema.createTable('loan_refund_batches', (t) => {
    t.bigIncrements('id');
    t.integer('refund_count').notNullable();
    t.decimal('total', 14, 2).notNullable();
    t.text('file').notNullable(); // the CSV as given to the bank
    t.integer('actor_account_id').references('accounts.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('loan_refunds', (t) => {
    t.bigIncrements('id');
    // Exactly one refund per disbursement: the surplus of one loan is handed back once.
    t.bigInteger('disbursement_id').notNullable().unique().references('loan_disbursements.id');
    t.integer('person_id').notNullable().references('people.id');
    t.decimal('amount', 14, 2).notNullable();
    t.string('status', 12).notNullable().defaultTo('pending'); // pending 待导出 | exported 已导出 | paid 已到账 | failed 失败
    t.bigInteger('batch_id').references('loan_refund_batches.id');
    t.string('note', 200).notNullable().defaultTo('');
    t.integer('version').notNullable().defaultTo(0);
    t.timestamps(true, true);
    t.index(['status']);
  });
  await knex.raw(`ALTER TABLE loan_refunds ADD CONSTRAINT loan_refunds_chk CHECK (
    amount > 0 AND status IN ('pending','exported','paid','failed') AND (status = 'pending') = (batch_id IS NULL))`);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['loan_refunds', 'loan_refund_batches', 'loan_disbursements', 'deferrals']) await knex.schema.dropTableIfExists(t);
  await setChecks(knex, LEDGER_KINDS_BEFORE, IMPORT_KINDS_BEFORE);
}
