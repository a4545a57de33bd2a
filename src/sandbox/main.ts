// `npm run sandbox`: the simulated channels and e-bill platform as a process of their own, for a
// deployment of several instances (each started with SANDBOX_EXTERNAL=1 and SANDBOX_URL pointing
// here). The sandbox keeps its payments in memory, so exactly one may run: two would each know
// only their own payments. It reads the same environment as the instances: DATA_DIR (its keys,
// which the instances read from DATA_DIR/sandbox), SESSION_SECRET or EBILL_SECRET (the e-bill
// platform's secret), the channels' merchant ids, SANDBOX_PORT and SANDBOX_TIME_SCALE.
import { loadConfigOrExit } from '../config';
import { createLogger } from '../logger';
import { startSandbox } from './server';

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const server = await startSandbox({ config, logger });
  const stop = (signal: string) => {
    logger.info({ signal }, 'sandbox shutting down');
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
