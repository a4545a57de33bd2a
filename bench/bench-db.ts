// The database and configuration every bench runs against: a fresh PostgreSQL database of its own
// (dropped afterwards), and production settings but for plain http on loopback (production would
// otherwise want https: secure cookies by default, src/config.ts).
import knexFactory from 'knex';
import { loadConfig } from '../src/config';
import { connect, type Database } from '../src/db/connection';

const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

export async function benchDatabase(label: string, poolMax: number): Promise<{ db: Database; url: string; drop: () => Promise<void> }> {
  const name = `cupp_bench_${label}_${process.pid}`;
  const admin = knexFactory({ client: 'pg', connection: `${PG}/postgres` });
  await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
  await admin.raw('CREATE DATABASE ??', [name]);
  const url = `${PG}/${name}`;
  const db = await connect({ databaseUrl: url, poolMax });
  const drop = async () => {
    await db.close();
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    await admin.destroy();
  };
  return { db, url, drop };
}

export function benchConfig(databaseUrl: string) {
  return loadConfig({ NODE_ENV: 'production', COOKIE_SECURE: '0', DATABASE_URL: databaseUrl, SESSION_SECRET: 'b'.repeat(40), BANK_CARD_KEY: 'ab'.repeat(32), LOG_LEVEL: 'silent', SANDBOX: '0' });
}
