// 催缴提醒: finance's campaigns (who, when, which channels; a preview; 发送 once) and the deadline
// reminders that go by themselves N days before an item's 收费终止. Everything goes out through the
// SMS and e-mail outboxes (enqueue.ts), under the per-person limit and the quiet window.
import type { Knex } from 'knex';
import { businessDate } from '../../domain/business-date';
import { AppError } from '../../domain/app-error';
import type { QuietWindow } from '../../domain/quiet-window';
import { renderReminder, smsText } from '../../domain/reminder-text';
import type { AuditRepo } from '../audit/repo';
import { emailStatusCounts } from '../email/repo';
import { smsStatusCounts } from '../sms/outbox-repo';
import {
  audienceChoices, campaignById, campaignPage, claimCampaign, claimDueCampaigns, deadlineSettings, dueDeadlines, feeItemExists, insertCampaign,
  markCampaignQueued, saveDeadline, scheduleCampaign, type CampaignRow,
} from './campaign-repo';
import { enqueueReminder, type Enqueued } from './enqueue';
import { audience, audienceSummary, deadlineAudience, limitedCounts, outboxIdsOf, type Audience } from './repo';

export interface Actor { accountId: number; ip: string }

export interface CampaignInput extends Audience {
  title: string;
  body: string;
  bySms: boolean;
  byEmail: boolean;
  sendAt: Date | null;
}

export interface RemindersDeps {
  db: Knex;
  audit: AuditRepo;
  schoolName: string;
  quiet: QuietWindow;
  emailEnabled: boolean;
  unsubscribeUrl: (personId: number) => string;
  /** After messages are committed to the outboxes: drain them now (the jobs are the net). */
  afterQueue?: () => void;
}

export const NO_CAMPAIGN = '提醒批次不存在';

export function remindersService(deps: RemindersDeps) {
  const { db, audit } = deps;
  const enqueueDeps = { schoolName: deps.schoolName, quiet: deps.quiet, emailEnabled: deps.emailEnabled, unsubscribeUrl: deps.unsubscribeUrl };

  async function preview(a: Audience & { body: string }) {
    const s = await audienceSummary(db, a);
    const text = s.sample ? renderReminder(a.body, { name: s.sample.name, number: s.sample.number, arrears: s.sample.arrears }) : null;
    return { ...s, text, smsText: text === null ? null : smsText(deps.schoolName, text) };
  }

  async function queueCampaign(trx: Knex, c: CampaignRow, now: Date): Promise<Enqueued> {
    const people = await audience(trx, c);
    const r = await enqueueReminder(trx, enqueueDeps, { campaignId: c.id }, people, { sms: c.bySms, email: c.byEmail }, { title: c.title, body: c.body }, now);
    await markCampaignQueued(trx, c.id, now);
    await audit.record({ actorAccountId: null, action: 'reminder.queue', detail: { campaignId: c.id, ...r }, ip: '' }, trx);
    return r;
  }

  return {
    emailEnabled: deps.emailEnabled,
    quiet: deps.quiet,
    preview,

    async create(actor: Actor, input: CampaignInput): Promise<number> {
      if (input.byEmail && !deps.emailEnabled) throw new AppError('invalid', '邮件未配置（SMTP_URL 未设置），不能选择邮件', 'channels');
      return db.transaction(async (trx) => {
        const id = await insertCampaign(trx, { ...input, authorAccountId: actor.accountId });
        await audit.record({ actorAccountId: actor.accountId, action: 'reminder.create', detail: { campaignId: id, title: input.title }, ip: actor.ip }, trx);
        return id;
      });
    },

    async list() {
      return campaignPage(db, 50);
    },

    /** A campaign with its preview (drafts) and its counts: queued / sent / failed / held by the limit. */
    async get(id: number) {
      const c = await campaignById(db, id);
      if (!c) throw new AppError('not_found', NO_CAMPAIGN);
      const sms = await smsStatusCounts(db, outboxIdsOf(db, id, 'sms'));
      const email = await emailStatusCounts(db, outboxIdsOf(db, id, 'email'));
      const limited = await limitedCounts(db, id);
      return { campaign: c, counts: { sms, email, limited }, preview: await preview(c) };
    },

    /** 发送: once; a campaign for now is queued at once, a later one by the job when due. */
    async send(actor: Actor, id: number, now = new Date()): Promise<Enqueued | null> {
      const result = await db.transaction(async (trx) => {
        if (!(await campaignById(trx, id))) throw new AppError('not_found', NO_CAMPAIGN);
        if (!(await scheduleCampaign(trx, id, now))) throw new AppError('conflict', '该批次已发送，不会重复发送');
        await audit.record({ actorAccountId: actor.accountId, action: 'reminder.send', detail: { campaignId: id }, ip: actor.ip }, trx);
        const c = await claimCampaign(trx, id, now);
        return c ? queueCampaign(trx, c, now) : null;
      });
      if (result) deps.afterQueue?.();
      return result;
    },

    /** The job: campaigns whose time has come, then deadlines in force. */
    async runDue(now = new Date()): Promise<{ campaigns: number; deadline: Enqueued }> {
      let campaigns = 0;
      for (;;) {
        const n = await db.transaction(async (trx) => {
          const due = await claimDueCampaigns(trx, now);
          for (const c of due) await queueCampaign(trx, c, now);
          return due.length;
        });
        campaigns += n;
        if (n === 0) break;
      }
      const deadline: Enqueued = { sms: 0, email: 0, limited: 0 };
      for (const d of await dueDeadlines(db, now)) {
        const r = await db.transaction(async (trx) => {
          const people = await deadlineAudience(trx, d.feeItemId);
          return enqueueReminder(trx, enqueueDeps, { deadlineItemId: d.feeItemId }, people, { sms: d.bySms, email: d.byEmail },
            { title: `${d.itemName}缴费提醒`, body: d.body ?? '', item: d.itemName, deadline: businessDate(d.endsAt) }, now);
        });
        deadline.sms += r.sms;
        deadline.email += r.email;
      }
      if (campaigns || deadline.sms || deadline.email) deps.afterQueue?.();
      return { campaigns, deadline };
    },

    choices: () => audienceChoices(db),

    deadlines: () => deadlineSettings(db),

    async saveDeadline(actor: Actor, s: { feeItemId: number; enabled: boolean; daysBefore: number; bySms: boolean; byEmail: boolean; body: string }) {
      if (!(await feeItemExists(db, s.feeItemId))) throw new AppError('not_found', '收费项目不存在');
      if (s.byEmail && !deps.emailEnabled && !s.bySms) throw new AppError('invalid', '邮件未配置（SMTP_URL 未设置），请选择短信', 'channels');
      await db.transaction(async (trx) => {
        await saveDeadline(trx, s);
        await audit.record({ actorAccountId: actor.accountId, action: 'reminder.deadline', detail: { ...s }, ip: actor.ip }, trx);
      });
    },
  };
}

export type RemindersService = ReturnType<typeof remindersService>;
