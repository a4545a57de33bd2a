// A form post that will need bcrypt (a sign-in, 密码修改, 密保, 银行卡, 找回密码's answer and new
// password) is refused here, 503 with Retry-After, when the bcrypt gate has no free place, before
// its session is read from PostgreSQL, its body parsed or its CSRF token checked: under three times
// the sign-in capacity, the refusal then costs no database round trip and no parsing, and comes at
// once. It only ever refuses: a post let through goes the usual way, session, CSRF, throttle and
// all. A sign-in let through also takes its place in the gate here, held until its answer, so the
// gate cannot fill while it reads its session and refuse it only then (the bench saw one refusal
// in ten come that late); the sign-in hashes in that place (auth/service.ts). The other posts
// only look: their services take, or are refused, their own places (profile/service.ts hasRoom).
import type { Request, RequestHandler } from 'express';
import { sendBusy } from './busy';
import { ROUTE_LABEL } from './metrics';

export interface HashingGate<T extends { release(): void }> {
  /** Whether a hash asked for now would be taken (run or queued). */
  hasRoom(): boolean;
  /** Counts the refusal in the gate's statistics. */
  refusal(): unknown;
  /** A place held for the request's first hash. */
  reserve(): T;
}

const held = new WeakMap<Request, { release(): void }>();

/** The place this request took on arrival (a sign-in's), if any. */
export function heldHashing<T extends { release(): void }>(req: Request): T | undefined {
  return held.get(req) as T | undefined;
}

export function shedHashingPosts<T extends { release(): void }>(gate: HashingGate<T>, opts: { hold: readonly string[]; peek: readonly string[]; retryAfterSeconds: number }): RequestHandler {
  // Express matches routes case-insensitively and with or without a trailing slash.
  const lower = (paths: readonly string[]) => new Set(paths.map((p) => p.toLowerCase()));
  const holding = lower(opts.hold);
  const peeking = lower(opts.peek);
  return (req, res, next) => {
    if (req.method !== 'POST') return next();
    const path = req.path.toLowerCase().replace(/(.)\/+$/, '$1');
    const hold = holding.has(path);
    if (!hold && !peeking.has(path)) return next();
    if (!gate.hasRoom()) {
      gate.refusal();
      res.locals[ROUTE_LABEL] = 'shed:bcrypt';
      return sendBusy(req, res, opts.retryAfterSeconds, 'bcrypt');
    }
    if (hold) {
      // Room was there a moment ago, in this same turn of the event loop: the reserve succeeds.
      const ticket = gate.reserve();
      held.set(req, ticket);
      // Given back unused if the post ends before hashing (CSRF, a bad form, a throttle refusal).
      const release = () => ticket.release();
      res.once('finish', release);
      res.once('close', release);
    }
    next();
  };
}
