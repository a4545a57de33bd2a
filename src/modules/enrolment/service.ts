// 报名信息: the student side (open 报名项目, 报名, 我的报名, 报名确认单), the console's 报名项目 (saved,
// published, closed; department staff for their own department's only) and its sign-ups (CSV,
// 取消报名 with the refund), and the hold job's pass. Built once in src/services.ts.
import type { Knex } from 'knex';
import { AppError } from '../../domain/app-error';
import { audienceAdmits, LIVE_SIGNUP, projectOpen, shownStatus } from '../../domain/enrolment';
import type { AuditRepo } from '../audit/repo';
import type { Actor } from '../console/context';
import type { RefundsModule } from '../refunds';
import { cancelSignup } from './commands/cancel';
import { settleHold, settleLateMoney } from './commands/holds';
import { signUp } from './commands/sign-up';
import { M } from './messages';
import { enrolmentRepo as repo, type ProjectRow } from './repo';
import type { ProjectForm } from './schemas';
import { signupsCsv } from './csv';

/**
 * Where 去缴费 leads: 其他费用's 缴费信息修改 for the bill's period and category with that bill
 * ticked alone, so the person pays it without looking for it on /other-fees.
 */
function payPath(p: ProjectRow, billId: number | null): string | null {
  if (billId === null || p.periodId === null || !p.feeItemCategory) return null;
  return `/pay/items?${new URLSearchParams({ fee: 'other', category: p.feeItemCategory, period: String(p.periodId), bill: String(billId) })}`;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';

export function enrolmentService(deps: { db: Knex; audit: AuditRepo; refunds: RefundsModule; now?: () => Date }) {
  const { db, audit } = deps;
  const now = deps.now ?? (() => new Date());

  /** A 报名项目 in the actor's scope (a department's staff: their department's only), or not found. */
  const scoped = async (collegeScope: number | null, id: number): Promise<ProjectRow> => {
    const p = await repo.project(db, id);
    if (!p || (collegeScope !== null && p.collegeId !== collegeScope)) throw new AppError('not_found', M.notFound);
    return p;
  };

  const checkFee = async (trx: Knex, f: ProjectForm) => {
    if (f.feeItemId === null) return;
    if (!(await repo.feeItemIsOther(trx, f.feeItemId))) throw new AppError('invalid', M.feeItemNotOther, 'fee_item');
    if (!(await repo.periodExists(trx, f.periodId!))) throw new AppError('invalid', M.periodMissing, 'period');
  };

  return {
    // —— the person's side ——
    async openFor(personId: number) {
      const kind = await repo.personKind(db, personId);
      const at = now();
      const list = kind ? await repo.openFor(db, kind, at) : [];
      return list.map((p) => ({ ...p, takingSignups: projectOpen(p, at) }));
    },

    /**
     * 报名信息's page: the open 报名项目, each with the person's live sign-up of it (so a project
     * already signed up for offers that sign-up, not a 我要报名 that would be refused), and 我的报名.
     */
    async overview(personId: number) {
      const [open, mine] = await Promise.all([this.openFor(personId), this.mine(personId)]);
      const live = new Map(mine.filter((s) => LIVE_SIGNUP.includes(s.status)).map((s) => [s.projectId, s]));
      return { open: open.map((p) => ({ ...p, mine: live.get(p.id) ?? null })), mine };
    },

    /** A 报名项目 the person may sign up for (its form), or not found. */
    async projectFor(personId: number, id: number) {
      const p = await repo.project(db, id);
      const kind = await repo.personKind(db, personId);
      if (!p || p.status === 'draft' || !kind || !audienceAdmits(p.audience, kind)) throw new AppError('not_found', M.notOpen);
      return p;
    },

    signUp: (personId: number, projectId: number, answers: Record<string, string>) => signUp(db, { personId, projectId, answers, now: now() }),

    async mine(personId: number) {
      const rows = await repo.mySignups(db, personId);
      const projects = new Map<number, ProjectRow>();
      for (const s of rows) if (!projects.has(s.projectId)) projects.set(s.projectId, (await repo.project(db, s.projectId))!);
      return rows.map((s) => {
        const project = projects.get(s.projectId)!;
        return { ...s, project, shown: shownStatus(s.status, s.bill), payPath: payPath(project, s.billId) };
      });
    },

    /** One sign-up of its owner; another person's id is not found. */
    async mySignup(personId: number, id: string) {
      const s = await repo.signupOf(db, personId, id);
      if (!s) throw new AppError('not_found', M.signupNotFound);
      const project = (await repo.project(db, s.projectId))!;
      return { ...s, project, shown: shownStatus(s.status, s.bill), payPath: payPath(project, s.billId) };
    },

    // —— the console ——
    projects: (collegeScope: number | null) => repo.projects(db, collegeScope),
    project: scoped,
    choices: async () => ({ feeItems: await repo.feeItems(db), periods: await repo.periods(db) }),

    async save(actor: Actor, collegeScope: number | null, id: number | null, f: ProjectForm): Promise<number> {
      try {
        return await db.transaction(async (trx) => {
          await checkFee(trx, f);
          let projectId: number;
          if (id === null) projectId = await repo.insertProject(trx, f, { collegeId: collegeScope, createdBy: actor.accountId });
          else {
            const p = await repo.lockProject(trx, id);
            if (!p || (collegeScope !== null && p.collegeId !== collegeScope)) throw new AppError('not_found', M.notFound);
            if (!(await repo.updateDraft(trx, id, f))) throw new AppError('conflict', M.notDraft);
            projectId = id;
          }
          await audit.record({ actorAccountId: actor.accountId, action: 'enrolment.save', ip: actor.ip, detail: { projectId, name: f.name, quota: f.quota, amount: f.amount?.toFixed(2) ?? '免费' } }, trx);
          return projectId;
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw new AppError('invalid', M.feeItemTaken, 'fee_item');
        throw e;
      }
    },

    async publish(actor: Actor, collegeScope: number | null, id: number) {
      await scoped(collegeScope, id);
      await db.transaction(async (trx) => {
        if (!(await repo.casProject(trx, id, 'draft', 'open'))) throw new AppError('conflict', M.alreadyOpen);
        await audit.record({ actorAccountId: actor.accountId, action: 'enrolment.publish', ip: actor.ip, detail: { projectId: id } }, trx);
      });
    },

    async close(actor: Actor, collegeScope: number | null, id: number) {
      await scoped(collegeScope, id);
      await db.transaction(async (trx) => {
        if (!(await repo.casProject(trx, id, 'open', 'closed'))) throw new AppError('conflict', M.alreadyClosed);
        await audit.record({ actorAccountId: actor.accountId, action: 'enrolment.close', ip: actor.ip, detail: { projectId: id } }, trx);
      });
    },

    async signups(collegeScope: number | null, id: number) {
      const p = await scoped(collegeScope, id);
      const rows = await repo.projectSignups(db, id);
      return { project: p, rows: rows.map((s) => ({ ...s, shown: shownStatus(s.status, s.bill) })) };
    },

    async csv(collegeScope: number | null, id: number) {
      const { project, rows } = await this.signups(collegeScope, id);
      return signupsCsv(project, rows);
    },

    cancel: (actor: Actor, collegeScope: number | null, projectId: number, signupId: string, reason: string) =>
      cancelSignup({ db, audit, refunds: deps.refunds }, actor, collegeScope, projectId, signupId, reason, now()),

    // —— the job ——
    /** One pass: lapsed or settled holds, then money credited after a release. */
    async holdsPass(at: Date = now(), limit = 200) {
      const counts = { confirmed: 0, extended: 0, released: 0, refund_due: 0 };
      const tally = (o: string) => { if (o in counts) counts[o as keyof typeof counts]++; };
      const due = await db.transaction((trx) => repo.holdsDue(trx, at, limit));
      const late = await db.transaction((trx) => repo.paidAfterRelease(trx, limit));
      for (const [ids, settle] of [[due, settleHold], [late, settleLateMoney]] as const) {
        for (const id of ids) {
          const first = await repo.signup(db, id);
          if (!first) continue;
          // The 报名项目's lock first, as a sign-up takes it; then the sign-up, read again under it.
          tally(await db.transaction(async (trx) => {
            const p = (await repo.lockProject(trx, first.projectId))!;
            const s = await repo.lockSignup(trx, id);
            return s ? settle(trx, p, s, at) : 'unchanged';
          }));
        }
      }
      return counts;
    },
  };
}

export type EnrolmentService = ReturnType<typeof enrolmentService>;
