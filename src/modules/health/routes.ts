import { Router } from 'express';
import type { Knex } from 'knex';
import { DATABASE_RETRY_AFTER_S } from '../../http/errors';
import { pingDatabase } from './repo';

/**
 * How long /healthz waits for the database: a load balancer asks often and must hear "down"
 * while the pool is still waiting for a connection (acquireConnectionTimeout is longer).
 */
const PING_TIMEOUT_MS = 3_000;

export function healthRoutes(db: Knex) {
  const r = Router();
  r.get('/healthz', async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        pingDatabase(db),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('database ping timed out')), PING_TIMEOUT_MS);
        }),
      ]);
      res.json({ status: 'ok', db: 'ok' });
    } catch {
      res.status(503).set('Retry-After', String(DATABASE_RETRY_AFTER_S)).json({ status: 'error', db: 'unreachable' });
    } finally {
      clearTimeout(timer);
    }
  });
  return r;
}
