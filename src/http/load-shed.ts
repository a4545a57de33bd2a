// A bound on requests being answered at once. Past it a request is answered 503 with Retry-After
// straight away, before it reads a session or waits for one of the pool's database connections:
// under three times the load the platform can serve, the requests it took keep their usual speed
// and the rest learn at once to come back, instead of every request waiting for a connection
// until all of them time out. Channel notifications and /healthz have limits of their own, so a
// rush of payers cannot keep a channel's confirmation out (a channel retries a 503 anyway), nor
// make the health check report the instance dead.
import type { RequestHandler } from 'express';
import type { OverloadConfig } from '../config/overload';
import { Gate } from '../domain/gate';
import { watchGate } from '../metrics/registry';
import { sendBusy } from './busy';
import { ROUTE_LABEL } from './metrics';

/** Longer than any request may take (nginx's proxy_read_timeout is 60 s). */
const HOLD_MAX_MS = 120_000;

export function loadShed(opts: Pick<OverloadConfig, 'maxInFlight' | 'notifyInFlight' | 'healthInFlight' | 'retryAfterSeconds'>): RequestHandler {
  const ra = opts.retryAfterSeconds;
  const requests = new Gate('requests', opts.maxInFlight, 0, ra);
  const notify = new Gate('notify', opts.notifyInFlight, 0, ra);
  const health = new Gate('health', opts.healthInFlight, 0, ra);
  for (const g of [requests, notify, health]) watchGate(g.name, () => g.stats());
  return (req, res, next) => {
    const gate = req.path === '/healthz' ? health : req.path.startsWith('/pay/notify/') ? notify : requests;
    const release = gate.tryEnter();
    if (!release) {
      res.locals[ROUTE_LABEL] = `shed:${gate.name}`;
      return sendBusy(req, res, ra, gate.name);
    }
    // The place is held until the work ends, not until the client leaves: a request whose client
    // went away (nginx gave up after proxy_read_timeout) may still hold a database connection. So
    // 'finish', or, after an early 'close', the handler's own res.end; a handler that never ends
    // its answer gives the place back after HOLD_MAX_MS.
    let held = true;
    const free = () => {
      if (!held) return;
      held = false;
      clearTimeout(cap);
      release();
    };
    const cap = setTimeout(free, HOLD_MAX_MS);
    cap.unref();
    res.once('finish', free);
    res.once('close', () => {
      if (res.writableEnded) return free();
      const end = res.end.bind(res) as (...a: unknown[]) => typeof res;
      res.end = ((...a: unknown[]) => {
        free();
        return end(...a);
      }) as typeof res.end;
    });
    next();
  };
}
