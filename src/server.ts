// Start-up: config → database (migrate, demo data on the embedded default) → app → listen,
// with the sandbox channels beside it for the demo. Shuts down cleanly on SIGINT/SIGTERM.
import type { Server } from 'node:http';
import { loadConfigOrExit } from './config';
import { createApp } from './app';
import { openDatabase } from './bootstrap';
import { createLogger } from './logger';
import { buildServices } from './services';

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const db = await openDatabase(config);
  const servers: Server[] = [];

  // Built once: the app and the jobs share every service (one registry, one payment service).
  const services = buildServices({ config, db, logger });
  const app = createApp({ config, db, logger, services });
  servers.push(app.listen(config.port, config.host, () => {
    logger.info(`校园统一支付平台 ready on http://localhost:${config.port} (database: ${db.engine})`);
  }));
  keepConnections(servers[0]!);

  // With several instances the sandbox runs once, on its own (SANDBOX_EXTERNAL, src/sandbox/main.ts).
  if (config.sandbox.enabled && !config.sandbox.external) {
    const { startSandbox } = await import('./sandbox/server');
    servers.push(await startSandbox({ config, logger }));
  }

  // The periodic jobs (expiry, active query, e-bills, SMS, overpayments, reconciliation) on the
  // scheduler: every instance polls, one runs each slot (advisory lock + job_runs).
  const { createScheduler } = await import('./jobs/scheduler');
  const { platformJobs } = await import('./jobs');
  const scheduler = createScheduler({ db, jobs: platformJobs({ config, knex: db.knex, logger, services }), logger });
  scheduler.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await scheduler.stop();
    // The drains the last credits kicked (e-bills, SMS) record what they did before the database goes.
    await services.kicksIdle();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/**
 * Idle keep-alive connections stay open longer than a proxy's or client's own idle limit (nginx
 * upstream keepalive_timeout is 60 s). With Node's 5 s default the server closed a connection
 * just as the other side sent the next request on it, and that request got a reset instead of
 * an answer — most often when the machine was busy and the close and the request crossed.
 */
function keepConnections(server: Server) {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
