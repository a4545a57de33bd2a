// The finance and department-staff console under /console: its own navigation, guarded as a
// whole (finance_admin or dept_staff; anyone else gets 403 on every path), then per action
// (changes are finance only) and per row (department staff see their own college only).
import { Router } from 'express';
import type { Knex } from 'knex';
import { requireRole } from '../../http/guards';
import type { AuditRepo } from '../audit/repo';
import type { Throttle } from '../auth/throttle';
import { accountsRoutes } from './accounts/routes';
import { accountsService } from './accounts/service';
import { consoleAnnouncementRoutes } from './announcements/routes';
import { consoleAnnouncementsService } from './announcements/service';
import { auditRoutes } from './audit/routes';
import { auditViewer } from './audit/service';
import { counterRoutes } from './counter/routes';
import { counterService } from './counter/service';
import { consoleFeesRepo } from './fees/repo';
import { consoleFeesRoutes } from './fees/routes';
import { consoleFeesService } from './fees/service';
import { importsRoutes } from './imports/routes';
import { importJobs } from './imports/jobs';
import { importJobsRepo } from './imports/jobs-repo';
import { importsService } from './imports/service';
import { peopleRepo } from './people/repo';
import { peopleRoutes } from './people/routes';
import { peopleService } from './people/service';
import { refundsRoutes } from './refunds/routes';
import { dashboardRepo } from './reports/dashboard-repo';
import { reportsRepo } from './reports/repo';
import { reportsRoutes } from './reports/routes';
import { reportsService } from './reports/service';
import type { Logger } from '../../logger';
import { reconcileRoutes } from '../reconcile/routes';
import type { ReconcileService } from '../reconcile/service';
import type { RefundsModule } from '../refunds';

export interface ConsoleDeps {
  db: Knex;
  audit: AuditRepo;
  /** The login throttle: the person page shows its state, 解除登录限制 clears it. */
  loginThrottle: Throttle;
  /** 退费 and the 一键退款 of 对账: the one refunds module of the app. */
  refunds: RefundsModule;
  /** 对账: present when the app wires reconciliation. */
  reconcile?: ReconcileService | null;
  /** For what fails in the background (an import job). */
  logger?: Logger;
}

export function consoleRoutes(deps: ConsoleDeps) {
  const { db, audit } = deps;
  const people = peopleService({ repo: peopleRepo(db), loginThrottle: deps.loginThrottle });
  const r = Router();
  r.use('/console', requireRole('finance_admin', 'dept_staff'));
  const area = Router();
  area.use(reportsRoutes({ reports: reportsService({ repo: reportsRepo(db), dashboard: dashboardRepo(db) }) }));
  area.use(peopleRoutes({ people }));
  area.use(accountsRoutes({ accounts: accountsService({ db, audit, loginThrottle: deps.loginThrottle }), people }));
  area.use(consoleFeesRoutes({ fees: consoleFeesService({ db, repo: consoleFeesRepo(db), audit }), people }));
  area.use(counterRoutes({ counter: counterService({ db, audit }), people }));
  area.use(refundsRoutes({ refunds: deps.refunds, people }));
  area.use(consoleAnnouncementRoutes({ announcements: consoleAnnouncementsService({ db, audit }) }));
  const imports = importsService({ db, audit });
  area.use(importsRoutes({ imports, jobs: importJobs({ repo: importJobsRepo(db), imports, logger: deps.logger }) }));
  area.use(auditRoutes({ audit: auditViewer({ db }) }));
  if (deps.reconcile) area.use(reconcileRoutes({ reconcile: deps.reconcile, refunds: deps.refunds, audit }));
  r.use('/console', area);
  return r;
}
