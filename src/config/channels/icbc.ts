// ICBC e-pay's settings: app, merchant and protocol numbers, its key pair and sign type.
import { z } from 'zod';
import type { ChannelDefaults } from './defaults';

export const icbcEnv = {
  ICBC_URL: z.string().url().optional(),
  ICBC_APP_ID: z.string().regex(/^\d{10,20}$/, 'must be 10-20 digits').default('10000000000004095503'),
  ICBC_MER_ID: z.string().regex(/^\d{12,15}$/, 'must be 12-15 digits').default('020001040157'),
  ICBC_MER_PRTCL_NO: z.string().regex(/^\d{10,20}$/, 'must be 10-20 digits').default('0200010401570201'),
  ICBC_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  ICBC_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  /** The sign_type the app registered on ICBC's open platform (RSA = SHA1withRSA, RSA2 = SHA256withRSA). */
  ICBC_SIGN_TYPE: z.enum(['RSA', 'RSA2'], { message: 'must be RSA or RSA2 (the sign type registered for the app on ICBC\'s open platform)' }).default('RSA2'),
};

type IcbcEnv = z.infer<z.ZodObject<typeof icbcEnv>>;

export interface IcbcConfig {
  url: string; appId: string; merId: string; merPrtclNo: string; privateKeyFile: string; icbcPublicKeyFile: string;
  signType: 'RSA' | 'RSA2'; notifyPath: string; timeoutMs: number;
}

export function icbcConfig(e: IcbcEnv, d: ChannelDefaults, publicUrl: string): IcbcConfig {
  return { url: d.url(e.ICBC_URL, 'icbc'), appId: e.ICBC_APP_ID, merId: e.ICBC_MER_ID, merPrtclNo: e.ICBC_MER_PRTCL_NO, privateKeyFile: d.key(e.ICBC_PRIVATE_KEY_FILE, 'icbc-merchant-private.pem'), icbcPublicKeyFile: d.key(e.ICBC_PUBLIC_KEY_FILE, 'icbc-gateway-public.pem'),
    // ICBC signs a notification over the path of the notify URL we registered: PUBLIC_URL's own
    // path plus the notify route of src/modules/payment/routes.ts (the URL payment/service.ts sends).
    signType: e.ICBC_SIGN_TYPE, notifyPath: new URL(`${publicUrl.replace(/\/$/, '')}/pay/notify/icbc`).pathname, timeoutMs: d.timeoutMs };
}
