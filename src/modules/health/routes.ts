import { Router } from 'express';
import type { Database } from '../../db/connection';
import { DATABASE_RETRY_AFTER_S } from '../../http/errors';

/**
 * How long /healthz waits for the database: a load balancer asks often and must hear "down"
 * rather than wait on a server that does not answer.
 */
const PING_TIMEOUT_MS = 3_000;

/** 200 while this instance reaches its database (on a connection of its own, src/db/health-connection.ts), else 503. */
export function healthRoutes(db: Pick<Database, 'ping'>) {
  const r = Router();
  r.get('/healthz', async (_req, res) => {
    try {
      await db.ping(PING_TIMEOUT_MS);
      res.json({ status: 'ok', db: 'ok' });
    } catch {
      res.status(503).set('Retry-After', String(DATABASE_RETRY_AFTER_S)).json({ status: 'error', db: 'unreachable' });
    }
  });
  return r;
}
