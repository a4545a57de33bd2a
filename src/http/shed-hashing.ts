// A form post that will need bcrypt (a sign-in, 密码修改, 密保, 银行卡, 找回密码's answer and new
// password) is refused here, 503 with Retry-After, when the bcrypt gate has no free place, before
// its session is read from PostgreSQL, its body parsed or its CSRF token checked: under three times
// the sign-in capacity, the refusal then costs no database round trip and no parsing, and comes at
// once. It only ever refuses. A post let through goes the usual way, session, CSRF, throttle and
// all, and the service still takes (or is refused) its own place in the gate (auth/service.ts
// reserve, profile/service.ts hasRoom), since the gate may fill between here and there.
import type { RequestHandler } from 'express';
import { sendBusy } from './busy';
import { ROUTE_LABEL } from './metrics';

export interface HashingGate {
  /** Whether a hash asked for now would be taken (run or queued). */
  hasRoom(): boolean;
  /** Counts the refusal in the gate's statistics. */
  refusal(): unknown;
}

export function shedHashingPosts(gate: HashingGate, paths: readonly string[], retryAfterSeconds: number): RequestHandler {
  // Express matches routes case-insensitively and with or without a trailing slash.
  const hashing = new Set(paths.map((p) => p.toLowerCase()));
  return (req, res, next) => {
    if (req.method !== 'POST' || gate.hasRoom()) return next();
    const path = req.path.toLowerCase().replace(/(.)\/+$/, '$1');
    if (!hashing.has(path)) return next();
    gate.refusal();
    res.locals[ROUTE_LABEL] = 'shed:bcrypt';
    sendBusy(req, res, retryAfterSeconds, 'bcrypt');
  };
}
