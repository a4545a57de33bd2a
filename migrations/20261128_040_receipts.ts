// Receipts after payment: the retry state of e-bill issuing, what an e-bill said when it
// was issued, numbering of the university's own receipts, and the SMS notice's link to its receipt.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // E-bill issuing retries with backoff until the non-tax platform answers; the state lives on the
  // receipt so a restart, or another instance, carries on where the last attempt stopped.
  await knex.schema.alterTable('receipts', (t) => {
    t.integer('ebill_attempts').notNullable().defaultTo(0);
    t.timestamp('ebill_next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('ebill_last_error');
  });
  await knex.raw(
    `CREATE INDEX receipts_ebill_due_idx ON receipts (ebill_next_attempt_at) WHERE ebill_status IN ('待生成', '其他票据')`,
  );
  await knex.raw(
    `ALTER TABLE receipts ADD CONSTRAINT receipts_ebill_status_chk CHECK (ebill_status IN ('待生成','已生成','其他票据'))`,
  );

  // A bill is a document: what it said when issued must not change when a fee item is renamed later.
  await knex.schema.alterTable('ebills', (t) => {
    t.string('payer_number', 32).notNullable().defaultTo(''); // 缴费人编号
    t.string('unit_name', 100).notNullable().defaultTo(''); // 执收单位
    t.string('remark', 200).notNullable().defaultTo(''); // 备注
    t.string('handler', 50).notNullable().defaultTo(''); // 经办人
    t.jsonb('lines').notNullable().defaultTo('[]'); // 项目编码 项目名称 单位 数量 标准 金额
  });
  await knex.raw(`ALTER TABLE ebills ADD CONSTRAINT ebills_kind_chk CHECK (kind IN ('fiscal','school'))`);
  await knex.raw(`ALTER TABLE ebills ADD CONSTRAINT ebills_check_code_chk CHECK (check_code ~ '^[0-9]{6}$')`);
  // The public verification page looks a bill up by its number.
  await knex.raw(`CREATE INDEX ebills_bill_no_idx ON ebills (bill_no)`);

  // 其他票据: the university numbers its own receipts for 代收 items.
  await knex.raw(`CREATE SEQUENCE school_bill_no_seq START 1`);

  // The e-bill notice is queued once per receipt, in the transaction that records the bill.
  await knex.schema.alterTable('sms_outbox', (t) => {
    t.bigInteger('receipt_id').references('receipts.id');
    t.string('purpose', 16).notNullable().defaultTo('notice'); // notice | ebill
  });
  await knex.raw(`CREATE UNIQUE INDEX sms_outbox_receipt_purpose_uq ON sms_outbox (receipt_id, purpose) WHERE receipt_id IS NOT NULL`);
  await knex.raw(`ALTER TABLE sms_outbox ADD CONSTRAINT sms_outbox_status_chk CHECK (status IN ('pending','sent','failed'))`);

  // What the sandbox SMS sender "delivered": the demo's stand-in for a phone.
  await knex.schema.createTable('sms_sandbox_inbox', (t) => {
    t.bigIncrements('id');
    t.string('mobile', 11).notNullable();
    t.text('body').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['mobile']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sms_sandbox_inbox');
  await knex.raw('ALTER TABLE sms_outbox DROP CONSTRAINT IF EXISTS sms_outbox_status_chk');
  await knex.raw('DROP INDEX IF EXISTS sms_outbox_receipt_purpose_uq');
  await knex.schema.alterTable('sms_outbox', (t) => {
    t.dropColumn('receipt_id');
    t.dropColumn('purpose');
  });
  await knex.raw('DROP SEQUENCE IF EXISTS school_bill_no_seq');
  await knex.raw('DROP INDEX IF EXISTS ebills_bill_no_idx');
  await knex.raw('ALTER TABLE ebills DROP CONSTRAINT IF EXISTS ebills_check_code_chk');
  await knex.raw('ALTER TABLE ebills DROP CONSTRAINT IF EXISTS ebills_kind_chk');
  await knex.schema.alterTable('ebills', (t) => {
    for (const c of ['payer_number', 'unit_name', 'remark', 'handler', 'lines']) t.dropColumn(c);
  });
  await knex.raw('ALTER TABLE receipts DROP CONSTRAINT IF EXISTS receipts_ebill_status_chk');
  await knex.raw('DROP INDEX IF EXISTS receipts_ebill_due_idx');
  await knex.schema.alterTable('receipts', (t) => {
    t.dropColumn('ebill_attempts');
    t.dropColumn('ebill_next_attempt_at');
    t.dropColumn('ebill_last_error');
  });
}
