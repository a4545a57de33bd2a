// Queuing the messages of one reminder (a campaign or a deadline) in one transaction: per channel,
// a delivery row per person the unique indexes let through (not yet reached by this source, no
// reminder on that channel that day), then its outbox row, sent no earlier than the end of the
// night's quiet window. Two instances, or 发送 pressed twice, find the rows there and add nothing.
import type { Knex } from 'knex';
import { businessDate } from '../../domain/business-date';
import { afterQuietWindow, type QuietWindow } from '../../domain/quiet-window';
import { renderReminder, smsText, type ReminderValues } from '../../domain/reminder-text';
import { EMAIL_MESSAGES } from '../email/messages';
import { enqueueEmails } from '../email/repo';
import { enqueueReminderSms } from '../sms/outbox-repo';
import { insertLimited, insertQueued, linkOutbox, type AudienceRow, type Source } from './repo';

export interface ReminderText {
  title: string;
  body: string;
  item?: string;
  deadline?: string;
}

export interface EnqueueDeps {
  schoolName: string;
  quiet: QuietWindow;
  emailEnabled: boolean;
  unsubscribeUrl: (personId: number) => string;
}

export interface Enqueued {
  sms: number;
  email: number;
  limited: number;
}

export async function enqueueReminder(
  trx: Knex, deps: EnqueueDeps, source: Source, people: AudienceRow[],
  channels: { sms: boolean; email: boolean }, text: ReminderText, dueAt: Date,
): Promise<Enqueued> {
  const sendAt = afterQuietWindow(deps.quiet, dueAt);
  const day = businessDate(sendAt);
  const values = (p: AudienceRow): ReminderValues => ({ name: p.name, number: p.number, arrears: p.arrears, item: text.item, deadline: text.deadline });
  const byId = new Map(people.map((p) => [p.personId, p]));
  const out: Enqueued = { sms: 0, email: 0, limited: 0 };

  const run = async (channel: 'sms' | 'email', reach: AudienceRow[]) => {
    const ids = reach.map((p) => p.personId);
    const queued = await insertQueued(trx, source, channel, day, ids);
    if ('campaignId' in source) {
      const got = new Set(queued.map((q) => q.personId));
      out.limited += await insertLimited(trx, source.campaignId, channel, day, ids.filter((id) => !got.has(id)));
    }
    const who = queued.map((q) => byId.get(q.personId)!);
    const rows = channel === 'sms'
      ? await enqueueReminderSms(trx, who.map((p) => ({ personId: p.personId, mobile: p.mobile, body: smsText(deps.schoolName, renderReminder(text.body, values(p))) })), sendAt)
      : await enqueueEmails(trx, who.map((p) => {
        const unsubscribeUrl = deps.unsubscribeUrl(p.personId);
        return {
          personId: p.personId, address: p.email!, purpose: 'reminder' as const, quiet: true, notBefore: sendAt, unsubscribeUrl,
          subject: `【${deps.schoolName}】${text.title}`, body: renderReminder(text.body, values(p)) + EMAIL_MESSAGES.unsubscribeFooter(unsubscribeUrl),
        };
      }));
    const delivery = new Map(queued.map((q) => [q.personId, q.id]));
    await linkOutbox(trx, rows.map((r) => ({ deliveryId: delivery.get(r.personId)!, outboxId: r.id })));
    out[channel] += rows.length;
  };

  if (channels.sms) await run('sms', people.filter((p) => p.mobile));
  if (channels.email && deps.emailEnabled) await run('email', people.filter((p) => p.email));
  return out;
}
