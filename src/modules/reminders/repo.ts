// SQL of the reminders module: campaigns (reminder_campaigns), the per-item deadline settings
// (deadline_reminders), who a reminder reaches, and one row per message queued or held back by
// the per-person limit (reminder_deliveries). The outboxes themselves belong to sms and email.
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import type { ReminderDeferred } from '../../domain/labels';
import type { Decimal } from '../../domain/money';
import { heldByBill } from '../deferrals/repo';
import { mailableContacts } from '../email/repo';

export interface Audience {
  periodId: number | null;
  collegeId: number | null;
  classId: number | null;
  feeItemId: number | null;
  /** Real arrears (what is owed less what deferrals in force hold back) above this (decimal string). */
  minArrears: string;
  /** 缓缴情况: everyone, only those with a deferral in force on a matching bill, or only those without. */
  deferred: ReminderDeferred;
}

export interface AudienceRow {
  personId: number;
  name: string;
  number: string;
  mobile: string;
  /** The confirmed, subscribed address; null: no reminder mail. */
  email: string | null;
  arrears: Decimal;
}

const ARREARS = 'GREATEST(b.due - b.reduction - b.paid + b.refunded, 0)';
// A bill's real arrears: its arrears less what a deferral in force still holds back (never below
// zero; domain/deferral.ts deferredPart), as the arrears report's 实际欠费. A reminder asks only for
// this: the deferred part cannot be paid online (domain/payable.ts) and waits for the loan.
const REAL_ARREARS = `GREATEST(${ARREARS} - COALESCE(dfr.held, 0), 0)`;
const HAS_DEFERRAL = 'bool_or(dfr.bill_id IS NOT NULL)';
const MOBILE = `p.mobile ~ '^1[3-9][0-9]{9}$'`;

/**
 * Students whose real arrears on the chosen bills are above the amount, narrowed by 缓缴情况 (a
 * deferral in force on one of those bills, or none). The preview counts and the send reads this one
 * query, so what the preview says is what goes.
 */
function audienceQuery(trx: Knex, a: Audience) {
  // At most one deferral in force per bill (deferrals_one_live): the join keeps one row per bill.
  const q = trx('bills as b').join('people as p', 'p.id', 'b.person_id')
    .leftJoin(heldByBill(trx).as('dfr'), 'dfr.bill_id', 'b.id')
    .leftJoin(mailableContacts(trx).as('m'), 'm.person_id', 'p.id')
    .where('p.kind', 'student')
    .groupBy('p.id', 'm.email')
    .havingRaw(`SUM(${REAL_ARREARS}) > ?`, [a.minArrears]);
  if (a.deferred === 'deferred') q.havingRaw(HAS_DEFERRAL);
  if (a.deferred === 'not_deferred') q.havingRaw(`NOT ${HAS_DEFERRAL}`);
  if (a.periodId) q.where('b.period_id', a.periodId);
  if (a.feeItemId) q.where('b.fee_item_id', a.feeItemId);
  if (a.collegeId) q.where('p.college_id', a.collegeId);
  if (a.classId) q.where('p.class_id', a.classId);
  return q;
}

const toRow = (r: { id: number; name: string; number: string; mobile: string; email: string | null; arrears: string }): AudienceRow => ({
  personId: r.id, name: r.name, number: r.number, mobile: /^1[3-9]\d{9}$/.test(r.mobile) ? r.mobile : '', email: r.email, arrears: dec(r.arrears),
});

export async function audience(trx: Knex, a: Audience): Promise<AudienceRow[]> {
  const rows = await audienceQuery(trx, a).orderBy('p.number').select('p.id', 'p.name', 'p.number', 'p.mobile', 'm.email', trx.raw(`SUM(${REAL_ARREARS}) AS arrears`));
  return rows.map(toRow);
}

