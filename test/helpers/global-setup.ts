import type { TestProject } from 'vitest/node';
import { connect } from '../../src/db/connection';
import { migrateLatest } from '../../src/db/migrate';
import { seedDemo } from '../../seeds/demo';
import { adminKnex, createDatabase, dropDatabase, dropOrphans, templateNames, urlFor } from './pg';

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
  }
}

export default async function setup(project: TestProject) {
  const runId = String(process.pid);
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
  } finally {
    await admin.destroy();
  }
  project.provide('runId', runId);

  return async () => {
    const a = adminKnex();
    await dropDatabase(a, names.empty);
    await dropDatabase(a, names.demo);
    await a.destroy();
  };
}
