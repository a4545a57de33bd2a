// 当前费用, 首页 and 学费缴费 read each bill's deferrals in the bills' own statement, keyed by bill
// (src/modules/deferrals/repo.ts BILL_DEFERRALS_SQL): in force and lately expired alike. Only the
// live ones had an index on bill_id (deferrals_one_live); this covers the ended ones too, and the
// person-wide scan the pages used to make is gone.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX deferrals_by_bill ON deferrals (bill_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS deferrals_by_bill');
}
