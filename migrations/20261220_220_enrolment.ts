// 报名信息 (issue 17 item 3): 报名项目 that finance (or a department, for its own events) publishes,
// and the sign-ups people make. A paid 报名项目 bills each sign-up through the billing module on
// its own 收费项目 and 收费期间, so one (fee item, period) pair belongs to one 报名项目 and a
// sign-up's bill is never shared with another purpose. Seats: a paid or free sign-up holds its
// seat; an unpaid one holds it until hold_until. One live sign-up per person per 报名项目.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('enrolment_projects', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.string('audience', 10).notNullable(); // external | student | staff | all
    t.timestamp('opens_at', { useTz: true }).notNullable();
    t.timestamp('closes_at', { useTz: true }).notNullable();
    t.integer('quota').notNullable();
    // Null for a free 报名项目: no bill, a sign-up is 已报名 at once.
    t.integer('fee_item_id').references('fee_items.id');
    t.integer('period_id').references('fee_periods.id');
    t.decimal('amount', 14, 2);
    t.integer('hold_minutes').notNullable().defaultTo(30);
    // [{ key, label, required, maxLength }]: the extra fields a sign-up fills in.
    t.jsonb('fields').notNullable().defaultTo('[]');
    // The department that owns it (its staff may manage it); null: the finance office's.
    t.integer('college_id').references('colleges.id');
    t.string('status', 10).notNullable().defaultTo('draft'); // draft | open | closed
    t.integer('created_by').references('accounts.id');
    t.timestamps(true, true);
    t.unique(['fee_item_id', 'period_id']);
  });
  await knex.raw(`ALTER TABLE enrolment_projects ADD CONSTRAINT enrolment_projects_audience_chk CHECK (audience IN ('external','student','staff','all'))`);
  await knex.raw(`ALTER TABLE enrolment_projects ADD CONSTRAINT enrolment_projects_status_chk CHECK (status IN ('draft','open','closed'))`);
  await knex.raw(`ALTER TABLE enrolment_projects ADD CONSTRAINT enrolment_projects_window_chk CHECK (opens_at < closes_at)`);
  await knex.raw(`ALTER TABLE enrolment_projects ADD CONSTRAINT enrolment_projects_quota_chk CHECK (quota > 0 AND hold_minutes > 0)`);
  await knex.raw(`ALTER TABLE enrolment_projects ADD CONSTRAINT enrolment_projects_fee_chk CHECK (
    (fee_item_id IS NULL AND period_id IS NULL AND amount IS NULL) OR (fee_item_id IS NOT NULL AND period_id IS NOT NULL AND amount > 0))`);

  await knex.schema.createTable('enrolment_signups', (t) => {
    t.bigIncrements('id');
    t.integer('project_id').notNullable().references('enrolment_projects.id');
    t.integer('person_id').notNullable().references('people.id');
    // holding: unpaid, seat held until hold_until · confirmed: paid or free · released: the hold
    // lapsed, its bill closed · cancelled: by finance (refunded through the refunds module when
    // paid) · refund_due: money arrived after release with no seat left, waiting for finance.
    t.string('status', 12).notNullable();
    t.integer('bill_id').references('bills.id');
    t.timestamp('hold_until', { useTz: true });
    t.jsonb('answers').notNullable().defaultTo('{}');
    t.timestamp('confirmed_at', { useTz: true });
    t.timestamp('ended_at', { useTz: true });
    t.string('end_reason', 200).notNullable().defaultTo('');
    t.timestamps(true, true);
    t.index(['project_id', 'status']);
    t.index(['person_id']);
    t.index(['status', 'hold_until']);
  });
  await knex.raw(`ALTER TABLE enrolment_signups ADD CONSTRAINT enrolment_signups_status_chk CHECK (status IN ('holding','confirmed','released','cancelled','refund_due'))`);
  // One live sign-up per person per 报名项目; an ended one may be followed by a new sign-up.
  await knex.raw(`CREATE UNIQUE INDEX enrolment_signups_live_uq ON enrolment_signups (project_id, person_id) WHERE status IN ('holding','confirmed')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('enrolment_signups');
  await knex.schema.dropTableIfExists('enrolment_projects');
}
