// What a refund means (src/domain/refund-plan.ts), chosen by finance when making it:
// 'money_back' (an overpayment or a mistaken payment handed back; what is owed stays) or
// 'fee_reduced' (the fee is reduced or waived for 休学, 退学 or 减免: the refund posts a reduction
// of `reduction_amount` with it, in the same transaction, so the bill stays settled). A pending
// channel refund keeps its reduction here until the channel's answer posts both together.
// Refunds made before this migration handed money back without touching what was owed.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('refunds', (t) => {
    t.string('purpose', 12).notNullable().defaultTo('money_back');
    t.string('reduction_cause', 12);
    t.decimal('reduction_amount', 14, 2);
  });
  await knex.raw(`ALTER TABLE refunds ADD CONSTRAINT refunds_purpose_chk CHECK (
    (purpose = 'money_back' AND reduction_cause IS NULL AND reduction_amount IS NULL)
    OR (purpose = 'fee_reduced' AND reduction_cause IN ('suspension','withdrawal','waiver') AND reduction_amount > 0))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE refunds DROP CONSTRAINT IF EXISTS refunds_purpose_chk');
  await knex.schema.alterTable('refunds', (t) => {
    for (const c of ['purpose', 'reduction_cause', 'reduction_amount']) t.dropColumn(c);
  });
}
