// The process itself: where it listens, its database, its secrets and what HTTPS means for it.
import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { bool, ConfigError, port } from './fields';

/** Express's `trust proxy` names for address ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** One item of a TRUST_PROXY list: a range name, an address, or an address/prefix (CIDR). */
function proxyAddressOk(item: string): boolean {
  if (PROXY_RANGE_NAMES.includes(item)) return true;
  const [addr, prefix, ...rest] = item.split('/');
  const family = isIP(addr ?? '');
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which peers may tell us the client's address and protocol (X-Forwarded-For / -Proto), in the
 * forms Express's `trust proxy` takes: a hop count, or a comma list of range names, addresses and
 * CIDRs. `true` (trust anyone) is refused: every client could then pick its own address.
 */
const trustProxy = z
  .string()
  .trim()
  .transform((v, ctx): number | string[] => {
    if (/^\d+$/.test(v) && Number(v) <= 10) return Number(v);
    const items = v.split(',').map((x) => x.trim()).filter(Boolean);
    const bad = items.find((x) => !proxyAddressOk(x));
    if (!items.length || bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `must be a hop count (0-10), or a comma list of loopback/linklocal/uniquelocal, addresses and CIDRs${bad ? ` (not understood: "${bad}")` : ''}` });
      return z.NEVER;
    }
    return items;
  });

export const listenEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Worker processes of `npm run start:cluster` (src/cluster.ts); unset: one per core. */
  CLUSTER_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
};

export const databaseEnv = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
};

export const sessionEnv = {
  DATA_DIR: z.string().min(1).default('./data'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** AES-256-GCM key for bank card numbers: 64 hex characters (32 bytes). */
  // Empty counts as unset: docker-compose passes `${BANK_CARD_KEY:-}` through as "".
  BANK_CARD_KEY: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)').optional(),
  ),
  /** Default: on in production, off elsewhere (see loadConfig). Empty counts as unset (docker-compose). */
  COOKIE_SECURE: z.preprocess((v) => (v === '' ? undefined : v), bool.optional()),
  TRUST_PROXY: z.preprocess((v) => (v === '' ? undefined : v), trustProxy.default(['loopback'])),
};

/** Who we are on the pages, and the address payers and channels reach us at. */
export const siteEnv = {
  SCHOOL_NAME: z.string().min(1).default('兰州理工大学'),
  SCHOOL_CODE: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be three capital letters')
    .default('LUT'),
  FINANCE_PHONES: z.string().min(1).default('2973305 2973826'),
  TIME_ZONE: z.literal('Asia/Shanghai', { message: 'only Asia/Shanghai is supported' }).default('Asia/Shanghai'),
  PUBLIC_URL: z.string().url().optional(),
};

export const sandboxEnv = {
  SANDBOX: bool.default(true),
  SANDBOX_PORT: port.default(3100),
  SANDBOX_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
  /** Where the platform finds the sandbox when it is not on 127.0.0.1:SANDBOX_PORT (tests, containers). */
  SANDBOX_URL: z.string().url().optional(),
  /**
   * The sandbox runs as its own process (`npm run sandbox`, src/sandbox/main.ts) at SANDBOX_URL:
   * this instance uses it as SANDBOX does but starts none. With several instances exactly one
   * sandbox must run, or each would hold its own payments and notify for them alone.
   */
  SANDBOX_EXTERNAL: bool.default(false),
};

interface SecretsEnv {
  NODE_ENV: string;
  DATABASE_URL?: string | undefined;
  SESSION_SECRET?: string | undefined;
  BANK_CARD_KEY?: string | undefined;
}

/** The session secret: given, or (embedded demo only) one kept under the data folder. */
export function sessionSecretOf(e: SecretsEnv, dataDir: string): string {
  if (e.SESSION_SECRET) return e.SESSION_SECRET;
  if (e.DATABASE_URL) {
    throw new ConfigError('配置错误 SESSION_SECRET: required when DATABASE_URL is set');
  }
  return localSecret(dataDir, 'session-secret');
}

/**
 * Production on a real server must bring its own key: losing it makes every stored card unreadable,
 * so it belongs in the secret store, not in a file next to the app. The embedded demo keeps one
 * under the data folder; development and tests on a server derive one from the session secret.
 */
export function cardKey(e: SecretsEnv, dataDir: string, sessionSecret: string): Buffer {
  if (e.BANK_CARD_KEY) return Buffer.from(e.BANK_CARD_KEY, 'hex');
  if (e.DATABASE_URL && e.NODE_ENV === 'production') {
    throw new ConfigError('配置错误 BANK_CARD_KEY: required in production when DATABASE_URL is set');
  }
  if (!e.DATABASE_URL) return Buffer.from(localSecret(dataDir, 'bank-card-key'), 'hex');
  return Buffer.from(hkdfSync('sha256', sessionSecret, 'campus-pay', 'bank-card-key', 32));
}

/** A random secret kept under the data folder, so the embedded demo keeps its sessions across restarts. */
function localSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
