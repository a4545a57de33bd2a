// SQL of reminder_campaigns and deadline_reminders (the reminders module's own tables).
import type { Knex } from 'knex';
import type { Audience } from './repo';

export interface CampaignRow extends Audience {
  id: number;
  title: string;
  body: string;
  bySms: boolean;
  byEmail: boolean;
  sendAt: Date | null;
  status: 'draft' | 'scheduled' | 'queued';
  queuedAt: Date | null;
  createdAt: Date;
}

const CAMPAIGN_COLS = [
  'id', 'title', 'body', 'period_id as periodId', 'college_id as collegeId', 'class_id as classId', 'fee_item_id as feeItemId',
  'min_arrears as minArrears', 'deferred', 'by_sms as bySms', 'by_email as byEmail', 'send_at as sendAt', 'status', 'queued_at as queuedAt', 'created_at as createdAt',
];

export async function insertCampaign(trx: Knex, c: Omit<CampaignRow, 'id' | 'status' | 'queuedAt' | 'createdAt'> & { authorAccountId: number }): Promise<number> {
  const [{ id }] = await trx('reminder_campaigns').insert({
    title: c.title, body: c.body, period_id: c.periodId, college_id: c.collegeId, class_id: c.classId, fee_item_id: c.feeItemId,
    min_arrears: c.minArrears, deferred: c.deferred, by_sms: c.bySms, by_email: c.byEmail, send_at: c.sendAt, author_account_id: c.authorAccountId,
  }).returning('id');
  return id;
}

export function campaignById(trx: Knex, id: number): Promise<CampaignRow | undefined> {
  return trx('reminder_campaigns').where({ id }).first(CAMPAIGN_COLS);
}

export function campaignPage(trx: Knex, limit: number): Promise<CampaignRow[]> {
  return trx('reminder_campaigns').orderBy('id', 'desc').limit(limit).select(CAMPAIGN_COLS);
}

/** 发送: draft → scheduled, once (a second press changes nothing). A campaign without a time gets now. */
export function scheduleCampaign(trx: Knex, id: number, now: Date): Promise<number> {
  return trx('reminder_campaigns').where({ id, status: 'draft' }).update({ status: 'scheduled', send_at: trx.raw('COALESCE(send_at, ?)', [now]), updated_at: trx.fn.now() });
}

/** The scheduled campaigns due by `now`, locked: another instance skips them. */
export function claimDueCampaigns(trx: Knex, now: Date, limit = 5): Promise<CampaignRow[]> {
  return trx('reminder_campaigns').where({ status: 'scheduled' }).where('send_at', '<=', now).orderBy('id').limit(limit).forUpdate().skipLocked().select(CAMPAIGN_COLS);
}

/** One due campaign, locked (or nothing when another runner holds it or it is not due). */
export function claimCampaign(trx: Knex, id: number, now: Date): Promise<CampaignRow | undefined> {
  return trx('reminder_campaigns').where({ id, status: 'scheduled' }).where('send_at', '<=', now).forUpdate().skipLocked().first(CAMPAIGN_COLS);
}

export function markCampaignQueued(trx: Knex, id: number, now: Date): Promise<number> {
  return trx('reminder_campaigns').where({ id, status: 'scheduled' }).update({ status: 'queued', queued_at: now, updated_at: trx.fn.now() });
}

export interface DeadlineRow {
  feeItemId: number;
  itemName: string;
  endsAt: Date | null;
  itemStatus: string;
  enabled: boolean;
  daysBefore: number | null;
  bySms: boolean;
  byEmail: boolean;
  body: string | null;
}

/** Every fee item with its deadline setting (none yet: null fields). */
export function deadlineSettings(trx: Knex): Promise<DeadlineRow[]> {
  return trx('fee_items as i').leftJoin('deadline_reminders as d', 'd.fee_item_id', 'i.id').orderBy(['i.sort_order', 'i.id']).select(
    'i.id as feeItemId', 'i.name as itemName', 'i.ends_at as endsAt', 'i.status as itemStatus',
    trx.raw('COALESCE(d.enabled, false) AS enabled'), 'd.days_before as daysBefore',
    trx.raw('COALESCE(d.by_sms, true) AS "bySms"'), trx.raw('COALESCE(d.by_email, true) AS "byEmail"'), 'd.body',
  );
}

export async function saveDeadline(trx: Knex, s: { feeItemId: number; enabled: boolean; daysBefore: number; bySms: boolean; byEmail: boolean; body: string }): Promise<void> {
  await trx('deadline_reminders').insert({
    fee_item_id: s.feeItemId, enabled: s.enabled, days_before: s.daysBefore, by_sms: s.bySms, by_email: s.byEmail, body: s.body, updated_at: trx.fn.now(),
  }).onConflict('fee_item_id').merge();
}

/** Deadlines in force at `now`: turned on, item 收费, and now within N days before its 收费终止. */
export function dueDeadlines(trx: Knex, now: Date): Promise<(DeadlineRow & { endsAt: Date })[]> {
  return trx('deadline_reminders as d').join('fee_items as i', 'i.id', 'd.fee_item_id')
    .where('d.enabled', true).where('i.status', '收费').whereNotNull('i.ends_at').where('i.ends_at', '>', now)
    .whereRaw(`i.ends_at - make_interval(days => d.days_before) <= ?`, [now])
    .select('i.id as feeItemId', 'i.name as itemName', 'i.ends_at as endsAt', 'i.status as itemStatus', 'd.enabled', 'd.days_before as daysBefore',
      'd.by_sms as bySms', 'd.by_email as byEmail', 'd.body');
}

export function feeItemExists(trx: Knex, id: number): Promise<{ id: number } | undefined> {
  return trx('fee_items').where({ id }).first('id');
}

/** The campaign form's lists. */
export async function audienceChoices(trx: Knex) {
  const [periods, items, colleges, classes] = await Promise.all([
    trx('fee_periods').orderBy('sort_order', 'desc').select('id', 'name'),
    trx('fee_items').orderBy('sort_order').select('id', 'name'),
    trx('colleges').orderBy('id').select('id', 'name'),
    trx('classes as k').join('colleges as c', 'c.id', 'k.college_id').orderBy(['c.id', 'k.name']).select('k.id', trx.raw(`c.name || ' ' || k.name AS name`)),
  ]);
  return { periods, items, colleges, classes } as Record<'periods' | 'items' | 'colleges' | 'classes', { id: number; name: string }[]>;
}
