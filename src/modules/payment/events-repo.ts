// SQL of channel_events: every call we made to a channel and every message a channel sent us,
// with what came of it.
import type { Knex } from 'knex';

export interface ChannelEvent {
  channel: string;
  attemptId?: string | null;
  orderNo?: string | null;
  kind: string;
  verified: boolean;
  outcome: string;
  headers?: unknown;
  body?: string;
}

export async function recordEvent(trx: Knex, e: ChannelEvent): Promise<void> {
  await trx('channel_events').insert({
    channel: e.channel, attempt_id: e.attemptId ?? null, order_no: e.orderNo?.slice(0, 32) ?? null, kind: e.kind,
    verified: e.verified, outcome: e.outcome.slice(0, 32), headers: e.headers === undefined ? null : JSON.stringify(e.headers),
    body: e.body ?? null,
  });
}

/**
 * Deletes refused notifications recorded before `before`, in batches so no delete holds many
 * rows at once; returns how many. Only kind 'notify' and unverified: our own calls' records
 * (create, close, query) and every verified event stay.
 */
export async function purgeRefusedNotifications(trx: Knex, before: Date, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await trx('channel_events').whereIn('id', trx('channel_events').select('id')
      .where({ kind: 'notify', verified: false }).where('created_at', '<', before).limit(batch)).del();
    total += n;
    if (n < batch) return total;
  }
}
