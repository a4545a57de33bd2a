// The outside world in a box: simulated payment channels on their own port. Each channel's
// simulator is added by the issue that builds that channel.
import type { Server } from 'node:http';
import express from 'express';
import type { Config } from '../config';
import type { Logger } from '../logger';

export function createSandboxApp() {
  const app = express();
  app.disable('x-powered-by');
  app.get('/', (_req, res) => res.type('text/plain; charset=utf-8').send('支付渠道沙箱 (sandbox)'));
  return app;
}

export async function startSandbox(opts: { config: Config; logger: Logger }): Promise<Server> {
  const app = createSandboxApp();
  return new Promise((resolve) => {
    const s = app.listen(opts.config.sandbox.port, '127.0.0.1', () => {
      opts.logger.info(`payment sandbox on ${opts.config.sandbox.url}`);
      resolve(s);
    });
  });
}
