// The environment, parsed once. Nothing else in the code reads process.env: a bad value stops
// start-up here with one line naming the variable, instead of failing later in a request.
import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseChannelList, type ChannelCode } from './domain/channels';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const port = z.coerce.number().int().min(0).max(65535);

/** A comma list of channel ids for a category: known, not repeated, able to carry its money. */
function channelList(category: '财政' | '代收') {
  return z.string().superRefine((v, ctx) => {
    const r = parseChannelList(v, category);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message });
  });
}

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
  /** AES-256-GCM key for bank card numbers: 64 hex characters (32 bytes). */
  // Empty counts as unset: docker-compose passes `${BANK_CARD_KEY:-}` through as "".
  BANK_CARD_KEY: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)').optional(),
  ),
  /** Default: on in production, off elsewhere (see loadConfig). Empty counts as unset (docker-compose). */
  COOKIE_SECURE: z.preprocess((v) => (v === '' ? undefined : v), bool.optional()),
  TRUST_PROXY: z.preprocess((v) => (v === '' ? undefined : v), trustProxy.default(['loopback'])),
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
  /** Where the platform finds the sandbox when it is not on 127.0.0.1:SANDBOX_PORT (tests, containers). */
  SANDBOX_URL: z.string().url().optional(),
  /** The non-tax platform's gateway; the sandbox's simulator unless set. */
  NONTAX_URL: z.string().url().optional(),
  NONTAX_MERCHANT_ID: z.string().regex(/^[0-9A-Za-z]{4,32}$/, 'must be 4-32 letters or digits').default('LUT620000001'),
  NONTAX_AREA_CODE: z.string().regex(/^\d{6}$/, 'must be six digits').default('620000'),
  /** PEM files: our private key, and the platform's public key. Default: the sandbox's, under DATA_DIR/sandbox. */
  NONTAX_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  NONTAX_PLATFORM_KEY_FILE: z.string().min(1).optional(),
  /** Card and wallet channels (issue 5): gateway URLs default to the sandbox, keys to the sandbox's under DATA_DIR/sandbox. */
  ALIPAY_URL: z.string().url().optional(),
  ALIPAY_APP_ID: z.string().regex(/^\d{16}$/, 'must be 16 digits').default('2021000000000001'),
  ALIPAY_SELLER_ID: z.string().regex(/^2088\d{12}$/, 'must be a 2088… PID').default('2088000000000001'),
  ALIPAY_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  ALIPAY_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  // 公钥证书 mode: all three set (appCertPublicKey_<appid>.crt, alipayCertPublicKey_RSA2.crt, alipayRootCert.crt), or none.
  ALIPAY_APP_CERT_FILE: z.string().min(1).optional(),
  ALIPAY_PUBLIC_CERT_FILE: z.string().min(1).optional(),
  ALIPAY_ROOT_CERT_FILE: z.string().min(1).optional(),
  WECHAT_URL: z.string().url().optional(),
  WECHAT_APP_ID: z.string().regex(/^wx[0-9a-f]{16}$/, 'must be wx + 16 hex').default('wx0000000000000001'),
  WECHAT_MCH_ID: z.string().regex(/^\d{8,10}$/, 'must be 8-10 digits').default('1900000001'),
  WECHAT_MERCHANT_SERIAL_NO: z.string().regex(/^[0-9A-F]{8,40}$/, 'must be the certificate serial in hex').default('3775B6A45ACD588826D15E583A95F5DD00000001'),
  WECHAT_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  WECHAT_APIV3_KEY_FILE: z.string().min(1).optional(),
  /** '' turns the public-key mode off (platform certificates only). */
  WECHAT_PLATFORM_KEY_ID: z.string().regex(/^(PUB_KEY_ID_\d+|[0-9A-F]{8,40}|)$/, 'must be PUB_KEY_ID_…, a certificate serial, or empty').default('PUB_KEY_ID_0119000000012025000000000001'),
  /** auto: download the platform certificates from /v3/certificates and keep them fresh, beside the public key. */
  WECHAT_PLATFORM_CERTS: z.enum(['auto', 'off'], { message: 'must be auto or off' }).default('auto'),
  WECHAT_PLATFORM_KEY_FILE: z.string().min(1).optional(),
  UNIONPAY_URL: z.string().url().optional(),
  UNIONPAY_MER_ID: z.string().regex(/^\d{15}$/, 'must be 15 digits').default('777290058110048'),
  /** The serial (decimal) the sandbox gives the merchant certificate it issues; the adapter reads certId from the .pfx. */
  UNIONPAY_CERT_ID: z.string().regex(/^\d{1,40}$/, 'must be the certificate serial in decimal').default('69629715588'),
  /** The file-download host (acpsdk.fileTransUrl), e.g. https://filedownload.95516.com/ */
  UNIONPAY_FILE_URL: z.string().url().optional(),
  /** The merchant signing key UnionPay issues: a .pfx (PKCS#12) and its password. */
  UNIONPAY_SIGN_CERT_FILE: z.string().min(1).optional(),
  UNIONPAY_SIGN_CERT_PASSWORD: z.string().min(1, '银联签名证书密码不能为空').optional(),
  /** UnionPay's root and middle certificates, against which each message's signPubKeyCert is checked. */
  UNIONPAY_ROOT_CERT_FILE: z.string().min(1).optional(),
  UNIONPAY_MIDDLE_CERT_FILE: z.string().min(1).optional(),
  /** acpsdk.ifValidateCNName: off only against UnionPay's test environment (CN 00040000:SIGN). */
  UNIONPAY_VALIDATE_CN_NAME: bool.default(true),
  ICBC_URL: z.string().url().optional(),
  ICBC_APP_ID: z.string().regex(/^\d{10,20}$/, 'must be 10-20 digits').default('10000000000004095503'),
  ICBC_MER_ID: z.string().regex(/^\d{12,15}$/, 'must be 12-15 digits').default('020001040157'),
  ICBC_MER_PRTCL_NO: z.string().regex(/^\d{10,20}$/, 'must be 10-20 digits').default('0200010401570201'),
  ICBC_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  ICBC_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  /** The sign_type the app registered on ICBC's open platform (RSA = SHA1withRSA, RSA2 = SHA256withRSA). */
  ICBC_SIGN_TYPE: z.enum(['RSA', 'RSA2'], { message: 'must be RSA or RSA2 (the sign type registered for the app on ICBC\'s open platform)' }).default('RSA2'),
  /** Per request to any card/wallet channel. */
  CHANNEL_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** 手续费 per channel (yuan, two decimals), shown on 缴费信息确认及支付方式选择 and added to 总金额. */
  FEE_NONTAX: z.string().regex(/^(0|[1-9]\d{0,5})(\.\d{1,2})?$/, 'must be a yuan amount with at most two decimals').default('0.00'),
  FEE_ICBC: z.string().regex(/^(0|[1-9]\d{0,5})(\.\d{1,2})?$/, 'must be a yuan amount with at most two decimals').default('0.00'),
  FEE_WECHAT: z.string().regex(/^(0|[1-9]\d{0,5})(\.\d{1,2})?$/, 'must be a yuan amount with at most two decimals').default('0.00'),
  FEE_ALIPAY: z.string().regex(/^(0|[1-9]\d{0,5})(\.\d{1,2})?$/, 'must be a yuan amount with at most two decimals').default('0.00'),
  FEE_UNIONPAY: z.string().regex(/^(0|[1-9]\d{0,5})(\.\d{1,2})?$/, 'must be a yuan amount with at most two decimals').default('0.00'),
  /** The non-tax platform's e-bill service (票据代码/号码/校验码); the sandbox's simulator unless set. */
  EBILL_URL: z.string().url().optional(),
  EBILL_APP_ID: z.string().regex(/^[0-9A-Za-z_-]{4,32}$/, 'must be 4-32 letters, digits, - or _').default('LUT-EBILL'),
  /** The HMAC secret the platform issues with the app id. */
  EBILL_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ORDER_TTL_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(120),
  /**
   * Unpaid, unexpired orders one person may hold at once. A payer needs one per category, a few
   * more for changed selections; a script cannot fill the day's serials or the channels with them.
   */
  MAX_LIVE_ORDERS: z.coerce.number().int().min(1).max(100).default(5),
  /** An order still 支付中 this long after it went to its channel is asked about there (issue 8). */
  ACTIVE_QUERY_AFTER_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(5),
  /** Refund an overpayment through its channel without waiting for finance's click. */
  OVERPAYMENT_AUTO_REFUND: bool.default(false),
  /**
   * A second payment of bills already paid (the payer paid an old bank page and a new channel
   * both) is refunded through its own channel without waiting for finance. On by default.
   */
  DUPLICATE_PAYMENT_AUTO_REFUND: bool.default(true),
  /**
   * Minutes an attempt lives at a channel that cannot close an unpaid order (ICBC e-pay, UnionPay,
   * an unscanned Alipay QR): its page stays payable until then, so it is kept short.
   */
  UNCLOSABLE_ATTEMPT_TTL_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(15),
  /** Which channels serve 财政 and 代收 items, in the order 支付方式 lists them. */
  CHANNELS_FISCAL: channelList('财政').default('nontax'),
  CHANNELS_COLLECTED: channelList('代收').default('icbc,wechat'),
  /** Worker threads drawing e-bill PDFs; unset: one less than the cores, at least 1, at most 2. */
  PDF_WORKERS: z.coerce.number().int().min(1).max(16).optional(),
  /** PDF downloads a person may make per minute (all instances together), and at once. */
  PDF_PER_MINUTE: z.coerce.number().int().min(1).max(1000).default(10),
  PDF_CONCURRENT_PER_PERSON: z.coerce.number().int().min(1).max(20).default(2),
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
  sandbox: { enabled: boolean; port: number; timeScale: number; url: string };
  orderTtlMinutes: number;
  /** MAX_LIVE_ORDERS: the per-person cap on live (unpaid, unexpired) orders. */
  maxLiveOrders: number;
  /** The scheduled jobs of issue 8 (active query, overpayments). */
  jobs: { activeQueryAfterMinutes: number; overpaymentAutoRefund: boolean; duplicatePaymentAutoRefund: boolean };
  /** Minutes an attempt lives at a channel whose adapter is not alwaysClosable. */
  unclosableAttemptTtlMinutes: number;
  /** The channels each category offers (CHANNELS_FISCAL, CHANNELS_COLLECTED), in list order. */
  channelsByCategory: Record<'财政' | '代收', ChannelCode[]>;
  /** 手续费 per channel id, yuan strings ("0.00"); a string so no float ever holds it. */
  channelFees: Record<string, string>;
  nontax: { url: string; merchantId: string; areaCode: string; privateKeyFile: string; platformKeyFile: string };
  ebill: { url: string; appId: string; secret: string };
  channels: {
    alipay: { url: string; appId: string; sellerId: string; privateKeyFile: string; alipayPublicKeyFile: string; certFiles?: { appCert: string; alipayPublicCert: string; alipayRootCert: string }; timeoutMs: number };
    wechat: { url: string; appId: string; mchId: string; merchantSerialNo: string; privateKeyFile: string; apiV3KeyFile: string; platformKeyId: string; platformPublicKeyFile: string; platformCerts: 'auto' | 'off'; timeoutMs: number };
    unionpay: {
      url: string; fileUrl: string; merId: string; certId: string; signCertFile: string; signCertPassword: string;
      rootCertFile: string; middleCertFile: string; validateCnName: boolean; timeoutMs: number;
    };
    icbc: { url: string; appId: string; merId: string; merPrtclNo: string; privateKeyFile: string; icbcPublicKeyFile: string; signType: 'RSA' | 'RSA2'; notifyPath: string; timeoutMs: number };
  };
  /** E-bill PDFs (issue 12): the drawing pool's size and the per-person download limits. */
  pdf: { workers: number; perMinute: number; concurrentPerPerson: number };
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
  const bankCardKey = cardKey(e, dataDir, sessionSecret);
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT}`;
  const sandboxUrl = (e.SANDBOX_URL ?? `http://127.0.0.1:${e.SANDBOX_PORT}`).replace(/\/$/, '');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
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
    },
    orderTtlMinutes: e.ORDER_TTL_MINUTES,
    maxLiveOrders: e.MAX_LIVE_ORDERS,
    jobs: { activeQueryAfterMinutes: e.ACTIVE_QUERY_AFTER_MINUTES, overpaymentAutoRefund: e.OVERPAYMENT_AUTO_REFUND, duplicatePaymentAutoRefund: e.DUPLICATE_PAYMENT_AUTO_REFUND },
    unclosableAttemptTtlMinutes: e.UNCLOSABLE_ATTEMPT_TTL_MINUTES,
    channelsByCategory: {
      财政: (parseChannelList(e.CHANNELS_FISCAL, '财政') as { ids: ChannelCode[] }).ids,
      代收: (parseChannelList(e.CHANNELS_COLLECTED, '代收') as { ids: ChannelCode[] }).ids,
    },
    channelFees: { nontax: e.FEE_NONTAX, icbc: e.FEE_ICBC, wechat: e.FEE_WECHAT, alipay: e.FEE_ALIPAY, unionpay: e.FEE_UNIONPAY },
    nontax: {
      url: (e.NONTAX_URL ?? `${sandboxUrl}/nontax`).replace(/\/$/, ''),
      merchantId: e.NONTAX_MERCHANT_ID,
      areaCode: e.NONTAX_AREA_CODE,
      privateKeyFile: path.resolve(e.NONTAX_PRIVATE_KEY_FILE ?? path.join(dataDir, 'sandbox', 'nontax-merchant-private.pem')),
      platformKeyFile: path.resolve(e.NONTAX_PLATFORM_KEY_FILE ?? path.join(dataDir, 'sandbox', 'nontax-platform-public.pem')),
    },
    ebill: { url: (e.EBILL_URL ?? `${sandboxUrl}/ebill`).replace(/\/$/, ''), appId: e.EBILL_APP_ID, secret: ebillSecret(e, sessionSecret) },
    channels: channelConfig(e, dataDir, sandboxUrl, publicUrl),
    pdf: { workers: e.PDF_WORKERS ?? Math.min(2, Math.max(1, availableParallelism() - 1)), perMinute: e.PDF_PER_MINUTE, concurrentPerPerson: e.PDF_CONCURRENT_PER_PERSON },
    logLevel: e.LOG_LEVEL,
    seedDemo: e.SEED_DEMO,
  };
}

