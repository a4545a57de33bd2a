// All SQL of 报名信息: the module owns enrolment_projects and enrolment_signups. Bills are read here
// (to show and count a sign-up's state) but changed only through the billing module.
import type { Knex } from 'knex';
import { count, dec, jsonColumn } from '../../db/rows';
import type { BillAmounts } from '../../domain/arrears';
import { LIVE_SIGNUP, type Audience, type ExtraField, type ProjectStatus, type SignupStatus } from '../../domain/enrolment';
import type { Decimal } from '../../domain/money';
import { enrolmentLookups } from './lookups-repo';

export interface ProjectRow {
  id: number;
  name: string;
  description: string;
  audience: Audience;
  opensAt: Date;
  closesAt: Date;
  quota: number;
  feeItemId: number | null;
  feeItemName: string | null;
  /** The fee item's payee category: which of 其他费用's buttons (财政/代收) its bill is paid under. */
  feeItemCategory: string | null;
  periodId: number | null;
  amount: Decimal | null;
  holdMinutes: number;
  fields: ExtraField[];
  collegeId: number | null;
  status: ProjectStatus;
}

export interface ProjectInput {
  name: string; description: string; audience: Audience; opensAt: Date; closesAt: Date; quota: number;
  feeItemId: number | null; periodId: number | null; amount: Decimal | null; holdMinutes: number; fields: ExtraField[];
}

export interface SignupRow {
  id: string;
  projectId: number;
  personId: number;
  status: SignupStatus;
  billId: number | null;
  holdUntil: Date | null;
  answers: Record<string, string>;
  createdAt: Date;
  confirmedAt: Date | null;
  endedAt: Date | null;
  endReason: string;
  bill: BillAmounts | null;
}

const PROJECT_COLUMNS = [
  'e.id', 'e.name', 'e.description', 'e.audience', 'e.opens_at', 'e.closes_at', 'e.quota', 'e.fee_item_id', 'i.name as fee_item_name', 'i.category as fee_item_category',
  'e.period_id', 'e.amount', 'e.hold_minutes', 'e.fields', 'e.college_id', 'e.status',
];

function toProject(r: Record<string, unknown>): ProjectRow {
  return {
    id: Number(r.id), name: r.name as string, description: r.description as string, audience: r.audience as Audience,
    opensAt: new Date(r.opens_at as string), closesAt: new Date(r.closes_at as string), quota: Number(r.quota),
    feeItemId: r.fee_item_id === null ? null : Number(r.fee_item_id), feeItemName: (r.fee_item_name as string | null) ?? null,
    feeItemCategory: (r.fee_item_category as string | null) ?? null,
    periodId: r.period_id === null ? null : Number(r.period_id), amount: r.amount === null ? null : dec(r.amount as string),
    holdMinutes: Number(r.hold_minutes), fields: jsonColumn<ExtraField[]>(r.fields, []),
    collegeId: r.college_id === null ? null : Number(r.college_id), status: r.status as ProjectStatus,
  };
}

const SIGNUP_COLUMNS = [
  's.id', 's.project_id', 's.person_id', 's.status', 's.bill_id', 's.hold_until', 's.answers', 's.created_at', 's.confirmed_at', 's.ended_at', 's.end_reason',
  'b.due', 'b.refunded', 'b.reduction', 'b.paid',
];

function toSignup(r: Record<string, unknown>): SignupRow {
  const at = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  return {
    id: String(r.id), projectId: Number(r.project_id), personId: Number(r.person_id), status: r.status as SignupStatus,
    billId: r.bill_id === null ? null : Number(r.bill_id), holdUntil: at(r.hold_until),
    answers: jsonColumn<Record<string, string>>(r.answers, {}),
    createdAt: new Date(r.created_at as string), confirmedAt: at(r.confirmed_at), endedAt: at(r.ended_at), endReason: r.end_reason as string,
    bill: r.bill_id === null ? null : { due: dec(r.due as string), refunded: dec(r.refunded as string), reduction: dec(r.reduction as string), paid: dec(r.paid as string) },
  };
}

const projects = (db: Knex) => db('enrolment_projects as e').leftJoin('fee_items as i', 'i.id', 'e.fee_item_id');
const signups = (db: Knex) => db('enrolment_signups as s').leftJoin('bills as b', 'b.id', 's.bill_id');

