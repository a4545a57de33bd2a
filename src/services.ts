// The composition root: every module's repos and services, built once from the config, the
// database and the logger. The web app (app.ts), the periodic jobs (jobs/index.ts) and the
// command line (cli/) all take what they need from here, so each of them works with the same
// payment service, gateway registry, refund service and throttles. Nothing here opens a
// connection or starts a worker: building is cheap, the PDF pool starts its workers on the
// first bill.
import type { Config } from './config';
import type { Database } from './db/connection';
import { createGatewayRegistry, type GatewayRegistry } from './gateways/registry';
import { createKicker } from './jobs/kicker';
import type { Logger } from './logger';
import { cachedAnnouncements } from './modules/announcements/cached';
import { announcementRepo } from './modules/announcements/repo';
import { auditRepo } from './modules/audit/repo';
import { createHasher } from './modules/auth/hasher';
import { createLockout } from './modules/auth/lockout';
import { authRepo } from './modules/auth/repo';
import { authService } from './modules/auth/service';
import { createThrottle, type Throttle } from './modules/auth/throttle';
import { throttleRepo } from './modules/auth/throttle-repo';
import { captchas as captchaStore } from './modules/captcha/routes';
import { accountsService } from './modules/console/accounts/service';
import { consoleAnnouncementsService } from './modules/console/announcements/service';
import { auditViewer } from './modules/console/audit/service';
import { counterService } from './modules/console/counter/service';
import { consoleFeesRepo } from './modules/console/fees/repo';
import { consoleFeesService } from './modules/console/fees/service';
import { importJobs } from './modules/console/imports/jobs';
import { importJobsRepo } from './modules/console/imports/jobs-repo';
import { importsService } from './modules/console/imports/service';
import { peopleRepo } from './modules/console/people/repo';
import { peopleService } from './modules/console/people/service';
import { dashboardRepo } from './modules/console/reports/dashboard-repo';
import { reportsRepo } from './modules/console/reports/repo';
import { reportsService } from './modules/console/reports/service';
import { createEbillClient, type EbillClient } from './modules/ebills/client';
import { createPdfLimit } from './modules/ebills/pdf-limit';
import { createPdfPool, type PdfPool } from './modules/ebills/pdf-pool';
import { ebillsRepo } from './modules/ebills/repo';
import { ebillsService } from './modules/ebills/service';
import { drainEbills, type IssuingDeps } from './modules/ebills/issuing';
import { nontaxStatusService } from './modules/nontax-status/service';
import { feesRepo } from './modules/fees/repo';
import { feesService } from './modules/fees/service';
import { deferralsService } from './modules/deferrals/service';
import { createNotifyLimit, type NotifyLimit } from './modules/payment/notify-limit';
import { paymentRepo } from './modules/payment/repo';
import { paymentService } from './modules/payment/service';
import { attemptOrders, refundsModule, seenRefunds } from './modules/refunds';
import { enrolmentService } from './modules/enrolment/service';
import { profileRepo } from './modules/profile/repo';
import { profileService } from './modules/profile/service';
import { receiptsRepo } from './modules/receipts/repo';
import { receiptsService } from './modules/receipts/service';
import { statementSource } from './modules/reconcile';
import { stalePayingOrders, type StaleOrders } from './modules/reconcile/attempts-repo';
import { uploadedRaw } from './modules/reconcile/runs-repo';
import { reconcileService } from './modules/reconcile/service';
import { ledgerCheckRepo } from './modules/reconcile/ledger-check-repo';
import { recoveryRepo } from './modules/recovery/repo';
import { recoveryService } from './modules/recovery/service';
import { drainEmail } from './modules/email/outbox';
import { smtpMailSender, type MailSender } from './modules/email/sender';
import { emailService } from './modules/email/service';
import { remindersService } from './modules/reminders/service';
import { payersService } from './modules/payers/service';
import { registrationRepo } from './modules/registration/repo';
import { registrationService } from './modules/registration/service';
import { smsCodes } from './modules/sms-codes/service';
import { drainSms } from './modules/sms/outbox';
import { sandboxSmsSender, type SmsSender } from './modules/sms/sender';
import { transactionsRepo } from './modules/transactions/repo';
import { transactionsService } from './modules/transactions/service';

/** Bills waiting for a PDF worker, all people together; beyond it a download is told to retry. */
export const PDF_QUEUE = 200;

