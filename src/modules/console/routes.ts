// The finance and department-staff console under /console: its own navigation, guarded as a
// whole (finance_admin or dept_staff; anyone else gets 403 on every path), then per action
// (changes are finance only) and per row (department staff see their own college only).
import { Router } from 'express';
import { requireRole } from '../../http/guards';
import type { AuditRepo } from '../audit/repo';
import { accountsRoutes } from './accounts/routes';
import type { AccountsService } from './accounts/service';
import { consoleAnnouncementRoutes } from './announcements/routes';
import type { ConsoleAnnouncementsService } from './announcements/service';
import { auditRoutes } from './audit/routes';
import type { AuditViewer } from './audit/service';
import { counterRoutes } from './counter/routes';
import { consoleEnrolmentRoutes } from './enrolment/routes';
import type { EnrolmentService } from '../enrolment/service';
import type { CounterService } from './counter/service';
import { consoleFeesRoutes } from './fees/routes';
import type { ConsoleFeesService } from './fees/service';
import { importsRoutes } from './imports/routes';
import type { ImportJobs } from './imports/jobs';
import type { ImportsService } from './imports/service';
import { peopleRoutes } from './people/routes';
import type { PeopleService } from './people/service';
import { refundsRoutes } from './refunds/routes';
import { consoleRemindersRoutes } from './reminders/routes';
import type { RemindersService } from '../reminders/service';
import { queuesRoutes, type QueuesDeps } from './queues/routes';
import { reportsRoutes } from './reports/routes';
import type { ReportsService } from './reports/service';
import { reconcileRoutes } from '../reconcile/routes';
import type { ReconcileService } from '../reconcile/service';
import type { RefundsModule } from '../refunds';
import { deferralRoutes } from '../deferrals/routes';
import type { DeferralsService } from '../deferrals/service';

/** The console's services, built once by the composition root (src/services.ts). */
export interface ConsoleDeps {
  audit: AuditRepo;
  people: PeopleService;
  reports: ReportsService;
  accounts: AccountsService;
  fees: ConsoleFeesService;
  counter: CounterService;
  /** 退费 and the 一键退款 of 对账: the one refunds module of the app. */
  refunds: RefundsModule;
  announcements: ConsoleAnnouncementsService;
  /** 报名项目 (finance, and department staff for their own department's). */
  enrolment: EnrolmentService;
  imports: ImportsService;
  importJobs: ImportJobs;
  /** 缓缴, 助学贷款 and 贷款结余退款. */
  deferrals: DeferralsService;
  /** 审计日志 (the viewer; `audit` above is where entries are written). */
  auditLog: AuditViewer;
  /** 对账: present when the app wires reconciliation. */
  reconcile?: ReconcileService | null;
  /** 催缴提醒: present when the app wires reminders. */
  reminders?: RemindersService | null;
  /** 外发队列: present when the app wires the outbound queues. */
  queues?: QueuesDeps | null;
}

export function consoleRoutes(deps: ConsoleDeps) {
  const { people } = deps;
  const r = Router();
  r.use('/console', requireRole('finance_admin', 'dept_staff'));
  const area = Router();
  area.use(reportsRoutes({ reports: deps.reports }));
  area.use(peopleRoutes({ people }));
  area.use(accountsRoutes({ accounts: deps.accounts, people }));
  area.use(consoleFeesRoutes({ fees: deps.fees, people }));
  area.use(counterRoutes({ counter: deps.counter, people }));
  area.use(refundsRoutes({ refunds: deps.refunds, people }));
  area.use(deferralRoutes({ deferrals: deps.deferrals, people }));
  area.use(consoleAnnouncementRoutes({ announcements: deps.announcements }));
  area.use(importsRoutes({ imports: deps.imports, jobs: deps.importJobs }));
  area.use(auditRoutes({ audit: deps.auditLog }));
  area.use(consoleEnrolmentRoutes({ enrolment: deps.enrolment }));
  if (deps.queues) area.use(queuesRoutes(deps.queues));
  if (deps.reminders) area.use(consoleRemindersRoutes({ reminders: deps.reminders }));
  if (deps.reconcile) area.use(reconcileRoutes({ reconcile: deps.reconcile, refunds: deps.refunds, audit: deps.audit }));
  r.use('/console', area);
  return r;
}
