// Test databases on the real PostgreSQL server: two templates made once per run (migrated, and
// migrated + demo data), and a fresh copy of one for each test file. Every name carries the run's
// process id, so several runs on one server (two developers, CI) never touch each other's data.
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432';
/**
 * The server: TEST_PG_URL, or 127.0.0.1:5432. Read at each call, since the global setup sets
 * TEST_PG_URL to the server it started when none answered (test/helpers/embedded-pg.ts), and
 * the test processes it starts afterwards inherit it.
 */
export const pgBase = () => process.env.TEST_PG_URL ?? DEFAULT_PG_URL;
export const PREFIX = 'cupp_t';

export const templateNames = (runId: string) => ({ empty: `${PREFIX}_${runId}_tpl_empty`, demo: `${PREFIX}_${runId}_tpl_demo` });

export const urlFor = (db: string) => `${pgBase()}/${db}`;

export function adminKnex(): Knex {
  return knexFactory({ client: 'pg', connection: urlFor('postgres'), pool: { min: 0, max: 2 } });
}

export async function createDatabase(admin: Knex, name: string, template?: string): Promise<void> {
  await admin.raw(`CREATE DATABASE ?? ${template ? 'TEMPLATE ??' : ''}`, template ? [name, template] : [name]);
}

export async function dropDatabase(admin: Knex, name: string): Promise<void> {
  await admin.raw(`DROP DATABASE IF EXISTS ?? WITH (FORCE)`, [name]);
}

export function uniqueName(runId: string): string {
  return `${PREFIX}_${runId}_${randomBytes(4).toString('hex')}`;
}

/** Databases left by runs whose process is gone (killed, crashed): safe to drop. */
export async function dropOrphans(admin: Knex): Promise<void> {
  const { rows } = await admin.raw(`SELECT datname FROM pg_database WHERE datname LIKE 'cupp\\_t\\_%'`);
  for (const { datname } of rows as { datname: string }[]) {
    const pid = Number(datname.split('_')[2]);
    if (!Number.isInteger(pid) || !alive(pid)) await dropDatabase(admin, datname);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
