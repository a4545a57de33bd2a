// The notification skeleton every channel adapter's parseNotification goes through. A channel
// supplies only its differences (a NotificationSpec): how to decode the request, where the
// claimed order number is, how to verify it, whose merchant it is, where the amount is and in
// which unit, which event it announces, and how the channel wants to be answered. The skeleton
// owns the order of the checks and the result's shape:
//
//   size → decode → verify → merchant → status → (paid: amount shape) → event → ack / nack
//
// and never throws: whatever a spec function throws on hostile input is a refusal (malformed),
// except a ChannelError from verify, which is our own configuration (keys unreadable: recorded
// `unsupported`, answered with nack('unavailable') so that the channel retries once we are fixed).
import { Decimal, fromFen } from '../../domain/money';
import {
  ChannelError, type ChannelAnswer, type ClosedEvent, type PaidEvent, type ParsedNotification, type RawNotification, type RejectReason,
} from '../types';

/**
 * How a channel writes amounts on the wire:
 *  - yuan: a string with exactly two decimals, "0.01" (Alipay, non-tax);
 *  - fen: a string of integer fen, "1" (UnionPay txnAmt, ICBC total_amt);
 *  - fen_number: a JSON integer of fen, 1 (WeChat amount.total).
 */
export type AmountUnit = 'yuan' | 'fen' | 'fen_number';

const YUAN_WIRE = /^(0|[1-9]\d{0,11})\.\d{2}$/;
const FEN_WIRE = /^(0|[1-9]\d{0,13})$/;

/**
 * The amount a channel wrote, as a Decimal of yuan, or null when it is not exactly the channel's
 * shape or not above zero (a payment of nothing is no payment). Never goes through a JS number
 * for a string; a JSON number is taken only as a safe integer of fen.
 */
export function wireAmount(unit: AmountUnit, v: unknown): Decimal | null {
  let d: Decimal | null = null;
  if (unit === 'yuan' && typeof v === 'string' && YUAN_WIRE.test(v)) d = new Decimal(v);
  else if (unit === 'fen' && typeof v === 'string' && FEN_WIRE.test(v)) d = fromFen(v);
  else if (unit === 'fen_number' && typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) d = fromFen(String(v));
  return d && d.gt(0) ? d : null;
}

/**
 * Why a nack is asked for: a refusal (its reason), a verified event the caller could not record
 * (not_recorded), or our own keys unreadable (unavailable: recorded as unsupported, but it must
 * never be answered like an unsupported event a channel may be told to stop sending).
 */
export type NackWhy = RejectReason | 'not_recorded' | 'unavailable';

export type Verified<F> = { ok: true; fields: F } | { ok: false; reason: RejectReason };

/** What the notification announces, once verified and for our merchant. */
export type NotificationStatus = 'paid' | 'closed' | 'unsupported' | 'malformed';

export interface NotificationSpec<D, F> {
  /** Decoded request (form / JSON / headers + body), unverified; null when it is not the channel's shape. */
  decode(raw: RawNotification): D | null;
  /** The order number it claims, for the record only (unverified); `fields` once verified. */
  claimedOrderNo(decoded: D, fields?: F): unknown;
  /** Signature (and timestamp, decryption) rules; the fields that are now believed. */
  verify(decoded: D, raw: RawNotification): Verified<F>;
  /** Signed by the channel, but is it for our app / merchant account? */
  merchant(fields: F): boolean;
  status(fields: F): NotificationStatus;
  /** Where the paid amount is and how it is written. */
  amount: { unit: AmountUnit; of(fields: F): unknown };
  /** The paid event's other fields; null when one is missing or malformed. */
  paid(fields: F, amount: Decimal): Omit<PaidEvent, 'kind' | 'amount'> | null;
  /** The closed event's fields, for channels that announce closes; null when malformed. */
  closed?(fields: F): Omit<ClosedEvent, 'kind'> | null;
  /** The answer that stops the channel's retries (may depend on the fields: a signed echo of msg_id). */
  ack(fields: F, decoded: D): ChannelAnswer;
  /** The answer to a refusal, or to a verified event we could not record (the channel retries). */
  nack(why: NackWhy, decoded: D | null): ChannelAnswer;
  /** Answered when `nack` itself cannot be built (e.g. a signed nack without our key). */
  fallbackNack?: ChannelAnswer;
  /** Longest claimed order number kept for the record; 32 by default. */
  maxOrderNo?: number;
  /** Longest body looked at; 64 KiB by default (no channel sends more). */
  maxBody?: number;
}

