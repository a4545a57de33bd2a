// One knex instance on either engine: a PostgreSQL server (DATABASE_URL) or the embedded PGlite
// under ./data. Both speak the same SQL, so migrations, repos and tests are shared.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { ownConnectionPinger, poolPinger } from './health-connection';
import { newClusterFromTemplate } from './pglite-template';
import { PreparingPgClient, statementName } from './prepared';

export type Engine = 'postgres' | 'pglite';

export interface Database {
  knex: Knex;
  engine: Engine;
  /** A node-postgres-shaped `query` for libraries that want a pool (sessions, rate limits). */
  pool: QueryPool;
  /** `select 1` for /healthz, on a connection of its own where there is a server (src/db/health-connection.ts). */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface QueryPool {
  /** `prepare`: a query of fixed text sent on every page, run as a prepared statement (src/db/prepared.ts). */
  query(text: string | { text: string; values?: unknown[]; prepare?: boolean }, values?: unknown[]): Promise<{ rows: any[]; rowCount?: number | null }>;
}

const DATE_OID = 1082;
// A calendar date must stay the string Postgres sent: turning it into a JS Date shifts it by
// the process's time zone and tuition periods end on the wrong day.
pg.types.setTypeParser(DATE_OID, (v) => v);
// numeric (1700) and int8 (20) stay strings from node-postgres; money goes to Decimal in repos.

export interface ConnectOptions {
  databaseUrl?: string | undefined;
  dataDir?: string;
  poolMax?: number;
}

export async function connect(opts: ConnectOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const knex = knexFactory({
      client: PreparingPgClient as unknown as typeof knexFactory.Client,
      connection: opts.databaseUrl,
      pool: { min: 0, max: opts.poolMax ?? 10 },
      acquireConnectionTimeout: 10_000,
    });
    const pinger = ownConnectionPinger(opts.databaseUrl);
    return {
      knex, engine: 'postgres', pool: poolOver(knex), ping: (ms) => pinger.ping(ms),
      close: async () => {
        await pinger.close();
        await knex.destroy();
      },
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { default: ClientPgLite } = await import('knex-pglite');
  const dir = path.resolve(opts.dataDir ?? './data', 'pglite');
  mkdirSync(dir, { recursive: true });
  await newClusterFromTemplate(dir);
  const pglite = new PGlite(dir, { parsers: { [DATE_OID]: (v: string) => v } });
  await pglite.waitReady;
  const knex = knexFactory({
    client: ClientPgLite as unknown as typeof knexFactory.Client,
    connection: () => ({ pglite }) as never,
  });
  return {
    knex,
    engine: 'pglite',
    pool: poolOver(knex),
    ping: poolPinger(() => knex.raw('select 1')).ping,
    close: async () => {
      await knex.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

/**
 * Runs each query on a connection borrowed from knex's pool. On the embedded engine there is
 * one connection only, so going through the pool is what keeps a session write from landing
 * inside another request's open transaction.
 */
export function poolOver(knex: Knex): QueryPool {
  return {
    async query(q, values) {
      const text = typeof q === 'string' ? q : q.text;
      const params = typeof q === 'string' ? values : q.values;
      const conn = (await knex.client.acquireConnection()) as {
        query(t: string | pg.QueryConfig, p?: unknown[]): Promise<{ rows: any[]; rowCount?: number; affectedRows?: number }>;
      };
      try {
        // The embedded engine has no statements to name; node-postgres takes the name in the query's config.
        const prepare = typeof q !== 'string' && q.prepare === true && (conn as object) instanceof pg.Client;
        const res = await (prepare ? conn.query({ name: statementName(text), text, values: params ?? [] }) : conn.query(text, params ?? []));
        return { rows: res.rows, rowCount: res.rowCount ?? res.affectedRows ?? null };
      } finally {
        await knex.client.releaseConnection(conn);
      }
    },
  };
}
