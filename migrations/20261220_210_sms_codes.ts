// SMS verification codes (src/modules/sms-codes): a 6-digit code texted to a mobile number to
// confirm it, first for 新用户注册 (src/modules/registration), later for whatever else confirms a
// mobile the same way. The code is kept only as an HMAC (code_hash), so a copy of the table does
// not hand out live codes; `tries` counts wrong entries; `consumed_at` is set by the one check that
// used it. The rows are also the per-number send limit's record (sent_at by mobile).
//
// external_number_seq numbers the people who register themselves (用户编号 W + 7 digits):
// people.number is NOT NULL UNIQUE, and the outsider signs in with 身份证号, so the number is only
// the row's handle for finance.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sms_codes', (t) => {
    t.bigIncrements('id');
    t.string('purpose', 24).notNullable();
    t.string('mobile', 11).notNullable();
    t.string('code_hash', 64).notNullable();
    t.integer('tries').notNullable().defaultTo(0);
    t.string('address', 64).notNullable().defaultTo('');
    t.timestamp('sent_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('consumed_at', { useTz: true });
    t.index(['mobile', 'sent_at']);
  });
  await knex.raw(`ALTER TABLE sms_codes ADD CONSTRAINT sms_codes_window_chk CHECK (sent_at < expires_at AND tries >= 0)`);
  await knex.raw('CREATE SEQUENCE external_number_seq START 1');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP SEQUENCE IF EXISTS external_number_seq');
  await knex.schema.dropTableIfExists('sms_codes');
}
