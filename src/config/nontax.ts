// The non-tax platform: its payment gateway, and its e-bill service (票据代码/号码/校验码).
import { hkdfSync } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { parseDailyWindow, type DailyWindow } from '../domain/maintenance-window';
import { ConfigError } from './fields';

export const nontaxEnv = {
  /** The non-tax platform's gateway; the sandbox's simulator unless set. */
  NONTAX_URL: z.string().url().optional(),
  NONTAX_MERCHANT_ID: z.string().regex(/^[0-9A-Za-z]{4,32}$/, 'must be 4-32 letters or digits').default('LUT620000001'),
  NONTAX_AREA_CODE: z.string().regex(/^\d{6}$/, 'must be six digits').default('620000'),
  /** PEM files: our private key, and the platform's public key. Default: the sandbox's, under DATA_DIR/sandbox. */
  NONTAX_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  NONTAX_PLATFORM_KEY_FILE: z.string().min(1).optional(),
  /**
   * The platform's daily no-payment window in business time, e.g. 23:50-00:00 (off by default):
   * 财政 payments show 非税平台维护中 and e-bill requests wait while it lasts.
   */
  NONTAX_MAINTENANCE_WINDOW: z.string().default('').refine((v) => parseDailyWindow(v) !== undefined, 'must be HH:MM-HH:MM (business time) or off'),
};

export const ebillEnv = {
  /** The non-tax platform's e-bill service (票据代码/号码/校验码); the sandbox's simulator unless set. */
  EBILL_URL: z.string().url().optional(),
  EBILL_APP_ID: z.string().regex(/^[0-9A-Za-z_-]{4,32}$/, 'must be 4-32 letters, digits, - or _').default('LUT-EBILL'),
  /** The HMAC secret the platform issues with the app id. */
  EBILL_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
};

export interface NontaxConfig { url: string; merchantId: string; areaCode: string; privateKeyFile: string; platformKeyFile: string; maintenanceWindow: DailyWindow | null }
export interface EbillConfig { url: string; appId: string; secret: string }

type NontaxEnv = z.infer<z.ZodObject<typeof nontaxEnv>>;
type EbillEnv = z.infer<z.ZodObject<typeof ebillEnv>> & { NODE_ENV: string };

export function nontaxConfig(e: NontaxEnv, dataDir: string, sandboxUrl: string): NontaxConfig {
  return {
    url: (e.NONTAX_URL ?? `${sandboxUrl}/nontax`).replace(/\/$/, ''),
    merchantId: e.NONTAX_MERCHANT_ID,
    areaCode: e.NONTAX_AREA_CODE,
    privateKeyFile: path.resolve(e.NONTAX_PRIVATE_KEY_FILE ?? path.join(dataDir, 'sandbox', 'nontax-merchant-private.pem')),
    platformKeyFile: path.resolve(e.NONTAX_PLATFORM_KEY_FILE ?? path.join(dataDir, 'sandbox', 'nontax-platform-public.pem')),
    maintenanceWindow: parseDailyWindow(e.NONTAX_MAINTENANCE_WINDOW) ?? null,
  };
}

export function ebillConfig(e: EbillEnv, sandboxUrl: string, sessionSecret: string): EbillConfig {
  return { url: (e.EBILL_URL ?? `${sandboxUrl}/ebill`).replace(/\/$/, ''), appId: e.EBILL_APP_ID, secret: ebillSecret(e, sessionSecret) };
}

/**
 * The real platform issues the secret, so production talking to it must be given one. Against the
 * sandbox both sides derive the same one from the session secret, so the demo needs no setup.
 */
function ebillSecret(e: EbillEnv, sessionSecret: string): string {
  if (e.EBILL_SECRET) return e.EBILL_SECRET;
  if (e.EBILL_URL && e.NODE_ENV === 'production') throw new ConfigError('配置错误 EBILL_SECRET: required in production when EBILL_URL is set');
  return Buffer.from(hkdfSync('sha256', sessionSecret, 'campus-pay', 'ebill-sandbox', 32)).toString('hex');
}