export interface ServiceDeps {
  config: Config;
  db: Pick<Database, 'knex' | 'pool'>;
  logger: Logger;
  /** What a test or a bench may put in place of the real one. */
  registry?: GatewayRegistry;
  /** The login throttle (tests may share one between app instances; all share the database anyway). */
  loginThrottle?: Throttle;
  notifyLimit?: NotifyLimit;
  /** The PDF pool; one per build unless given (a bench or test may share or close it). */
  pdfPool?: PdfPool;
  ebillClient?: EbillClient;
  smsSender?: SmsSender;
  /** In place of the SMTP sender of SMTP_URL (none: e-mail is off unless SMTP_URL is set). */
  mailSender?: MailSender;
  /** In place of the e-bill and SMS kicks after a credit: a fixture that credits rows and issues their e-bills itself. */
  afterCredit?: () => void;
  /** The clock of the SMS codes and 新用户注册 (a test moves it past a code's expiry). */
  now?: () => Date;
}

export function buildServices(deps: ServiceDeps) {
  const { config, logger } = deps;
  const { knex, pool } = deps.db;

  // Shared by many: one registry of channel adapters for paying (the wizard, notifications, the
  // jobs) and refunding (console, overpayments); one audit log; the sign-in throttle.
  const gateways = deps.registry ?? createGatewayRegistry(config);
  const audit = auditRepo(knex);
  const announcements = cachedAnnouncements(announcementRepo(knex));
  const captchas = captchaStore(knex);
  const loginThrottle = deps.loginThrottle ?? createThrottle(knex, 'login');

  // One bounded queue for every bcrypt hash of this process (modules/auth/hasher.ts).
  const hasher = createHasher({ concurrent: config.overload.bcryptConcurrent, waiting: config.overload.bcryptWaiting, retryAfterSeconds: config.overload.retryAfterSeconds });
  const auth = authService({ repo: authRepo(knex), throttle: loginThrottle, captchas, hasher, audit });
  const recovery = recoveryService({
    db: knex, repo: recoveryRepo(knex), audit, throttle: createThrottle(knex, 'recover'), loginThrottle, captchas, secret: config.sessionSecret, hasher,
  });
  const deferrals = deferralsService({ db: knex, audit, bankCardKey: config.bankCardKey, schoolName: config.schoolName });
  const fees = feesService({ repo: feesRepo(knex) });

  // 学费缴费 and what follows a payment: the bill's receipts, e-bills (PDFs drawn in a small worker
  // pool, not on the thread that answers everyone's requests) and the SMS that announces them.
  const payments = paymentRepo(knex);
  // The non-tax platform's availability (window, maintenance, breaker): 确定缴费's bill.push and
  // the e-bill requests both feed the breaker, and both wait while it is open.
  const nontaxStatus = nontaxStatusService({ db: knex, audit, window: config.nontax.maintenanceWindow });
  const payment = paymentService({ db: knex, audit, registry: gateways, config, logger, notifyLimit: deps.notifyLimit ?? createNotifyLimit(pool),
    afterCredit: deps.afterCredit ?? afterCredit, nontaxBreaker: nontaxStatus,
  });
  const pdfPool = deps.pdfPool ?? createPdfPool({ size: config.pdf.workers, maxQueue: PDF_QUEUE });
  const ebills = ebillsService({ repo: ebillsRepo(knex), schoolName: config.schoolName, publicUrl: config.publicUrl, drawPdf: pdfPool.render });
  const ebillClient = deps.ebillClient ?? createEbillClient(config.ebill);
  // The sandbox SMS sender records messages; docs/sms.md says how to plug in a real provider here.
  const smsSender = deps.smsSender ?? sandboxSmsSender(knex);
  // The e-bill and SMS drains a credit kicks on this instance right after its commit (the jobs
  // are the safety net): the credit queues the paid notice, each e-bill issued queues its own, so
  // an e-bill drain that issued some kicks the SMS drain in turn.
  const ebillIssuing: IssuingDeps = {
    knex, client: ebillClient, schoolName: config.schoolName, publicUrl: config.publicUrl, logger, gate: nontaxStatus,
  };
  const smsKick = createKicker('sms', () => drainSms({ knex, sender: smsSender, logger, quiet: config.reminderQuiet }), logger);
  // E-mail only with SMTP_URL (or a test's sender): drained like SMS, by a kick and by its job.
  const mailSender = deps.mailSender ?? (config.mail.smtpUrl ? smtpMailSender(config.mail.smtpUrl, config.mail.from) : null);
  const emailKick = createKicker('email', async () => {
    if (mailSender) await drainEmail({ knex, sender: mailSender, logger, quiet: config.reminderQuiet });
  }, logger);
  const email = emailService({
    db: knex, audit, schoolName: config.schoolName, publicUrl: config.publicUrl, secret: config.sessionSecret, enabled: !!mailSender, afterQueue: () => emailKick.kick(),
  });
  const reminders = remindersService({
    db: knex, audit, schoolName: config.schoolName, quiet: config.reminderQuiet, emailEnabled: !!mailSender, unsubscribeUrl: email.unsubscribeUrl,
    afterQueue: () => { smsKick.kick(); emailKick.kick(); },
  });
  const ebillKick = createKicker('ebills', async () => {
    if ((await drainEbills(ebillIssuing)).issued > 0) smsKick.kick();
  }, logger);
  function afterCredit() {
    ebillKick.kick();
    smsKick.kick();
  }

  // Refunds, overpayments and the daily reconciliation, on the same payment service and registry.
  const profile = profileService({ db: knex, repo: profileRepo(knex, pool), audit, bankCardKey: config.bankCardKey, reauthLockout: createLockout(pool, 'reauth'), hasher, email });
  const refunds = refundsModule({ db: knex, audit, gateways, publicUrl: config.publicUrl, schoolName: config.schoolName, attempts: attemptOrders(knex, payment), logger });
  const reconcile = reconcileService({ db: knex, registry: gateways, payment, refunds, audit, logger });
  /** For the active query job: orders still 支付中 at a channel. */
  const staleOrders: StaleOrders = { stalePayingOrders: (cutoff, limit) => stalePayingOrders(knex, cutoff, limit) };

  // SMS verification codes (新用户注册 now; any flow that must confirm a mobile), queued through
  // the outbox and sent by the same kicked drain.
  const now = deps.now ?? (() => new Date());
  const codes = smsCodes({ db: knex, pool, secret: config.sessionSecret, schoolName: config.schoolName, afterQueued: () => smsKick.kick(), now });
  const registration = registrationService({ db: knex, repo: registrationRepo(), codes, audit, hasher, captchas, now: () => now().getTime() });

  // 授权缴费人: invitations by SMS, their own sign-up with a code, the payer's scope.
  const payers = payersService({ db: knex, audit, codes, hasher, captchas, schoolName: config.schoolName, publicUrl: config.publicUrl, afterQueued: () => smsKick.kick(), now: () => now().getTime() });

  const imports = importsService({ db: knex, audit });
  const people = peopleService({ repo: peopleRepo(knex), loginThrottle, payersOf: payers.linksOf });

  return {
    config,
    logger,
    knex,
    gateways,
    audit,
    announcements,
    captchas,
    loginThrottle,
    hasher,
    /** The public e-bill check's guess throttle (the QR code's page). */
    ebillVerifyThrottle: createThrottle(knex, 'ebill_verify'),
    throttleRepo: throttleRepo(knex),
    auth,
    recovery,
    smsCodes: codes,
    registration,
    payers,
    profile,
    fees,
    payment,
    paymentRepo: payments,
    transactions: transactionsService({ repo: transactionsRepo(knex), refunds: seenRefunds(knex) }),
    receipts: receiptsService({ repo: receiptsRepo(knex), refunds: seenRefunds(knex) }),
    ebills,
    pdfPool,
    pdfLimit: createPdfLimit(pool, { perMinute: config.pdf.perMinute, concurrent: config.pdf.concurrentPerPerson }),
    ebillClient,
    smsSender,
    nontaxStatus,
    ebillIssuing,
    ebillKick,
    smsKick,
    mailSender,
    emailKick,
    email,
    reminders,
    /** Resolves once no kicked drain is running or asked for: shutdown, and tests that wait for them. */
    async kicksIdle() {
      await ebillKick.idle();
      await smsKick.idle();
      await emailKick.idle();
    },
    refunds,
    reconcile,
    staleOrders,
    /** 报名信息: the person's tab, the console's 报名项目 and the hold job. */
    enrolment: enrolmentService({ db: knex, audit, refunds }),
    /** Statements for the ledger check, the way the reconciliation reads them. */
    statements: statementSource(gateways, (channel, day) => uploadedRaw(knex, channel, day)),
    ledgerCheckRepo: ledgerCheckRepo(knex),
    imports,
    console: {
      people,
      reports: reportsService({ repo: reportsRepo(knex), dashboard: dashboardRepo(knex) }),
      accounts: accountsService({ db: knex, audit, loginThrottle }),
      fees: consoleFeesService({ db: knex, repo: consoleFeesRepo(knex), audit }),
      counter: counterService({ db: knex, audit, afterPayment: () => ebillKick.kick() }),
      announcements: consoleAnnouncementsService({ db: knex, audit, onChange: announcements.invalidate }),
      importJobs: importJobs({ repo: importJobsRepo(knex), imports, loans: deferrals.imports, logger }),
      deferrals,
      auditLog: auditViewer({ db: knex }),
    },
  };
}

export type Services = ReturnType<typeof buildServices>;
