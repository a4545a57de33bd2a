import type { TestProject } from 'vitest/node';
import { connect } from '../../src/db/connection';
import { migrateLatest } from '../../src/db/migrate';
import { seedDemo } from '../../seeds/demo';
import { postgresAnswers, startEmbeddedPostgres, type EmbeddedServer } from './embedded-pg';
import { adminKnex, createDatabase, dropDatabase, dropOrphans, pgBase, templateNames, urlFor } from './pg';

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
  }
}

export default async function setup(project: TestProject) {
  const runId = String(process.pid);
  // No server at TEST_PG_URL (or 127.0.0.1:5432): a real one of this run's own, so `npm test`
  // needs nothing installed. The test processes start after this and inherit TEST_PG_URL.
  let embedded: EmbeddedServer | undefined;
  if (!(await postgresAnswers(pgBase()))) {
    const started = Date.now();
    embedded = await startEmbeddedPostgres();
    console.log(`no PostgreSQL at ${pgBase()}: started embedded PostgreSQL at ${embedded.base} for this run (${Date.now() - started} ms)`);
    process.env.TEST_PG_URL = embedded.base;
  }
  const names = templateNames(runId);
  const admin = adminKnex();
  try {
    await dropOrphans(admin);
    for (const [name, demo] of [[names.empty, false], [names.demo, true]] as const) {
      await dropDatabase(admin, name);
      await createDatabase(admin, name);
      const db = await connect({ databaseUrl: urlFor(name), poolMax: 2 });
      await migrateLatest(db.knex);
      if (demo) await seedDemo(db.knex);
      await db.close();
    }
  } catch (e) {
    await embedded?.stop();
    throw e;
  } finally {
    await admin.destroy();
  }
  project.provide('runId', runId);

  return async () => {
    const a = adminKnex();
    await dropDatabase(a, names.empty);
    await dropDatabase(a, names.demo);
    await a.destroy();
    await embedded?.stop();
  };
}
