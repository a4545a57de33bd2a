// 授权缴费人: a parent or sponsor a student invites by mobile number, with a login of their own.
//
// The payer is a people row of kind 'payer' with an account of role 'payer', so sessions, the
// login throttle and the audit log (actor_account_id) work for them as for anyone; they hold no
// bills of their own. They sign in by their mobile number, which is therefore unique among payers
// (payers_mobile_uq); 用户编号 is P + 7 digits of payer_number_seq, only the row's handle for
// finance. A payer has no gender or 身份证号 on file: the invitation asks for neither.
//
// payer_links is one student's authorization of one mobile number: invited (the SMS went out, no
// account yet or not yet accepted), active, declined (the payer said no) or revoked (the student
// took it back; ended_at says when). At most one link per student and mobile is not ended
// (payer_links_open_uq), so re-inviting after a revoke is a new row and the history stays.
// orders.payer_id is the payer who sent the order to the channel, NULL when the student did.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE people DROP CONSTRAINT people_kind_chk');
  await knex.raw(`ALTER TABLE people ADD CONSTRAINT people_kind_chk CHECK (kind IN ('student','staff','external','payer'))`);
  await knex.raw('ALTER TABLE people DROP CONSTRAINT people_gender_chk');
  await knex.raw(`ALTER TABLE people ADD CONSTRAINT people_gender_chk CHECK (gender IN ('男','女') OR (kind = 'payer' AND gender = ''))`);
  await knex.raw('ALTER TABLE accounts DROP CONSTRAINT accounts_role_chk');
  await knex.raw(`ALTER TABLE accounts ADD CONSTRAINT accounts_role_chk CHECK (role IN ('student','staff','external','dept_staff','finance_admin','payer'))`);
  await knex.raw(`CREATE UNIQUE INDEX payers_mobile_uq ON people (mobile) WHERE kind = 'payer'`);
  await knex.raw('CREATE SEQUENCE payer_number_seq START 1');

  await knex.schema.createTable('payer_links', (t) => {
    t.bigIncrements('id');
    t.integer('student_id').notNullable().references('people.id');
    t.string('mobile', 11).notNullable();
    t.string('relation', 8).notNullable(); // 父亲 | 母亲 | 其他
    t.string('name', 50).notNullable(); // as the student wrote it
    t.integer('payer_id').references('people.id'); // set when the payer accepts
    t.string('status', 12).notNullable().defaultTo('invited');
    t.timestamp('invited_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('accepted_at', { useTz: true });
    t.timestamp('ended_at', { useTz: true });
    t.index(['student_id']);
    t.index(['mobile']);
    t.index(['payer_id']);
  });
  await knex.raw(`ALTER TABLE payer_links ADD CONSTRAINT payer_links_status_chk CHECK (status IN ('invited','active','declined','revoked'))`);
  await knex.raw(`ALTER TABLE payer_links ADD CONSTRAINT payer_links_relation_chk CHECK (relation IN ('父亲','母亲','其他'))`);
  await knex.raw(`ALTER TABLE payer_links ADD CONSTRAINT payer_links_mobile_chk CHECK (mobile ~ '^1[3-9][0-9]{9}$')`);
  await knex.raw(`ALTER TABLE payer_links ADD CONSTRAINT payer_links_state_chk CHECK (
    (status = 'active' AND payer_id IS NOT NULL AND ended_at IS NULL) OR
    (status = 'invited' AND ended_at IS NULL) OR
    (status IN ('declined','revoked') AND ended_at IS NOT NULL))`);
  await knex.raw(`CREATE UNIQUE INDEX payer_links_open_uq ON payer_links (student_id, mobile) WHERE ended_at IS NULL`);

  await knex.schema.alterTable('orders', (t) => {
    t.integer('payer_id').references('people.id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => t.dropColumn('payer_id'));
  await knex.schema.dropTableIfExists('payer_links');
  await knex.raw('DROP SEQUENCE IF EXISTS payer_number_seq');
  await knex.raw('DROP INDEX IF EXISTS payers_mobile_uq');
  await knex.raw('ALTER TABLE accounts DROP CONSTRAINT accounts_role_chk');
  await knex.raw(`ALTER TABLE accounts ADD CONSTRAINT accounts_role_chk CHECK (role IN ('student','staff','external','dept_staff','finance_admin'))`);
  await knex.raw('ALTER TABLE people DROP CONSTRAINT people_gender_chk');
  await knex.raw(`ALTER TABLE people ADD CONSTRAINT people_gender_chk CHECK (gender IN ('男','女'))`);
  await knex.raw('ALTER TABLE people DROP CONSTRAINT people_kind_chk');
  await knex.raw(`ALTER TABLE people ADD CONSTRAINT people_kind_chk CHECK (kind IN ('student','staff','external'))`);
}
