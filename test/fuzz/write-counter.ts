// Counts the rows each request writes, table by table: a row trigger on every table of the test's
// own database appends the table's name to a side table, and the fuzz test reads what was
// appended since the previous request. Test-only: the triggers live in the private database
// test/helpers/test-db.ts made for this file and are dropped with it.
import type { Knex } from 'knex';

export interface WriteCounter {
  /** Tables written (row count each) since the previous call. */
  since(): Promise<Record<string, number>>;
}

export async function installWriteCounter(knex: Knex): Promise<WriteCounter> {
  await knex.raw('create table fuzz_writes (id bigserial primary key, tbl text not null)');
  await knex.raw(`create function fuzz_count() returns trigger language plpgsql as $$
    begin insert into fuzz_writes(tbl) values (TG_TABLE_NAME); return null; end $$`);
  const tables = await knex('pg_tables').where({ schemaname: 'public' }).whereNot('tablename', 'fuzz_writes').whereNot('tablename', 'like', 'knex_%').pluck('tablename');
  for (const t of tables as string[]) {
    await knex.raw('create trigger fuzz_w after insert or update or delete on ?? for each row execute function fuzz_count()', [t]);
  }
  let last = 0;
  return {
    async since() {
      const rows = await knex('fuzz_writes').where('id', '>', last).orderBy('id').select('id', 'tbl');
      const out: Record<string, number> = {};
      for (const r of rows as { id: string; tbl: string }[]) {
        last = Number(r.id);
        out[r.tbl] = (out[r.tbl] ?? 0) + 1;
      }
      return out;
    },
  };
}
