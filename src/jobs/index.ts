// The platform's periodic jobs, each run by the scheduler (./scheduler.ts) on one instance per
// slot: closing expired orders at their channels, the active query, the e-bill and SMS retries,
// the overpayment scan (and refunds, when configured), the refund query (refunds left unclear
// or processing at their channel), the daily reconciliation, the purge of refused notifications
// and that of sign-in throttle counters past their window, and the expiry of 缓缴 whose date passed.
import type { Knex } from 'knex';
import type { Config } from '../config';
import { poolOver } from '../db/connection';
import { businessDate } from '../domain/business-date';
import type { GatewayRegistry } from '../gateways/registry';
import type { Logger } from '../logger';
import type { EbillClient } from '../modules/ebills/client';
import { drainEbills } from '../modules/ebills/issuing';
import { drainEmail } from '../modules/email/outbox';
import type { MailSender } from '../modules/email/sender';
import { drainSms } from '../modules/sms/outbox';
import type { SmsSender } from '../modules/sms/sender';
import { buildServices, type Services } from '../services';
import { runActiveQuery } from './active-query';
import type { Job } from './scheduler';

export const JOB_NAMES = ['order-expiry', 'active-query', 'ebill-issuing', 'sms-sending', 'email-sending', 'reminders', 'overpayments', 'refund-query', 'reconcile', 'notify-purge', 'throttle-purge', 'enrolment-holds', 'deferral-expiry'] as const;

/** Refused notifications are kept this long: enough to look into a forgery or a key mix-up. */
export const REFUSED_NOTIFY_KEEP_DAYS = 30;

/**
 * The jobs over the services of the composition root: those given (server.ts shares the app's), or
 * built here over `knex` (tests and scripts), with a test's registry, e-bill client or SMS sender.
 */
export function platformJobs(deps: {
  config: Config; knex: Knex; logger: Logger; services?: Services; registry?: GatewayRegistry;
  ebillClient?: EbillClient; smsSender?: SmsSender; mailSender?: MailSender; now?: () => Date;
}): Job[] {
  const { config, knex, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const s = deps.services ?? buildServices({ config, db: { knex, pool: poolOver(knex) }, logger, ...(deps.registry ? { registry: deps.registry } : {}) });
  const client = deps.ebillClient ?? s.ebillClient;
  const sender = deps.smsSender ?? s.smsSender;
  const mailSender = deps.mailSender ?? s.mailSender;
  const quietHours = config.reminderQuiet;
  const quiet = (o: Record<string, number>) => Object.values(o).every((v) => v === 0);

  return [
    {
      name: 'order-expiry', everyMs: 60_000,
      async run() {
        const closed = await s.payment.expireDue(now());
        if (closed) logger.info({ closed }, 'expired orders closed');
      },
    },
    {
      name: 'active-query', everyMs: 60_000,
      async run() {
        const r = await runActiveQuery({
          payment: s.payment, paymentRepo: s.paymentRepo, reconcileRepo: s.staleOrders, registry: s.gateways,
          afterMinutes: config.jobs.activeQueryAfterMinutes, logger, now,
        });
        if (!quiet({ ...r })) logger.info(r, 'active query');
      },
    },
    {
      name: 'ebill-issuing', everyMs: 30_000,
      async run() {
        const r = await drainEbills({ ...s.ebillIssuing, client, now });
        if (r.issued || r.failed) logger.info(r, 'e-bill issuing');
        // Each bill issued queued its SMS: sent now rather than on the SMS job's next slot (a
        // backlog the platform's return releases). A test's own sender is left to the SMS job.
        if (r.issued && !deps.smsSender) s.smsKick.kick();
      },
    },
    {
      name: 'sms-sending', everyMs: 15_000,
      async run() {
        const r = await drainSms({ knex: s.knex, sender, logger, now, quiet: quietHours });
        if (r.sent || r.retrying || r.failed) logger.info(r, 'SMS outbox');
      },
    },
    {
      // Only with SMTP_URL (config.mail): without it nothing is queued for e-mail.
      name: 'email-sending', everyMs: 15_000,
      async run() {
        if (!mailSender) return;
        const r = await drainEmail({ knex: s.knex, sender: mailSender, logger, now, quiet: quietHours });
        if (r.sent || r.retrying || r.failed) logger.info(r, 'email outbox');
      },
    },
    {
      // 催缴提醒 whose time has come, and the deadline reminders now in force (modules/reminders).
      name: 'reminders', everyMs: 60_000,
      async run() {
        const r = await s.reminders.runDue(now());
        if (r.campaigns || r.deadline.sms || r.deadline.email) logger.info(r, 'reminders queued');
      },
    },
    {
      name: 'overpayments', everyMs: 60_000,
      async run() {
        const r = await s.reconcile.overpaymentJob(config.jobs.overpaymentAutoRefund, config.jobs.duplicatePaymentAutoRefund);
        if (r.flagged || r.refunded) logger.info(r, 'overpayments');
      },
    },
    {
      // A channel refund whose answer was lost (timeout, 5xx) or still processing: asked about
      // again under its own refund number once the console's own call is surely over, then posted
      // to the ledger once or released. Second payments handed back from 对账 likewise.
      name: 'refund-query', everyMs: 60_000,
      async run() {
        const r = await s.refunds.recheckPending(now(), config.jobs.activeQueryAfterMinutes);
        const f = await s.refunds.settleRefundingFlags(now(), config.jobs.activeQueryAfterMinutes);
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
        await s.reconcile.reconcileDue(yesterday);
      },
    },
    {
      name: 'notify-purge', everyMs: 3_600_000,
      async run() {
        const purged = await s.paymentRepo.purgeRefusedNotifications(new Date(now().getTime() - REFUSED_NOTIFY_KEEP_DAYS * 24 * 3600_000));
        if (purged) logger.info({ purged }, 'refused notifications purged');
      },
    },
    {
      // 报名: unpaid sign-ups past their 保留时长 release their seats (or wait while a payment is in
      // progress), settled ones become 已报名, and money credited after a release is placed.
      name: 'enrolment-holds', everyMs: 60_000,
      async run() {
        const r = await s.enrolment.holdsPass(now());
        if (!quiet(r)) logger.info(r, 'enrolment holds');
      },
    },
    {
      // Counters past their window already count as empty (auth/throttle-repo.ts); this only keeps
      // auth_throttle from growing with every name and address that ever failed once.
      name: 'throttle-purge', everyMs: 15 * 60_000,
      async run() {
        const purged = await s.throttleRepo.purgeExpired();
        if (purged) logger.info({ purged }, 'expired throttle counters purged');
        const codes = await s.smsCodes.purge();
        if (codes) logger.info({ codes }, 'old SMS verification codes purged');
      },
    },
    {
      // A deferral whose expected date passed with no loan is owed again, and the student told by
      // SMS (queued with the change; the SMS job sends it). Hourly: the date is a business day.
      name: 'deferral-expiry', everyMs: 3_600_000,
      async run() {
        const r = await s.console.deferrals.expire(now());
        if (r.expired) {
          logger.info(r, 'deferrals expired');
          if (!deps.smsSender) s.smsKick.kick();
        }
      },
    },
  ];
}
