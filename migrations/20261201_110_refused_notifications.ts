// Refused notifications (anyone can post to /pay/notify/*) are kept 30 days at most: the
// notify-purge job deletes older ones by this index, which holds only them, so the purge reads
// nothing of the verified events that are the payments' record.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX channel_events_refused_notify_idx ON channel_events (created_at) WHERE kind = 'notify' AND NOT verified`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS channel_events_refused_notify_idx');
}
