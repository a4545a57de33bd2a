// 代收 items (体检费, 医疗保险: money the university collects on others' behalf, not its income) get
// the 行政事业单位资金往来结算票据（电子） from the same fiscal e-bill platform as the 非税收入 bills:
// ebills.kind 'settlement' (the column widened to hold it). 'school', the university's own receipt
// these items had before, stays valid for the bills already issued.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE ebills DROP CONSTRAINT IF EXISTS ebills_kind_chk');
  await knex.raw('ALTER TABLE ebills ALTER COLUMN kind TYPE varchar(16)');
  await knex.raw(`ALTER TABLE ebills ADD CONSTRAINT ebills_kind_chk CHECK (kind IN ('fiscal','settlement','school'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE ebills DROP CONSTRAINT IF EXISTS ebills_kind_chk');
  await knex.raw(`ALTER TABLE ebills ADD CONSTRAINT ebills_kind_chk CHECK (kind IN ('fiscal','school'))`);
}
