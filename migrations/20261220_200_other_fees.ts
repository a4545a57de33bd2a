// 其他费用 (manual 三(三), 图8): per fee item, whether it may still be paid after its 收费终止
// (逾期可缴, finance's choice per item), and whether it is optional (选缴: 教材费, 体检费 …), in which
// case nobody is billed for it until they choose it on the 其他费用 tab. An optional item says in
// which period its bill goes, for how much, and to whom it is offered; the bill a person chooses
// is an ordinary bill, unique per (person, period, item) as every bill is, so choosing twice
// cannot make two.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('fee_items', (t) => {
    t.boolean('payable_after_end').notNullable().defaultTo(false);
    t.boolean('optional').notNullable().defaultTo(false);
    t.integer('offer_period_id').references('fee_periods.id');
    t.decimal('offer_amount', 14, 2);
    t.string('offer_audience', 8).notNullable().defaultTo('all');
  });
  await knex.raw(`ALTER TABLE fee_items ADD CONSTRAINT fee_items_offer_audience_chk CHECK (offer_audience IN ('all','student','staff','external'))`);
  await knex.raw(`ALTER TABLE fee_items ADD CONSTRAINT fee_items_optional_chk CHECK (
    (NOT optional AND offer_period_id IS NULL AND offer_amount IS NULL)
    OR (optional AND fee_type = '其他费用' AND offer_period_id IS NOT NULL AND offer_amount > 0))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE fee_items DROP CONSTRAINT IF EXISTS fee_items_optional_chk');
  await knex.raw('ALTER TABLE fee_items DROP CONSTRAINT IF EXISTS fee_items_offer_audience_chk');
  await knex.schema.alterTable('fee_items', (t) => {
    for (const c of ['payable_after_end', 'optional', 'offer_period_id', 'offer_amount', 'offer_audience']) t.dropColumn(c);
  });
}
