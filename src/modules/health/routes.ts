import { Router } from 'express';
import type { Knex } from 'knex';
import { pingDatabase } from './repo';

export function healthRoutes(db: Knex) {
  const r = Router();
  r.get('/healthz', async (_req, res) => {
    try {
      await pingDatabase(db);
      res.json({ status: 'ok', db: 'ok' });
    } catch {
      res.status(503).json({ status: 'error', db: 'unreachable' });
    }
  });
  return r;
}
