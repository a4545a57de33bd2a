import { afterAll, inject } from 'vitest';
import { connect, type Database } from '../../src/db/connection';
import { adminKnex, createDatabase, dropDatabase, templateNames, uniqueName, urlFor } from './pg';

export interface TestDatabase extends Database {
  name: string;
  url: string;
}

/**
 * A private copy of a template database for this test file, dropped after it. `demo` gives the
 * 张三 of 图3 and the other demo data; otherwise the schema is empty and factories fill it.
 */
export async function testDatabase(opts: { demo?: boolean; poolMax?: number } = {}): Promise<TestDatabase> {
  const runId = inject('runId');
  const templates = templateNames(runId);
  const name = uniqueName(runId);
  const admin = adminKnex();
  await createDatabase(admin, name, opts.demo ? templates.demo : templates.empty);
  const url = urlFor(name);
  const db = await connect({ databaseUrl: url, poolMax: opts.poolMax ?? 10 });
  afterAll(async () => {
    await db.close();
    await dropDatabase(admin, name);
    await admin.destroy();
  });
  return { ...db, name, url };
}