const FALLBACK: ChannelAnswer = { status: 500, contentType: 'text/plain; charset=utf-8', body: 'unavailable' };

function attempt<T>(f: () => T): { ok: true; v: T } | { ok: false; e: unknown } {
  try {
    return { ok: true, v: f() };
  } catch (e) {
    return { ok: false, e };
  }
}

export function handleNotification<D, F>(spec: NotificationSpec<D, F>, raw: RawNotification): ParsedNotification {
  let decoded: D | null = null;
  let claimed: string | null = null;
  const claim = (fields?: F) => {
    if (decoded === null) return;
    const c = attempt(() => spec.claimedOrderNo(decoded as D, fields));
    if (c.ok && typeof c.v === 'string' && c.v) claimed = c.v.slice(0, spec.maxOrderNo ?? 32);
  };
  const nack = (why: NackWhy): ChannelAnswer => {
    const n = attempt(() => spec.nack(why, decoded));
    return n.ok ? n.v : spec.fallbackNack ?? FALLBACK;
  };
  const refuse = (reason: RejectReason, why: NackWhy = reason): ParsedNotification => ({ verified: false, reason, nack: nack(why), claimedOrderNo: claimed });

  if (typeof raw.rawBody !== 'string' || raw.rawBody.length > (spec.maxBody ?? 65_536)) return refuse('malformed');
  const d = attempt(() => spec.decode(raw));
  if (!d.ok || d.v === null || d.v === undefined) return refuse('malformed');
  decoded = d.v;
  claim();

  const v = attempt(() => spec.verify(decoded as D, raw));
  if (!v.ok) return v.e instanceof ChannelError ? refuse('unsupported', 'unavailable') : refuse('malformed');
  if (!v.v.ok) return refuse(v.v.reason);
  const fields = v.v.fields;
  claim(fields);

  const m = attempt(() => spec.merchant(fields));
  if (!m.ok) return refuse('malformed');
  if (!m.v) return refuse('merchant');

  const s = attempt(() => spec.status(fields));
  if (!s.ok || s.v === 'malformed') return refuse('malformed');
  if (s.v === 'unsupported') return refuse('unsupported');

  let event: PaidEvent | ClosedEvent | null = null;
  if (s.v === 'closed') {
    const c = attempt(() => spec.closed?.(fields) ?? null);
    if (c.ok && c.v && typeof c.v.channelOrderId === 'string' && c.v.channelOrderId) event = { kind: 'closed', ...c.v };
  } else {
    const a = attempt(() => wireAmount(spec.amount.unit, spec.amount.of(fields)));
    const amount = a.ok ? a.v : null;
    const p = amount ? attempt(() => spec.paid(fields, amount)) : null;
    if (amount && p?.ok && p.v && p.v.channelOrderId && p.v.channelTradeNo && p.v.paidAt instanceof Date && !Number.isNaN(p.v.paidAt.getTime())) event = { ...p.v, kind: 'paid', amount };
  }
  if (!event) return refuse('malformed');

  const ack = attempt(() => spec.ack(fields, decoded as D));
  if (!ack.ok) return refuse('unsupported', 'unavailable');
  return { verified: true, event, ack: ack.v, nack: nack('not_recorded') };
}
