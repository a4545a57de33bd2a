// Start-up: config → database (migrate, demo data on the embedded default) → app → listen,
// with the sandbox channels beside it for the demo. Shuts down cleanly on SIGINT/SIGTERM.
import type { Server } from 'node:http';
import path from 'node:path';
import { loadConfigOrExit } from './config';
import { createApp } from './app';
import { openDatabase, wantsDemo } from './bootstrap';
import { keyPairsNeeded, prepareKeyPairs, sandboxKeyDir } from './sandbox/keys';
import { startupBanner } from './startup-banner';
import { createLogger } from './logger';
import { buildServices } from './services';

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  // With several instances the sandbox runs once, on its own (SANDBOX_EXTERNAL, src/sandbox/main.ts).
  const runSandbox = config.sandbox.enabled && !config.sandbox.external;
  // Its keys are made on the thread pool while this thread opens the database (a first start
  // needs a dozen RSA pairs); a failure here only means the simulators make their own.
  const keys = runSandbox ? prepareKeyPairs(keyPairsNeeded(sandboxKeyDir(config.dataDir))).catch(() => undefined) : undefined;
  const db = await openDatabase(config);
  const servers: Server[] = [];

  // Built once: the app and the jobs share every service (one registry, one payment service).
  const services = buildServices({ config, db, logger });
  const app = createApp({ config, db, logger, services });
  const url = `http://localhost:${config.port}`;
  servers.push(await new Promise<Server>((resolve) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
  }));
  logger.info(`校园统一支付平台 ready on ${url} (database: ${db.engine})`);
  keepConnections(servers[0]!);

  if (runSandbox) {
    await keys;
    const { startSandbox } = await import('./sandbox/server');
    servers.push(await startSandbox({ config, logger }));
  }
  console.log(startupBanner({
    url,
    sandboxUrl: runSandbox ? config.sandbox.url : undefined,
    database: db.engine === 'pglite' ? `embedded PGlite in ${path.join(config.dataDir, 'pglite')}` : 'PostgreSQL at DATABASE_URL',
    demo: wantsDemo(config, db.engine),
    emailOff: !services.mailSender,
  }));

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
