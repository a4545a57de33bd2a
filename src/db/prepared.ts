// Prepared statements for the queries every page sends. PostgreSQL parses and plans an unnamed
// statement each time it is sent (node-postgres sends Parse, Bind and Execute for every
// parameterised query); a named one is parsed once per connection and then only bound and run,
// which on this machine cost about a quarter of the database's CPU per statement. A query asks for
// it with `.options({ prepare: true })` (knex passes a builder's or raw's options through to the
// driver's query config, node_modules/knex/lib/dialects/postgres/index.js _query); the name is a
// hash of the SQL text, so each shape of a query (with or without a filter) is a statement of its
// own and node-postgres's check that a name always means the same text
// (node_modules/pg/lib/query.js: "Prepared statements must be unique") can never fail. Only
// queries of a fixed shape should ask: each distinct text stays prepared on every connection.
import { createHash } from 'node:crypto';
// knex ships its dialects as CommonJS without types (src/knex-dialects.d.ts).
import PgDialect from 'knex/lib/dialects/postgres/index.js';

const names = new Map<string, string>();

/** The statement name of a SQL text: the same text always gets the same name. */
export function statementName(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    name = `p_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return name;
}

interface QueryObject { sql: string; options?: Record<string, unknown> }

/** knex's PostgreSQL client, turning `prepare: true` into the statement's name. */
export class PreparingPgClient extends PgDialect {
  override _query(connection: unknown, obj: QueryObject): Promise<unknown> {
    if (obj.options?.prepare) {
      const { prepare: _prepare, ...rest } = obj.options;
      obj.options = { ...rest, name: statementName(obj.sql) };
    }
    return super._query(connection, obj);
  }
}
