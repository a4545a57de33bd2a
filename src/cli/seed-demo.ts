// Demo data on request. Refuses a production database: demo students have real-looking ID numbers.
import { loadConfig } from '../config';
import { connect } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { seedDemo } from '../../seeds/demo';

const config = loadConfig();
if (config.env === 'production') {
  console.error('refusing to seed demo data into a production database (NODE_ENV=production)');
  process.exit(2);
}
const db = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
await migrateLatest(db.knex);
await seedDemo(db.knex);
console.log(`demo data ready (${db.engine})`);
await db.close();
