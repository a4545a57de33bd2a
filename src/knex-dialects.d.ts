// knex ships its dialect classes as CommonJS without types; src/db/prepared.ts extends one.
declare module 'knex/lib/dialects/postgres/index.js' {
  /** knex's PostgreSQL client class: the step that hands a compiled query to node-postgres. */
  export default class PgDialect {
    constructor(config: unknown);
    _query(connection: unknown, obj: unknown): Promise<unknown>;
  }
}