/**
 * Production on a real server must bring its own key: losing it makes every stored card unreadable,
 * so it belongs in the secret store, not in a file next to the app. The embedded demo keeps one
 * under the data folder; development and tests on a server derive one from the session secret.
 */
function cardKey(e: Env, dataDir: string, sessionSecret: string): Buffer {
  if (e.BANK_CARD_KEY) return Buffer.from(e.BANK_CARD_KEY, 'hex');
  if (e.DATABASE_URL && e.NODE_ENV === 'production') {
    throw new ConfigError('配置错误 BANK_CARD_KEY: required in production when DATABASE_URL is set');
  }
  if (!e.DATABASE_URL) return Buffer.from(localSecret(dataDir, 'bank-card-key'), 'hex');
  return Buffer.from(hkdfSync('sha256', sessionSecret, 'campus-pay', 'bank-card-key', 32));
}

/**
 * The real platform issues the secret, so production talking to it must be given one. Against the
 * sandbox both sides derive the same one from the session secret, so the demo needs no setup.
 */
function ebillSecret(e: Env, sessionSecret: string): string {
  if (e.EBILL_SECRET) return e.EBILL_SECRET;
  if (e.EBILL_URL && e.NODE_ENV === 'production') throw new ConfigError('配置错误 EBILL_SECRET: required in production when EBILL_URL is set');
  return Buffer.from(hkdfSync('sha256', sessionSecret, 'campus-pay', 'ebill-sandbox', 32)).toString('hex');
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

/** 支付宝公钥证书 mode is on when its three certificate files are configured; two of three is a mistake. */
function alipayCertFiles(e: Env): { certFiles?: { appCert: string; alipayPublicCert: string; alipayRootCert: string } } {
  const given = [e.ALIPAY_APP_CERT_FILE, e.ALIPAY_PUBLIC_CERT_FILE, e.ALIPAY_ROOT_CERT_FILE];
  if (given.every((x) => x === undefined)) return {};
  if (given.some((x) => x === undefined)) {
    throw new ConfigError('配置错误 ALIPAY_APP_CERT_FILE / ALIPAY_PUBLIC_CERT_FILE / ALIPAY_ROOT_CERT_FILE: 公钥证书模式需同时配置三个证书文件');
  }
  return { certFiles: { appCert: path.resolve(e.ALIPAY_APP_CERT_FILE!), alipayPublicCert: path.resolve(e.ALIPAY_PUBLIC_CERT_FILE!), alipayRootCert: path.resolve(e.ALIPAY_ROOT_CERT_FILE!) } };
}

/** The sandbox's merchant .pfx uses 000000 (as UnionPay's acp_test_sign.pfx does); a real .pfx comes with its own password. */
function unionpaySignPassword(e: Env): string {
  // Talking to the real gateway, the sandbox's files would verify nothing: say so at start.
  if (e.UNIONPAY_URL && e.NODE_ENV === 'production') {
    for (const k of ['UNIONPAY_SIGN_CERT_FILE', 'UNIONPAY_ROOT_CERT_FILE', 'UNIONPAY_MIDDLE_CERT_FILE', 'UNIONPAY_FILE_URL'] as const) {
      if (!e[k]) throw new ConfigError(`配置错误 ${k}: required in production when UNIONPAY_URL is set`);
    }
  }
  if (e.UNIONPAY_SIGN_CERT_PASSWORD) return e.UNIONPAY_SIGN_CERT_PASSWORD;
  if (e.UNIONPAY_SIGN_CERT_FILE) throw new ConfigError('配置错误 UNIONPAY_SIGN_CERT_PASSWORD: 设置 UNIONPAY_SIGN_CERT_FILE 时必须提供证书密码');
  return '000000';
}

/** The card and wallet channels; every key file defaults to the sandbox's own, under DATA_DIR/sandbox. */
function channelConfig(e: Env, dataDir: string, sandboxUrl: string, publicUrl: string): Config['channels'] {
  const key = (given: string | undefined, name: string) => path.resolve(given ?? path.join(dataDir, 'sandbox', name));
  const url = (given: string | undefined, mount: string) => (given ?? `${sandboxUrl}/${mount}`).replace(/\/$/, '');
  const timeoutMs = e.CHANNEL_TIMEOUT_MS;
  if (!e.WECHAT_PLATFORM_KEY_ID && e.WECHAT_PLATFORM_CERTS === 'off') throw new ConfigError('配置错误 WECHAT_PLATFORM_CERTS: with WECHAT_PLATFORM_KEY_ID empty nothing could verify WeChat Pay (turn one on)');
  return {
    alipay: { url: url(e.ALIPAY_URL, 'alipay'), appId: e.ALIPAY_APP_ID, sellerId: e.ALIPAY_SELLER_ID, privateKeyFile: key(e.ALIPAY_PRIVATE_KEY_FILE, 'alipay-merchant-private.pem'), alipayPublicKeyFile: key(e.ALIPAY_PUBLIC_KEY_FILE, 'alipay-platform-public.pem'), ...alipayCertFiles(e), timeoutMs },
    wechat: {
      url: url(e.WECHAT_URL, 'wechat'), appId: e.WECHAT_APP_ID, mchId: e.WECHAT_MCH_ID, merchantSerialNo: e.WECHAT_MERCHANT_SERIAL_NO,
      privateKeyFile: key(e.WECHAT_PRIVATE_KEY_FILE, 'wechat-merchant-private.pem'), apiV3KeyFile: key(e.WECHAT_APIV3_KEY_FILE, 'wechat-apiv3.key'),
      platformKeyId: e.WECHAT_PLATFORM_KEY_ID, platformPublicKeyFile: key(e.WECHAT_PLATFORM_KEY_FILE, 'wechat-platform-public.pem'), platformCerts: e.WECHAT_PLATFORM_CERTS, timeoutMs,
    },
    unionpay: {
      url: url(e.UNIONPAY_URL, 'unionpay'), fileUrl: e.UNIONPAY_FILE_URL ?? `${sandboxUrl.replace(/\/$/, '')}/unionpay/filedownload/`,
      merId: e.UNIONPAY_MER_ID, certId: e.UNIONPAY_CERT_ID,
      signCertFile: key(e.UNIONPAY_SIGN_CERT_FILE, 'unionpay-merchant.pfx'), signCertPassword: unionpaySignPassword(e),
      rootCertFile: key(e.UNIONPAY_ROOT_CERT_FILE, 'unionpay-root.cer'), middleCertFile: key(e.UNIONPAY_MIDDLE_CERT_FILE, 'unionpay-middle.cer'),
      validateCnName: e.UNIONPAY_VALIDATE_CN_NAME, timeoutMs,
    },
    icbc: { url: url(e.ICBC_URL, 'icbc'), appId: e.ICBC_APP_ID, merId: e.ICBC_MER_ID, merPrtclNo: e.ICBC_MER_PRTCL_NO, privateKeyFile: key(e.ICBC_PRIVATE_KEY_FILE, 'icbc-merchant-private.pem'), icbcPublicKeyFile: key(e.ICBC_PUBLIC_KEY_FILE, 'icbc-gateway-public.pem'),
      // ICBC signs a notification over the path of the notify URL we registered: PUBLIC_URL's own
      // path plus the notify route of src/modules/payment/routes.ts (the URL payment/service.ts sends).
      signType: e.ICBC_SIGN_TYPE, notifyPath: new URL(`${publicUrl.replace(/\/$/, '')}/pay/notify/icbc`).pathname, timeoutMs },
  };
}
