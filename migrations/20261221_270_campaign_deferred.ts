// 缓缴情况 of a reminder campaign (issue 18 item 3): whether it reaches everyone matched, only
// those with a deferral in force on a matching bill, or only those without one. Campaigns saved
// before this column reached everyone, so 'all' is their value.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('reminder_campaigns', (t) => {
    t.string('deferred', 12).notNullable().defaultTo('all');
  });
  await knex.raw(`ALTER TABLE reminder_campaigns ADD CONSTRAINT reminder_campaigns_deferred_chk CHECK (deferred IN ('all','deferred','not_deferred'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE reminder_campaigns DROP CONSTRAINT IF EXISTS reminder_campaigns_deferred_chk');
  await knex.schema.alterTable('reminder_campaigns', (t) => {
    t.dropColumn('deferred');
  });
}
