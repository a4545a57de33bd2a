// createApp(deps): middleware, routers, error pages — no listen, so tests drive it in-process.
import path from 'node:path';
import { emailRoutes } from './modules/email/routes';
import { fileURLToPath } from 'node:url';
import cookieParser from 'cookie-parser';
import express from 'express';
import helmet from 'helmet';
import type { Config } from './config';
import type { Database } from './db/connection';
import { labels } from './domain/labels';
import './http/zod-locale';
import { csrfMiddleware } from './http/csrf';
import { errorHandler, notFoundHandler } from './http/errors';
import { formTargets } from './http/form-targets';
import { loadUser, requireLogin } from './http/guards';
import { noStore } from './http/cache';
import { pageReadsByPath } from './http/page-reads';
import { requireHttps } from './http/https';
import { requestLog } from './http/request-log';
import { loadShed } from './http/load-shed';
import { shedHashingPosts } from './http/shed-hashing';
import { requestMetrics } from './http/metrics';
import { saveBeforeRedirect, sessionMiddleware } from './http/session';
import { lateSessionErrors } from './http/session-late-errors';
import { markTimedOut, timedOutPost } from './http/session-timeout';
import { viewHelpers } from './http/view-helpers';
import { useViews } from './http/views';
import type { Logger } from './logger';
import { currentUserSql } from './modules/auth/repo';
import { AUTH_HASHING_POSTS, authRoutes } from './modules/auth/routes';
import type { Throttle } from './modules/auth/throttle';
import { consoleUploads } from './modules/console/imports/upload';
import { consoleRoutes } from './modules/console/routes';
import { currentFeesRead, openArrearsRead } from './modules/fees/page-reads';
import { tuitionListRead } from './modules/payment/page-reads';
import { feesRoutes } from './modules/fees/routes';
import { enrolmentRoutes } from './modules/enrolment/routes';
import { healthRoutes } from './modules/health/routes';
import { metricsRoutes } from './modules/health/metrics';
import type { NotifyLimit } from './modules/payment/notify-limit';
import { paymentNotifyRoutes, paymentRoutes } from './modules/payment/routes';
import { wizardPlace } from './modules/payment/timed-out';
import { homeRoutes } from './modules/home/routes';
import { ebillVerifyRoutes } from './modules/ebills/routes';
import type { PdfPool } from './modules/ebills/pdf-pool';
import { NOT_OPEN_TABS, placeholderRoutes } from './modules/placeholder/routes';
import { profileRead } from './modules/profile/page-reads';
import { PROFILE_HASHING_POSTS, profileRoutes } from './modules/profile/routes';
import { RECOVERY_HASHING_POSTS, recoveryRoutes } from './modules/recovery/routes';
import { PAYER_HASHING_POSTS, payerHomeRoutes, payerRegisterRoutes, studentPayerRoutes } from './modules/payers/routes';
import { payerScope } from './modules/payers/scope';
import { REGISTRATION_HASHING_POSTS, registrationRoutes } from './modules/registration/routes';
import { bankFirstPageRead } from './modules/transactions/page-reads';
import { transactionsRoutes } from './modules/transactions/routes';
import { buildServices, type Services } from './services';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  /** The login throttle (tests may share one between app instances; all share the database anyway). */
  loginThrottle?: Throttle;
  notifyLimit?: NotifyLimit;
  /** The PDF pool; one per app unless given (a bench or test may share or close it). */
  pdfPool?: PdfPool;
  /** Services already built (server.ts shares them with the jobs); built here from the rest when not given. */
  services?: Services;
}

