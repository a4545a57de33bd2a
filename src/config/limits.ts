// How long orders live, how many one person may hold, what the scheduled jobs do on their own,
// and how much PDF drawing one person may ask for.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { bool } from './fields';

export const ordersEnv = {
  ORDER_TTL_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(120),
  /**
   * Unpaid, unexpired orders one person may hold at once. A payer needs one per category, a few
   * more for changed selections; a script cannot fill the day's serials or the channels with them.
   */
  MAX_LIVE_ORDERS: z.coerce.number().int().min(1).max(100).default(5),
  /** An order still 支付中 this long after it went to its channel is asked about there. */
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
};

export const pdfEnv = {
  /** Worker threads drawing e-bill PDFs; unset: one less than the cores, at least 1, at most 2. */
  PDF_WORKERS: z.coerce.number().int().min(1).max(16).optional(),
  /** PDF downloads a person may make per minute (all instances together), and at once. */
  PDF_PER_MINUTE: z.coerce.number().int().min(1).max(1000).default(10),
  PDF_CONCURRENT_PER_PERSON: z.coerce.number().int().min(1).max(20).default(2),
};

export interface JobsConfig { activeQueryAfterMinutes: number; overpaymentAutoRefund: boolean; duplicatePaymentAutoRefund: boolean }
export interface PdfConfig { workers: number; perMinute: number; concurrentPerPerson: number }

export function jobsConfig(e: z.infer<z.ZodObject<typeof ordersEnv>>): JobsConfig {
  return { activeQueryAfterMinutes: e.ACTIVE_QUERY_AFTER_MINUTES, overpaymentAutoRefund: e.OVERPAYMENT_AUTO_REFUND, duplicatePaymentAutoRefund: e.DUPLICATE_PAYMENT_AUTO_REFUND };
}

export function pdfConfig(e: z.infer<z.ZodObject<typeof pdfEnv>>): PdfConfig {
  return { workers: e.PDF_WORKERS ?? Math.min(2, Math.max(1, availableParallelism() - 1)), perMinute: e.PDF_PER_MINUTE, concurrentPerPerson: e.PDF_CONCURRENT_PER_PERSON };
}
