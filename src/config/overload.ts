// How much work the process takes on at once before it sheds the rest with a 503 (src/domain/gate.ts,
// src/http/load-shed.ts), and who may read /metrics.
import { availableParallelism } from 'node:os';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

const count = (max: number) => z.coerce.number().int().min(0).max(max);

export const overloadEnv = {
  /** libuv's thread pool, read by Node itself at start-up; 4 when unset. bcrypt runs there. */
  UV_THREADPOOL_SIZE: z.coerce.number().int().min(1).max(1024).optional(),
  /** bcrypt hashes at once; unset: one less than the thread pool, at most the cores, at least 1. */
  BCRYPT_CONCURRENT: count(1024).min(1).optional(),
  /** bcrypt hashes waiting their turn; unset: 8 per running one (about half a second of waiting). */
  BCRYPT_WAITING: count(100_000).optional(),
  /** Page requests being answered at once; past it the answer is 503 at once. */
  MAX_IN_FLIGHT: count(100_000).min(1).default(100),
  /** Channel notifications being handled at once (their own limit: a channel retries a 503). */
  NOTIFY_IN_FLIGHT: count(100_000).min(1).default(50),
  /** /healthz checks answered at once; on a server they share one connection of their own (src/db/health-connection.ts), never a payer's. */
  HEALTH_IN_FLIGHT: count(1000).min(1).default(4),
  /** The Retry-After of a 503 for load, in seconds. */
  RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  /** Who may read /metrics: `loopback` and/or addresses and CIDRs, comma-separated; `none` turns it off. */
  METRICS_ALLOW: z.string().trim().default('loopback').transform((v, ctx): string[] => {
    const items = v.split(',').map((x) => x.trim()).filter(Boolean);
    if (items.length === 1 && items[0] === 'none') return [];
    const bad = items.find((x) => !allowItemOk(x));
    if (!items.length || bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `must be none, or a comma list of loopback, addresses and CIDRs${bad ? ` (not understood: "${bad}")` : ''}` });
      return z.NEVER;
    }
    return items;
  }),
};

function allowItemOk(item: string): boolean {
  if (item === 'loopback') return true;
  const [addr, prefix, ...rest] = item.split('/');
  const family = isIP(addr ?? '');
  if (!family || rest.length) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

export interface OverloadConfig {
  bcryptConcurrent: number;
  bcryptWaiting: number;
  maxInFlight: number;
  notifyInFlight: number;
  healthInFlight: number;
  retryAfterSeconds: number;
}

type OverloadEnv = z.infer<z.ZodObject<typeof overloadEnv>>;

export function overloadConfig(e: OverloadEnv): OverloadConfig {
  // One thread of the pool stays for file reads and DNS; more hashes than cores only queue inside the pool.
  const threads = e.UV_THREADPOOL_SIZE ?? 4;
  const bcryptConcurrent = e.BCRYPT_CONCURRENT ?? Math.max(1, Math.min(threads - 1, availableParallelism()));
  return {
    bcryptConcurrent,
    bcryptWaiting: e.BCRYPT_WAITING ?? 8 * bcryptConcurrent,
    maxInFlight: e.MAX_IN_FLIGHT,
    notifyInFlight: e.NOTIFY_IN_FLIGHT,
    healthInFlight: e.HEALTH_IN_FLIGHT,
    retryAfterSeconds: e.RETRY_AFTER_SECONDS,
  };
}

/** METRICS_ALLOW as a BlockList (used as an allow list); empty: nobody. */
export function metricsAllowList(items: string[]): BlockList {
  const list = new BlockList();
  for (const item of items) {
    if (item === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
      continue;
    }
    const [addr, prefix] = item.split('/') as [string, string | undefined];
    const type = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(prefix), type);
  }
  return list;
}