export function createApp(deps: AppDeps) {
  const { config, db, logger } = deps;
  const s = deps.services ?? buildServices({
    config, db, logger,
    ...(deps.loginThrottle ? { loginThrottle: deps.loginThrottle } : {}),
    ...(deps.notifyLimit ? { notifyLimit: deps.notifyLimit } : {}),
    ...(deps.pdfPool ? { pdfPool: deps.pdfPool } : {}),
  });
  const app = express();
  // Compiled templates are kept except while developing, where edits should show on reload.
  useViews(app, path.join(root, 'views'), { cache: config.env !== 'development' });
  // Only these peers' X-Forwarded-For / -Proto are believed (TRUST_PROXY): req.ip is then the client's
  // address, which the guess throttling counts, and req.secure says whether the client used https.
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // The one labels module, for every view (`labels.orderStatus(o.status)`).
  Object.assign(app.locals, viewHelpers, { labels, schoolName: config.schoolName, financePhones: config.financePhones });

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: formTargets(config),
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
        },
      },
      // The sandbox cashier is on another port: the browser must be allowed to go there.
      crossOriginOpenerPolicy: { policy: 'same-origin' },
      // HSTS only where the site is served over https: on a plain-http demo it would mean nothing,
      // and on a host later moved to https it would have been a promise we had not made.
      strictTransportSecurity: config.cookieSecure ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
    }),
  );
  if (config.logLevel !== 'silent') app.use(requestLog(logger));
  app.use(requestMetrics);
  app.use('/public', express.static(path.join(root, 'public'), { maxAge: config.env === 'production' ? '1d' : 0 }));
  app.use(noStore);
  // /metrics for METRICS_ALLOW only; then the bound on requests at once (503 past it, src/http/load-shed.ts).
  app.use(metricsRoutes({ db: s.knex, allow: config.metricsAllow, logger }));
  app.use(loadShed(config.overload));
  app.use(healthRoutes(db));
  // Server-to-server, signed, no login: before the session, body parsers and CSRF.
  app.use(paymentNotifyRoutes({ payment: s.payment }));

  app.use(requireHttps({ secure: config.cookieSecure, publicUrl: config.publicUrl }));
  // A post that needs bcrypt while its gate is full: 503 before the session, body and CSRF work.
  app.use(shedHashingPosts(s.hasher, { hold: AUTH_HASHING_POSTS, peek: [...PROFILE_HASHING_POSTS, ...RECOVERY_HASHING_POSTS, ...REGISTRATION_HASHING_POSTS, ...PAYER_HASHING_POSTS], retryAfterSeconds: config.overload.retryAfterSeconds }));
  app.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));
  // The session's statement also reads the user and, for the pages that start from bills, the bills.
  const pageOf = pageReadsByPath({ '/fees': currentFeesRead, '/': openArrearsRead, '/pay': tuitionListRead, '/profile': profileRead, '/transactions/bank': bankFirstPageRead });
  app.use(lateSessionErrors(sessionMiddleware({ pool: db.pool, secret: config.sessionSecret, secure: config.cookieSecure, along: currentUserSql, pageOf, errorLog: (msg, err) => logger.error({ err }, msg) }), logger));
  app.use(saveBeforeRedirect);
  app.use(cookieParser());
  app.use(markTimedOut(config.sessionSecret));

  app.use(loadUser(s.auth.currentUser));
  // CSV uploads of the console's import page: parsed before the CSRF check (which reads _csrf from
  // the body), and only for a signed-in finance admin, so nobody else can make us hold a 20 MB body.
  app.use(consoleUploads);
  app.use(timedOutPost(config.publicUrl, wizardPlace));
  app.use(csrfMiddleware(config.sessionSecret, config.cookieSecure));
  app.use(authRoutes({ auth: s.auth, announcements: s.announcements, financePhones: config.financePhones, publicUrl: config.publicUrl }));
  app.use(s.captchas.routes());
  app.use(recoveryRoutes({ recovery: s.recovery, captchas: s.captchas, financePhones: config.financePhones }));
  app.use(registrationRoutes({ registration: s.registration }));
  app.use(payerRegisterRoutes({ payers: s.payers }));
  // The QR code on a bill leads here: public, and it shows only what confirms the bill.
  app.use(ebillVerifyRoutes({ ebills: s.ebills, throttle: s.ebillVerifyThrottle, captchas: s.captchas }));

  // The links of the mails (确认邮箱, 退订): the token is the proof, no sign-in.
  app.use(emailRoutes({ email: s.email }));

  // Everything below needs a signed-in user.
  app.use(requireLogin);
  // An 授权缴费人 reaches only their own pages and the chosen student's fees (modules/payers/scope.ts).
  app.use(payerScope({ payers: s.payers }));
  app.use(payerHomeRoutes({ payers: s.payers }));
  app.use(studentPayerRoutes({ payers: s.payers }));  app.use(homeRoutes({ fees: s.fees, announcements: s.announcements }));
  app.use(feesRoutes({ fees: s.fees }));
  app.use(profileRoutes({ profile: s.profile, captchas: s.captchas }));
  app.use(transactionsRoutes({ transactions: s.transactions, receipts: s.receipts, ebills: s.ebills, pdfLimit: s.pdfLimit }));
  app.use(paymentRoutes({ payment: s.payment, sandboxUrl: config.sandbox.enabled ? config.sandbox.url : null, publicUrl: config.publicUrl, fiscalNotice: () => s.nontaxStatus.fiscalNotice() }));
  app.use(enrolmentRoutes({ enrolment: s.enrolment }));
  app.use(consoleRoutes({ ...s.console, enrolment: s.enrolment, imports: s.imports, refunds: s.refunds, reconcile: s.reconcile, audit: s.audit, reminders: s.reminders,
    queues: { db: s.knex, nontaxStatus: s.nontaxStatus, activeQueryAfterMinutes: config.jobs.activeQueryAfterMinutes } }));
  app.use(placeholderRoutes(NOT_OPEN_TABS));

  app.use(notFoundHandler);
  app.use(errorHandler(logger, config.overload.retryAfterSeconds));
  return app;
}
