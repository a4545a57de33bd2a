// GET /metrics: the process's series in Prometheus's text format (src/metrics/registry.ts), with
// the queue depths and job ages read from the database at each scrape. Only for METRICS_ALLOW
// (src/http/metrics.ts); a database that does not answer leaves those gauges as they were and
// the rest is still served.
import { Router } from 'express';
import type { Knex } from 'knex';
import { metricsAccess } from '../../http/metrics';
import type { Logger } from '../../logger';
import { jobFailed, jobSinceStart, queueDepth, registry } from '../../metrics/registry';
import { jobRunAges, queueDepths } from './metrics-repo';

export function metricsRoutes(deps: { db: Knex; allow: string[]; logger: Logger }) {
  const r = Router();
  r.get('/metrics', metricsAccess(deps.allow), async (_req, res) => {
    try {
      const [depths, jobs] = await Promise.all([queueDepths(deps.db), jobRunAges(deps.db)]);
      for (const [queue, n] of Object.entries(depths)) queueDepth.set({ queue }, n);
      for (const j of jobs) {
        jobSinceStart.set({ job: j.name }, j.secondsSinceStart);
        jobFailed.set({ job: j.name }, j.failed ? 1 : 0);
      }
    } catch (err) {
      deps.logger.warn({ err }, 'metrics: database gauges not read');
    }
    res.type(registry.contentType).send(await registry.metrics());
  });
  return r;
}
