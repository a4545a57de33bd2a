// The platform's periodic jobs, each run by the scheduler (./scheduler.ts) on one instance per
// slot: closing expired orders at their channels, the active query, the e-bill and SMS retries,
// the overpayment scan (and refunds, when configured), the refund query (refunds left unclear
// or processing at their channel), the daily reconciliation, the purge of refused notifications
// and that of sign-in throttle counters past their window.
import type { Knex } from 'knex';
import type { Config } from '../config';
import { businessDate } from '../domain/business-date';
import type { GatewayRegistry } from '../gateways/registry';
import type { Logger } from '../logger';
import { createEbillClient, type EbillClient } from '../modules/ebills/client';
import { throttleRepo } from '../modules/auth/throttle-repo';
import { paymentRepo } from '../modules/payment/repo';
import { reconcileModule } from '../modules/reconcile';
import { sandboxSmsSender, type SmsSender } from '../modules/sms/sender';
import { runActiveQuery } from './active-query';
import { runEbillIssuing } from './ebill-issuing';
import type { Job } from './scheduler';
import { runSmsSending } from './sms-sending';

export const JOB_NAMES = ['order-expiry', 'active-query', 'ebill-issuing', 'sms-sending', 'overpayments', 'refund-query', 'reconcile', 'notify-purge', 'throttle-purge'] as const;

/** Refused notifications are kept this long (issue 12): enough to look into a forgery or a key mix-up. */
export const REFUSED_NOTIFY_KEEP_DAYS = 30;

export function platformJobs(deps: {
  config: Config; knex: Knex; logger: Logger; registry?: GatewayRegistry;
  ebillClient?: EbillClient; smsSender?: SmsSender; now?: () => Date;
}): Job[] {
  const { config, knex, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const m = reconcileModule({ config, knex, logger, ...(deps.registry ? { registry: deps.registry } : {}) });
  const client = deps.ebillClient ?? createEbillClient(config.ebill);
  // The sandbox SMS sender records messages; docs/sms.md says how to plug in a real provider here.
  const sender = deps.smsSender ?? sandboxSmsSender(knex);
  const quiet = (o: Record<string, number>) => Object.values(o).every((v) => v === 0);

  return [
    {
      name: 'order-expiry', everyMs: 60_000,
      async run() {
        const closed = await m.payment.expireDue(now());
        if (closed) logger.info({ closed }, 'expired orders closed');
      },
    },
    {
      name: 'active-query', everyMs: 60_000,
      async run() {
        const r = await runActiveQuery({
          payment: m.payment, paymentRepo: paymentRepo(knex), reconcileRepo: m.repo, registry: m.registry,
          afterMinutes: config.jobs.activeQueryAfterMinutes, logger, now,
        });
        if (!quiet({ ...r })) logger.info(r, 'active query');
      },
    },
    {
      name: 'ebill-issuing', everyMs: 30_000,
      async run() {
        const r = await runEbillIssuing({ knex, client, schoolName: config.schoolName, schoolCode: config.schoolCode, publicUrl: config.publicUrl, logger, now });
        if (r.issued || r.failed) logger.info(r, 'e-bill issuing');
      },
    },
    {
      name: 'sms-sending', everyMs: 15_000,
      async run() {
        const r = await runSmsSending({ knex, sender, logger, now });
        if (r.sent || r.retrying || r.failed) logger.info(r, 'SMS outbox');
      },
    },
    {
      name: 'overpayments', everyMs: 60_000,
      async run() {
        const r = await m.service.overpaymentJob(config.jobs.overpaymentAutoRefund, config.jobs.duplicatePaymentAutoRefund);
        if (r.flagged || r.refunded) logger.info(r, 'overpayments');
      },
    },
    {
      // A channel refund whose answer was lost (timeout, 5xx) or still processing: asked about
      // again under its own refund number once the console's own call is surely over, then posted
      // to the ledger once or released. Second payments handed back from 对账 likewise.
      name: 'refund-query', everyMs: 60_000,
      async run() {
        const r = await m.refunds.recheckPending(now(), config.jobs.activeQueryAfterMinutes);
        const f = await m.refunds.settleRefundingFlags(now(), config.jobs.activeQueryAfterMinutes);
        if (r.succeeded || r.failed || r.mismatch || r.unanswered || f.refunded || f.failed) logger.info({ refunds: r, flags: f }, 'refund query');
      },
    },
    {
      // Hourly until yesterday's statement of every channel has been reconciled once: channels
      // publish their files some hours into the day, and a failed download is simply tried again.
      // Days missed before (the platform down, a channel down) are caught up, a week back at most.
      name: 'reconcile', everyMs: 3_600_000,
      async run() {
        const yesterday = businessDate(new Date(now().getTime() - 24 * 3600_000));
        await m.service.reconcileDue(yesterday);
      },
    },
    {
      name: 'notify-purge', everyMs: 3_600_000,
      async run() {
        const purged = await paymentRepo(knex).purgeRefusedNotifications(new Date(now().getTime() - REFUSED_NOTIFY_KEEP_DAYS * 24 * 3600_000));
        if (purged) logger.info({ purged }, 'refused notifications purged');
      },
    },
    {
      // Counters past their window already count as empty (auth/throttle-repo.ts); this only keeps
      // auth_throttle from growing with every name and address that ever failed once.
      name: 'throttle-purge', everyMs: 15 * 60_000,
      async run() {
        const purged = await throttleRepo(knex).purgeExpired();
        if (purged) logger.info({ purged }, 'expired throttle counters purged');
      },
    },
  ];
}
