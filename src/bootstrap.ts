// Database start-up shared by the server, the CLI and the smoke tests: connect, migrate, and fill
// demo data on the embedded database's first start (never into a DATABASE_URL database unasked).
import type { Config } from './config';
import { connect, type Database } from './db/connection';
import { migrateLatest } from './db/migrate';
import { seedDemo } from '../seeds/demo';

/** Whether start-up fills (or has filled) demo data into this engine's database. */
export const wantsDemo = (config: Config, engine: Database['engine']) => config.seedDemo ?? engine === 'pglite';

export async function openDatabase(config: Config): Promise<Database> {
  const db = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: config.databasePoolMax });
  await migrateLatest(db.knex);
  if (wantsDemo(config, db.engine)) await seedDemo(db.knex);
  return db;
}