/** The preview's numbers: everyone matched, and those each channel reaches; with the first by 学号. */
export async function audienceSummary(trx: Knex, a: Audience): Promise<{ people: number; sms: number; email: number; sample: AudienceRow | null }> {
  const inner = audienceQuery(trx, a).select('p.id', 'p.name', 'p.number', 'p.mobile', 'm.email', trx.raw(`SUM(${REAL_ARREARS}) AS arrears`), trx.raw(`bool_or(${MOBILE}) AS has_mobile`));
  const [counts] = await trx.from(inner.clone().as('x')).select(
    trx.raw('count(*)::int AS people'), trx.raw('count(*) FILTER (WHERE has_mobile)::int AS sms'), trx.raw('count(email)::int AS email'),
  );
  const sample = await inner.orderBy('p.number').first();
  return { people: counts.people, sms: counts.sms, email: counts.email, sample: sample ? toRow(sample) : null };
}

/**
 * A deadline's reach: every student with real arrears on the item's bills, any period; one whose
 * whole remaining amount is deferred owes nothing they could pay before 收费终止 and is left out.
 */
export function deadlineAudience(trx: Knex, feeItemId: number): Promise<AudienceRow[]> {
  return audience(trx, { periodId: null, collegeId: null, classId: null, feeItemId, minArrears: '0', deferred: 'all' });
}

export type Source = { campaignId: number } | { deadlineItemId: number };
const sourceCols = (s: Source) => ('campaignId' in s ? { campaign_id: s.campaignId, deadline_item_id: null } : { campaign_id: null, deadline_item_id: s.deadlineItemId });

/**
 * The deliveries of one channel: a 'queued' row for each person not reached by this source yet and
 * with no reminder on this channel that day (the unique indexes decide, so two instances or a
 * second 发送 add nothing). Returns the people queued.
 */
export async function insertQueued(trx: Knex, source: Source, channel: 'sms' | 'email', day: string, personIds: number[]): Promise<{ id: string; personId: number }[]> {
  if (!personIds.length) return [];
  const s = sourceCols(source);
  const { rows } = await trx.raw(
    `INSERT INTO reminder_deliveries (campaign_id, deadline_item_id, person_id, channel, send_day, status)
     SELECT ?::int, ?::int, pid, ?, ?::date, 'queued' FROM unnest(?::int[]) AS pid
     ON CONFLICT DO NOTHING RETURNING id, person_id`,
    [s.campaign_id, s.deadline_item_id, channel, day, personIds],
  );
  return (rows as { id: string | number; person_id: number }[]).map((r) => ({ id: String(r.id), personId: r.person_id }));
}

/** Those the daily limit held back, recorded so the campaign's counts say so (not sent later). */
export async function insertLimited(trx: Knex, campaignId: number, channel: 'sms' | 'email', day: string, personIds: number[]): Promise<number> {
  if (!personIds.length) return 0;
  const { rowCount } = await trx.raw(
    `INSERT INTO reminder_deliveries (campaign_id, person_id, channel, send_day, status)
     SELECT ?::int, pid, ?, ?::date, 'limited' FROM unnest(?::int[]) AS pid ON CONFLICT DO NOTHING`,
    [campaignId, channel, day, personIds],
  );
  return rowCount ?? 0;
}

export async function linkOutbox(trx: Knex, pairs: { deliveryId: string; outboxId: string }[]): Promise<void> {
  if (!pairs.length) return;
  await trx.raw(
    `UPDATE reminder_deliveries d SET outbox_id = v.o FROM (SELECT unnest(?::bigint[]) AS id, unnest(?::bigint[]) AS o) v WHERE d.id = v.id`,
    [pairs.map((p) => p.deliveryId), pairs.map((p) => p.outboxId)],
  );
}

export function outboxIdsOf(trx: Knex, campaignId: number, channel: 'sms' | 'email'): Knex.QueryBuilder {
  return trx('reminder_deliveries').where({ campaign_id: campaignId, channel, status: 'queued' }).whereNotNull('outbox_id').select('outbox_id');
}

export async function limitedCounts(trx: Knex, campaignId: number): Promise<Record<string, number>> {
  const rows = await trx('reminder_deliveries').where({ campaign_id: campaignId, status: 'limited' }).groupBy('channel').select('channel').count<{ channel: string; n: string }[]>({ n: '*' });
  return Object.fromEntries(rows.map((r) => [r.channel, Number(r.n)]));
}
