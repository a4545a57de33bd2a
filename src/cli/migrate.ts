import { loadConfig } from '../config';
import { connect } from '../db/connection';
import { migrateLatest } from '../db/migrate';

const config = loadConfig();
const db = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
await migrateLatest(db.knex);
console.log(`migrated (${db.engine})`);
await db.close();
