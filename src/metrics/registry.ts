// The process's Prometheus series (prom-client), served by GET /metrics (src/modules/health/metrics.ts).
// One registry per process: each instance behind nginx is scraped on its own. This file imports
// nothing from src/, so every layer may count into it.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
// Memory, CPU, event-loop delay, handles: what overload shows first.
collectDefaultMetrics({ register: registry });

/** Requests by route pattern (`/pay/orders/:orderNo`, never the raw URL: that would be one series per order). */
export const httpRequests = new Counter({
  name: 'http_requests_total', help: 'HTTP requests answered, by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const, registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'http_request_duration_seconds', help: 'Time to answer, by method and route pattern',
  labelNames: ['method', 'route'] as const, registers: [registry],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

/** Requests refused with 503 for load, by the gate that refused them (requests, notify, health, bcrypt, database). */
export const shed = new Counter({
  name: 'overload_shed_total', help: 'Requests answered 503 for load, by gate',
  labelNames: ['gate'] as const, registers: [registry],
});

/** Payments credited, by channel and by how the confirmation came (notify, query, close, reconcile). */
export const credits = new Counter({
  name: 'payment_credits_total', help: 'Payments credited, by channel and source of the confirmation',
  labelNames: ['channel', 'via'] as const, registers: [registry],
});

/**
 * Confirmations refused, by channel and reason: a signature that does not verify, an unknown
 * order, a wrong amount, a trade number already used, or a notification past the refusal limit.
 */
export const refusals = new Counter({
  name: 'payment_refusals_total', help: 'Payment confirmations refused, by channel and reason',
  labelNames: ['channel', 'reason'] as const, registers: [registry],
});

/** Work waiting: e-bills 待生成, SMS pending; set from the database on each scrape. */
export const queueDepth = new Gauge({
  name: 'queue_depth', help: 'Items waiting, by queue (ebills_pending, sms_pending, sms_failed)',
  labelNames: ['queue'] as const, registers: [registry],
});

/** Seconds since each job last started, on any instance: past its interval, the job is lagging. */
export const jobSinceStart = new Gauge({
  name: 'job_seconds_since_start', help: 'Seconds since the job last started (job_runs)',
  labelNames: ['job'] as const, registers: [registry],
});

export const jobFailed = new Gauge({
  name: 'job_last_run_failed', help: '1 when the job\'s last run ended in an error',
  labelNames: ['job'] as const, registers: [registry],
});

/** The bounded gates of this process, read on each scrape: the last one made under a name wins. */
const gates = new Map<string, () => { active: number; waiting: number }>();
export function watchGate(name: string, read: () => { active: number; waiting: number }): void {
  gates.set(name, read);
}

export const gateActive = new Gauge({
  name: 'gate_active', help: 'Work running in each bounded gate (bcrypt, requests, notify, health)',
  labelNames: ['gate'] as const, registers: [registry],
  collect() {
    for (const [gate, read] of gates) this.set({ gate }, read().active);
  },
});
export const gateWaiting = new Gauge({
  name: 'gate_waiting', help: 'Work waiting its turn in each bounded gate',
  labelNames: ['gate'] as const, registers: [registry],
  collect() {
    for (const [gate, read] of gates) this.set({ gate }, read().waiting);
  },
});
