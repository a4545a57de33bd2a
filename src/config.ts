// The environment, parsed once. Nothing else in the code reads process.env: a bad value stops
// start-up here with one line naming the variable, instead of failing later in a request.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const port = z.coerce.number().int().min(0).max(65535);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  DATA_DIR: z.string().min(1).default('./data'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  COOKIE_SECURE: bool.default(false),
  SCHOOL_NAME: z.string().min(1).default('兰州理工大学'),
  SCHOOL_CODE: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be three capital letters')
    .default('LUT'),
  FINANCE_PHONES: z.string().min(1).default('2973305 2973826'),
  TIME_ZONE: z.literal('Asia/Shanghai', { message: 'only Asia/Shanghai is supported' }).default('Asia/Shanghai'),
  PUBLIC_URL: z.string().url().optional(),
  SANDBOX: bool.default(true),
  SANDBOX_PORT: port.default(3100),
  SANDBOX_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
  ORDER_TTL_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(120),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED_DEMO: bool.optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  dataDir: string;
  sessionSecret: string;
  cookieSecure: boolean;
  schoolName: string;
  schoolCode: string;
  financePhones: string;
  timeZone: 'Asia/Shanghai';
  publicUrl: string;
  sandbox: { enabled: boolean; port: number; timeScale: number; url: string };
  orderTtlMinutes: number;
  logLevel: Env['LOG_LEVEL'];
  /** Fill demo data on start: always on the embedded database's first start, elsewhere only when asked. */
  seedDemo: boolean | undefined;
}

export class ConfigError extends Error {}

/** Parses an environment (process.env by default). Throws ConfigError with one readable line. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`配置错误 ${String(issue.path[0] ?? '')}: ${issue.message}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  let sessionSecret = e.SESSION_SECRET;
  if (!sessionSecret) {
    if (e.DATABASE_URL) {
      throw new ConfigError('配置错误 SESSION_SECRET: required when DATABASE_URL is set');
    }
    sessionSecret = localSecret(dataDir, 'session-secret');
  }
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    dataDir,
    sessionSecret,
    cookieSecure: e.COOKIE_SECURE,
    schoolName: e.SCHOOL_NAME,
    schoolCode: e.SCHOOL_CODE,
    financePhones: e.FINANCE_PHONES,
    timeZone: e.TIME_ZONE,
    publicUrl: publicUrl.replace(/\/$/, ''),
    sandbox: {
      enabled: e.SANDBOX,
      port: e.SANDBOX_PORT,
      timeScale: e.SANDBOX_TIME_SCALE,
      url: `http://127.0.0.1:${e.SANDBOX_PORT}`,
    },
    orderTtlMinutes: e.ORDER_TTL_MINUTES,
    logLevel: e.LOG_LEVEL,
    seedDemo: e.SEED_DEMO,
  };
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
