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
    // 'close' comes once the answer is sent or the client went away, whichever is first.
    res.once('close', release);
    next();
  };
}
