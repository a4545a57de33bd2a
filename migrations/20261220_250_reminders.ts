// Reminders (issue 18, item 3): an email outbox beside sms_outbox, the confirmed address each
// person mails go to, the confirmation links, reminder campaigns, and one row per message a
// reminder queued. The unique indexes are what keep a person from getting the same campaign
// twice (a double 发送, two instances) or more than one reminder a day on a channel.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Same shape and states as sms_outbox, drained by the same claim-with-lease loop.
  await knex.schema.createTable('email_outbox', (t) => {
    t.bigIncrements('id');
    t.integer('person_id').references('people.id');
    t.string('address', 100).notNullable();
    t.string('subject', 200).notNullable();
    t.text('body').notNullable();
    t.string('unsubscribe_url', 500);
    t.string('purpose', 16).notNullable(); // confirm | reminder
    t.string('status', 8).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['status', 'next_attempt_at']);
  });
  await knex.raw(`ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_status_chk CHECK (status IN ('pending','sent','failed'))`);
  // A reminder in sms_outbox or email_outbox waits out the night's quiet window (the drain skips it then).
  await knex.schema.alterTable('sms_outbox', (t) => {
    t.boolean('quiet').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('email_outbox', (t) => {
    t.boolean('quiet').notNullable().defaultTo(false);
  });

  // The address reminder mail goes to: only once confirmed, and only while it is still the 邮箱 of 个人信息.
  await knex.schema.createTable('email_contacts', (t) => {
    t.integer('person_id').primary().references('people.id');
    t.string('email', 100).notNullable();
    t.timestamp('confirmed_at', { useTz: true }).notNullable();
    t.timestamp('unsubscribed_at', { useTz: true });
  });

  await knex.schema.createTable('email_confirmations', (t) => {
    t.bigIncrements('id');
    t.integer('person_id').notNullable().references('people.id');
    t.string('email', 100).notNullable();
    t.string('token_hash', 64).notNullable().unique(); // sha256 hex of the link's token; the token itself is never stored
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['person_id']);
  });

  await knex.schema.createTable('reminder_campaigns', (t) => {
    t.increments('id');
    t.string('title', 100).notNullable();
    t.text('body').notNullable();
    t.integer('period_id').references('fee_periods.id');
    t.integer('college_id').references('colleges.id');
    t.integer('class_id').references('classes.id');
    t.integer('fee_item_id').references('fee_items.id');
    t.decimal('min_arrears', 14, 2).notNullable().defaultTo(0);
    t.boolean('by_sms').notNullable();
    t.boolean('by_email').notNullable();
    t.timestamp('send_at', { useTz: true }); // NULL: as soon as 发送 is pressed
    t.string('status', 12).notNullable().defaultTo('draft'); // draft | scheduled | queued
    t.integer('author_account_id').references('accounts.id');
    t.timestamp('queued_at', { useTz: true });
    t.timestamps(true, true);
  });
  await knex.raw(`ALTER TABLE reminder_campaigns ADD CONSTRAINT reminder_campaigns_status_chk CHECK (status IN ('draft','scheduled','queued'))`);
  await knex.raw(`ALTER TABLE reminder_campaigns ADD CONSTRAINT reminder_campaigns_channel_chk CHECK (by_sms OR by_email)`);
  await knex.raw(`ALTER TABLE reminder_campaigns ADD CONSTRAINT reminder_campaigns_min_chk CHECK (min_arrears >= 0)`);

  // Per fee item: "N days before 收费终止", turned on by finance.
  await knex.schema.createTable('deadline_reminders', (t) => {
    t.integer('fee_item_id').primary().references('fee_items.id');
    t.boolean('enabled').notNullable().defaultTo(false);
    t.integer('days_before').notNullable();
    t.boolean('by_sms').notNullable();
    t.boolean('by_email').notNullable();
    t.text('body').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE deadline_reminders ADD CONSTRAINT deadline_reminders_days_chk CHECK (days_before BETWEEN 1 AND 60)`);

  // One row per reminder message: a campaign's (campaign_id) or a deadline's (deadline_item_id).
  await knex.schema.createTable('reminder_deliveries', (t) => {
    t.bigIncrements('id');
    t.integer('campaign_id').references('reminder_campaigns.id');
    t.integer('deadline_item_id').references('fee_items.id');
    t.integer('person_id').notNullable().references('people.id');
    t.string('channel', 8).notNullable(); // sms | email
    t.date('send_day').notNullable(); // the business day it goes out (after the quiet window)
    t.string('status', 8).notNullable(); // queued | limited
    t.bigInteger('outbox_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE reminder_deliveries ADD CONSTRAINT reminder_deliveries_status_chk CHECK (status IN ('queued','limited'))`);
  await knex.raw(`ALTER TABLE reminder_deliveries ADD CONSTRAINT reminder_deliveries_channel_chk CHECK (channel IN ('sms','email'))`);
  await knex.raw(`ALTER TABLE reminder_deliveries ADD CONSTRAINT reminder_deliveries_source_chk CHECK ((campaign_id IS NULL) <> (deadline_item_id IS NULL))`);
  await knex.raw(`CREATE UNIQUE INDEX reminder_deliveries_campaign_uq ON reminder_deliveries (campaign_id, person_id, channel) WHERE campaign_id IS NOT NULL`);
  await knex.raw(`CREATE UNIQUE INDEX reminder_deliveries_deadline_uq ON reminder_deliveries (deadline_item_id, person_id, channel) WHERE deadline_item_id IS NOT NULL`);
  // The per-person limit: one reminder a day per channel, across campaigns and deadlines.
  await knex.raw(`CREATE UNIQUE INDEX reminder_deliveries_daily_uq ON reminder_deliveries (person_id, channel, send_day) WHERE status = 'queued'`);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['reminder_deliveries', 'deadline_reminders', 'reminder_campaigns', 'email_confirmations', 'email_contacts', 'email_outbox']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.schema.alterTable('sms_outbox', (t) => {
    t.dropColumn('quiet');
  });
}