const projectValues = (p: ProjectInput) => ({
  name: p.name, description: p.description, audience: p.audience, opens_at: p.opensAt, closes_at: p.closesAt, quota: p.quota,
  fee_item_id: p.feeItemId, period_id: p.periodId, amount: p.amount?.toFixed(2) ?? null, hold_minutes: p.holdMinutes, fields: JSON.stringify(p.fields),
});

/** A bill settled: something kept and nothing owed (domain/enrolment.ts billSettled, in SQL). */
const SETTLED = `(b.paid - b.refunded > 0 AND b.due - b.reduction - (b.paid - b.refunded) <= 0)`;

export const enrolmentRepo = {
  /** `collegeId` null: every 报名项目 (finance); a number: that department's only. */
  async projects(db: Knex, collegeId: number | null): Promise<(ProjectRow & { signups: number })[]> {
    const q = projects(db).select(PROJECT_COLUMNS)
      .select(db.raw(`(SELECT count(*) FROM enrolment_signups s WHERE s.project_id = e.id AND s.status IN ('holding','confirmed')) AS live`))
      .orderBy('e.id', 'desc');
    if (collegeId !== null) q.where('e.college_id', collegeId);
    return (await q).map((r) => ({ ...toProject(r), signups: count(r.live) }));
  },

  async project(db: Knex, id: number): Promise<ProjectRow | null> {
    const r = await projects(db).where('e.id', id).first(PROJECT_COLUMNS);
    return r ? toProject(r) : null;
  },

  async lockProject(trx: Knex.Transaction, id: number): Promise<ProjectRow | null> {
    const r = await trx('enrolment_projects as e').leftJoin('fee_items as i', 'i.id', 'e.fee_item_id').where('e.id', id).forUpdate('e').first(PROJECT_COLUMNS);
    return r ? toProject(r) : null;
  },

  async insertProject(trx: Knex.Transaction, p: ProjectInput, o: { collegeId: number | null; createdBy: number }): Promise<number> {
    const [row] = await trx('enrolment_projects').insert({ ...projectValues(p), college_id: o.collegeId, created_by: o.createdBy }).returning('id');
    return Number(row.id);
  },

  /** Only a 报名项目 not yet published is edited: people who signed up keep the terms they read. */
  async updateDraft(trx: Knex.Transaction, id: number, p: ProjectInput): Promise<boolean> {
    return (await trx('enrolment_projects').where({ id, status: 'draft' }).update({ ...projectValues(p), updated_at: trx.fn.now() })) === 1;
  },

  async casProject(trx: Knex, id: number, from: ProjectStatus, to: ProjectStatus): Promise<boolean> {
    return (await trx('enrolment_projects').where({ id, status: from }).update({ status: to, updated_at: trx.fn.now() })) === 1;
  },

  /** Published 报名项目 for people of `kind`, whose window has not ended. */
  async openFor(db: Knex, kind: string, now: Date): Promise<ProjectRow[]> {
    const rows = await projects(db).where('e.status', 'open').where('e.closes_at', '>', now).whereIn('e.audience', ['all', kind])
      .orderBy('e.opens_at').select(PROJECT_COLUMNS);
    return rows.map(toProject);
  },

  async personKind(db: Knex, personId: number): Promise<string | null> {
    const r = await db('people').where('id', personId).first('kind');
    return (r?.kind as string | undefined) ?? null;
  },

  /** Seats taken: paid or free sign-ups, and unpaid ones whose hold has not lapsed (or whose bill is settled). */
  async seatsTaken(trx: Knex, projectId: number, now: Date): Promise<number> {
    const r = await signups(trx).where('s.project_id', projectId)
      .where((q) => q.where('s.status', 'confirmed').orWhere((h) => h.where('s.status', 'holding').where((t) => t.where('s.hold_until', '>', now).orWhereRaw(SETTLED))))
      .count<{ n: string }[]>({ n: '*' });
    return count(r[0]?.n);
  },

  async refundDueOf(trx: Knex, projectId: number, personId: number): Promise<boolean> {
    return !!(await trx('enrolment_signups').where({ project_id: projectId, person_id: personId, status: 'refund_due' }).first('id'));
  },

  async liveSignupOf(trx: Knex, projectId: number, personId: number): Promise<SignupRow | null> {
    const r = await signups(trx).where({ 's.project_id': projectId, 's.person_id': personId }).whereIn('s.status', LIVE_SIGNUP).first(SIGNUP_COLUMNS);
    return r ? toSignup(r) : null;
  },

  async insertSignup(trx: Knex.Transaction, s: { projectId: number; personId: number; status: SignupStatus; billId: number | null; holdUntil: Date | null; answers: Record<string, string>; now: Date }): Promise<string> {
    const [row] = await trx('enrolment_signups').insert({
      project_id: s.projectId, person_id: s.personId, status: s.status, bill_id: s.billId, hold_until: s.holdUntil,
      answers: JSON.stringify(s.answers), confirmed_at: s.status === 'confirmed' ? s.now : null,
    }).returning('id');
    return String(row.id);
  },

  /** One sign-up of its owner: another person's id reads as none. */
  async signupOf(db: Knex, personId: number, id: string): Promise<SignupRow | null> {
    const r = await signups(db).where({ 's.id': id, 's.person_id': personId }).first(SIGNUP_COLUMNS);
    return r ? toSignup(r) : null;
  },

  async signup(db: Knex, id: string): Promise<SignupRow | null> {
    const r = await signups(db).where('s.id', id).first(SIGNUP_COLUMNS);
    return r ? toSignup(r) : null;
  },

  async lockSignup(trx: Knex.Transaction, id: string): Promise<SignupRow | null> {
    const r = await trx('enrolment_signups as s').where('s.id', id).forUpdate().first('s.id');
    return r ? enrolmentRepo.signup(trx, String(r.id)) : null;
  },

  async mySignups(db: Knex, personId: number): Promise<SignupRow[]> {
    return (await signups(db).where('s.person_id', personId).orderBy('s.id', 'desc').select(SIGNUP_COLUMNS)).map(toSignup);
  },

  async projectSignups(db: Knex, projectId: number): Promise<(SignupRow & { number: string; name: string; mobile: string; kind: string })[]> {
    const rows = await signups(db).join('people as p', 'p.id', 's.person_id').where('s.project_id', projectId).orderBy('s.id')
      .select(SIGNUP_COLUMNS).select('p.number', 'p.name', 'p.mobile', 'p.kind');
    return rows.map((r) => ({ ...toSignup(r), number: r.number, name: r.name, mobile: r.mobile, kind: r.kind }));
  },

  /** Compare-and-set of a sign-up's status; true only for the caller that moved it. */
  async casSignup(trx: Knex, id: string, from: readonly SignupStatus[], to: SignupStatus, extra: { holdUntil?: Date | null; endReason?: string; now: Date }): Promise<boolean> {
    const ended = to === 'released' || to === 'cancelled';
    const n = await trx('enrolment_signups').where('id', id).whereIn('status', from).update({
      status: to, updated_at: extra.now,
      ...(extra.holdUntil !== undefined ? { hold_until: extra.holdUntil } : {}),
      ...(to === 'confirmed' ? { confirmed_at: extra.now } : {}),
      ...(ended ? { ended_at: extra.now, end_reason: extra.endReason ?? '' } : {}),
    });
    return n === 1;
  },

  async extendHold(trx: Knex, id: string, until: Date): Promise<boolean> {
    return (await trx('enrolment_signups').where({ id, status: 'holding' }).update({ hold_until: until, updated_at: trx.fn.now() })) === 1;
  },

  /** Unpaid holds whose time is up (or whose bill got paid), claimed so two instances do not both take one. */
  async holdsDue(trx: Knex.Transaction, now: Date, limit: number, projectId?: number): Promise<string[]> {
    const q = trx('enrolment_signups as s').leftJoin('bills as b', 'b.id', 's.bill_id').where('s.status', 'holding')
      .where((w) => w.where('s.hold_until', '<=', now).orWhereRaw(SETTLED))
        .orderBy('s.id').limit(limit).forUpdate('s').select('s.id');
    if (projectId !== undefined) q.where('s.project_id', projectId);
    return (await q).map((r) => String(r.id));
  },

  /** Released sign-ups whose bill has money on it: a payment credited after the release. */
  async paidAfterRelease(trx: Knex.Transaction, limit: number): Promise<string[]> {
    const rows = await trx('enrolment_signups as s').join('bills as b', 'b.id', 's.bill_id').where('s.status', 'released')
      .whereRaw('b.paid - b.refunded > 0')
      // A later sign-up of the same person bills the same bill: the money is then that one's.
      .whereNotExists((q) => q.from('enrolment_signups as t').whereRaw('t.bill_id = s.bill_id AND t.id > s.id'))
      .orderBy('s.id').limit(limit).forUpdate('s').skipLocked().select('s.id');
    return rows.map((r) => String(r.id));
  },

  ...enrolmentLookups,
};

export type EnrolmentRepo = typeof enrolmentRepo;
