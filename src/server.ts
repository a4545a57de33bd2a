// Start-up: config → database (migrate, demo data on the embedded default) → app → listen,
// with the sandbox channels beside it for the demo. Shuts down cleanly on SIGINT/SIGTERM.
import type { Server } from 'node:http';
import { ConfigError, loadConfig } from './config';
import { createApp } from './app';
import { openDatabase } from './bootstrap';
import { createLogger } from './logger';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  const db = await openDatabase(config);
  const servers: Server[] = [];

  const app = createApp({ config, db, logger });
  servers.push(app.listen(config.port, config.host, () => {
    logger.info(`校园统一支付平台 ready on http://localhost:${config.port} (database: ${db.engine})`);
  }));

  if (config.sandbox.enabled) {
    const { startSandbox } = await import('./sandbox/server');
    servers.push(await startSandbox({ config, logger }));
  }

  const { startOrderExpiry } = await import('./modules/payment');
  const stopExpiry = startOrderExpiry({ config, knex: db.knex, logger });

  // After payment: the e-bill from the non-tax platform, then the SMS with its link. The sandbox
  // SMS sender records messages; docs/sms.md says how to plug in a real provider here.
  const { startEbillIssuing } = await import('./jobs/ebill-issuing');
  const { startSmsSending } = await import('./jobs/sms-sending');
  const { createEbillClient } = await import('./modules/ebills/client');
  const { sandboxSmsSender } = await import('./modules/sms/sender');
  const stopReceiptJobs = [
    startEbillIssuing({
      knex: db.knex, client: createEbillClient(config.ebill), schoolName: config.schoolName, schoolCode: config.schoolCode,
      publicUrl: config.publicUrl, logger,
    }),
    startSmsSending({ knex: db.knex, sender: sandboxSmsSender(db.knex), logger }),
  ];

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stopExpiry();
    for (const stopJob of stopReceiptJobs) stopJob();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
