// The environment, parsed once. Nothing else in the code reads process.env: a bad value stops
// start-up here with one line naming the variable, instead of failing later in a request.
// Each group of settings (the process, the non-tax platform, each channel, limits) declares its
// variables in src/config/; this file puts them together in one schema and one Config.
import path from 'node:path';
import { z } from 'zod';
import type { ChannelCode } from './domain/channels';
import { alipayEnv, channelCommonEnv, channelConfig, channelFees, channelListEnv, channelsByCategory, icbcEnv, unionpayEnv, wechatEnv, type ChannelsConfig } from './config/channels';
import { bool, ConfigError } from './config/fields';
import { mailConfig, mailEnv, reminderQuiet, type MailConfig } from './config/mail';
import type { QuietWindow } from './domain/quiet-window';
import { jobsConfig, ordersEnv, pdfConfig, pdfEnv, type JobsConfig, type PdfConfig } from './config/limits';
import { ebillConfig, ebillEnv, nontaxConfig, nontaxEnv, type EbillConfig, type NontaxConfig } from './config/nontax';
import { overloadConfig, overloadEnv, type OverloadConfig } from './config/overload';
import { cardKey, databaseEnv, listenEnv, sandboxEnv, sessionEnv, sessionSecretOf, siteEnv } from './config/server';

export { ConfigError };

// The groups are spread in this order so that, with several bad values, the one reported first
// stays the same as it always was.
const envSchema = z.object({
  ...listenEnv,
  ...databaseEnv,
  ...sessionEnv,
  ...siteEnv,
  ...sandboxEnv,
  ...nontaxEnv,
  ...alipayEnv,
  ...wechatEnv,
  ...unionpayEnv,
  ...icbcEnv,
  ...channelCommonEnv,
  ...ebillEnv,
  ...ordersEnv,
  ...channelListEnv,
  ...pdfEnv,
  ...overloadEnv,
  ...mailEnv,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED_DEMO: bool.optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  /** Worker processes of src/cluster.ts; unset means one per core. */
  clusterWorkers: number | undefined;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  dataDir: string;
  sessionSecret: string;
  bankCardKey: Buffer;
  /** Cookies only over HTTPS, HSTS, and plain http answered with a redirect to https (src/http/https.ts). */
  cookieSecure: boolean;
  /** Express's `trust proxy`: a hop count or the addresses of the proxies in front of us. */
  trustProxy: number | string[];
  schoolName: string;
  schoolCode: string;
  financePhones: string;
  timeZone: 'Asia/Shanghai';
  publicUrl: string;
  /** `external`: the sandbox is its own process at `url` (src/sandbox/main.ts); this one starts none. */
  sandbox: { enabled: boolean; port: number; timeScale: number; url: string; external: boolean };
  orderTtlMinutes: number;
  /** MAX_LIVE_ORDERS: the per-person cap on live (unpaid, unexpired) orders. */
  maxLiveOrders: number;
  /** The scheduled jobs (active query, overpayments, duplicate payments). */
  jobs: JobsConfig;
  /** Minutes an attempt lives at a channel whose adapter is not alwaysClosable. */
  unclosableAttemptTtlMinutes: number;
  /** The channels each category offers (CHANNELS_FISCAL, CHANNELS_COLLECTED), in list order. */
  channelsByCategory: Record<'财政' | '代收', ChannelCode[]>;
  /** 手续费 per channel id, yuan strings ("0.00"); a string so no float ever holds it. */
  channelFees: Record<string, string>;
  nontax: NontaxConfig;
  ebill: EbillConfig;
  channels: ChannelsConfig;
  /** E-bill PDFs: the drawing pool's size and the per-person download limits. */
  pdf: PdfConfig;
  /** The bounded queues in front of bcrypt and of the request handlers, and the 503's Retry-After. */
  overload: OverloadConfig;
  /** METRICS_ALLOW: the peers that may read /metrics (loopback, addresses, CIDRs); empty: nobody. */
  metricsAllow: string[];
  /** SMTP for reminders and address confirmations (off without SMTP_URL), and the quiet window. */
  mail: MailConfig;
  /** REMINDER_QUIET_HOURS: reminders due inside it wait until it ends. */
  reminderQuiet: QuietWindow;
  logLevel: Env['LOG_LEVEL'];
  /** Fill demo data on start: always on the embedded database's first start, elsewhere only when asked. */
  seedDemo: boolean | undefined;
}

/** Parses an environment (process.env by default). Throws ConfigError with one readable line. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`配置错误 ${String(issue.path[0] ?? '')}: ${issue.message}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const sessionSecret = sessionSecretOf(e, dataDir);
  const bankCardKey = cardKey(e, dataDir, sessionSecret);
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  const sandboxUrl = (e.SANDBOX_URL ?? `http://127.0.0.1:${e.SANDBOX_PORT}`).replace(/\/$/, '');
  // The order below is the order the checks run in, so keep it: the first refusal is the one shown.
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    clusterWorkers: e.CLUSTER_WORKERS,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    dataDir,
    sessionSecret,
    bankCardKey,
    cookieSecure: e.COOKIE_SECURE ?? e.NODE_ENV === 'production',
    trustProxy: e.TRUST_PROXY,
    schoolName: e.SCHOOL_NAME,
    schoolCode: e.SCHOOL_CODE,
    financePhones: e.FINANCE_PHONES,
    timeZone: e.TIME_ZONE,
    publicUrl: publicUrl.replace(/\/$/, ''),
    sandbox: {
      enabled: e.SANDBOX,
      port: e.SANDBOX_PORT,
      timeScale: e.SANDBOX_TIME_SCALE,
      url: sandboxUrl,
      external: e.SANDBOX_EXTERNAL,
    },
    orderTtlMinutes: e.ORDER_TTL_MINUTES,
    maxLiveOrders: e.MAX_LIVE_ORDERS,
    jobs: jobsConfig(e),
    unclosableAttemptTtlMinutes: e.UNCLOSABLE_ATTEMPT_TTL_MINUTES,
    channelsByCategory: channelsByCategory(e),
    channelFees: channelFees(e),
    nontax: nontaxConfig(e, dataDir, sandboxUrl),
    ebill: ebillConfig(e, sandboxUrl, sessionSecret),
    channels: channelConfig(e, dataDir, sandboxUrl, publicUrl),
    pdf: pdfConfig(e),
    overload: overloadConfig(e),
    metricsAllow: e.METRICS_ALLOW,
    mail: mailConfig(e),
    reminderQuiet: reminderQuiet(e),
    logLevel: e.LOG_LEVEL,
    seedDemo: e.SEED_DEMO,
  };
}

/**
 * For a process's entry point (server, cluster primary, standalone sandbox): the config, or its
 * one readable line on stderr and exit code 2, instead of a stack trace.
 */
export function loadConfigOrExit(source: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(source);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
}
