// The channel's server-to-server notification: verified, credited, answered in its dialect.
import { isDatabaseUnavailable } from '../../../db/unavailable';
import type { ChannelAnswer, RawNotification } from '../../../gateways/types';
import { refusals } from '../../../metrics/registry';
import { hasAttemptsAt } from '../attempts-repo';
import type { PaymentDeps } from '../context';
import { recordEvent } from '../events-repo';
import { creditPayment, isAcked } from './credit-payment';

/** `from` is the sender's address, for the limit on refused notifications (../notify-limit.ts). */
export async function handleNotification(deps: PaymentDeps, input: { channel: string; raw: RawNotification; from: string }): Promise<ChannelAnswer> {
  const { db, registry, notifyLimit } = deps;
  const { channel, raw, from } = input;
  const adapter = registry.get(channel);
  // A channel taken off CHANNELS_FISCAL / CHANNELS_COLLECTED is still heard while attempts at
  // it exist: an order already at a channel must still be settled.
  if (!adapter || (!registry.isConfigured(channel) && !(await hasAttemptsAt(db, channel)))) {
    // Counted like a refusal: no channel of ours posts here.
    const limited = notifyLimit && !(await notifyLimit.refused(from));
    return { status: limited ? 429 : 404, contentType: 'text/plain; charset=utf-8', body: 'unknown channel' };
  }
  const headers = { 'content-type': raw.headers['content-type'], 'user-agent': raw.headers['user-agent'] };
  const parsed = adapter.parseNotification(raw);
  if (!parsed.verified) {
    const claimed = parsed.claimedOrderNo ? parsed.claimedOrderNo.slice(0, 32) : null;
    // Past the per-address limit a refusal is counted as 'limited', not by what was wrong with it.
    if (notifyLimit && !(await notifyLimit.refused(from))) {
      refusals.inc({ channel, reason: 'limited' });
      return { ...parsed.nack, status: 429 };
    }
    refusals.inc({ channel, reason: parsed.reason });
    deps.logger?.warn({ orderNo: claimed, channel, reason: parsed.reason, from }, 'notification refused');
    // Anyone can post here: keep enough of a refused request to investigate, not whatever size it
    // came in, and for 30 days at most (the notify-purge job).
    await recordEvent(db, { channel, orderNo: claimed, kind: 'notify', verified: false, outcome: `rejected:${parsed.reason}`, headers, body: raw.rawBody.slice(0, 2048) });
    return parsed.nack;
  }
  const { event } = parsed;
  try {
    if (event.kind === 'closed') {
      deps.logger?.info({ orderNo: event.orderNo, channel }, 'channel notified the order closed');
      await recordEvent(db, { channel, orderNo: event.orderNo, kind: 'notify', verified: true, outcome: 'closed', headers, body: raw.rawBody });
      return parsed.ack;
    }
    const outcome = await creditPayment(deps, { channel, event, record: { kind: 'notify', headers, body: raw.rawBody } });
    return isAcked(outcome) ? parsed.ack : parsed.nack;
  } catch (err) {
    // Not recorded (the database restarting, a crash mid-transaction): the channel's own failure
    // answer, on which every channel sends the notification again, rather than our error page.
    const down = isDatabaseUnavailable(err);
    deps.logger?.[down ? 'warn' : 'error']({ err: down ? String(err) : err, channel, orderNo: event.orderNo }, 'notification not recorded: the channel will send it again');
    return parsed.nack;
  }
}
