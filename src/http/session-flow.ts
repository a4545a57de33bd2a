// A form flow of several steps kept in the session (找回密码, 新用户注册, 授权缴费人注册): its state
// under one session key with an expiry, a guard for the later steps that sends the browser back to
// the first when the state is gone or past its time (or does not meet the step's own condition),
// and a fresh session id whenever the flow moves on, so an id planted before cannot ride along.
import type { Request, RequestHandler, Response } from 'express';
import type { SessionData } from 'express-session';

type FlowKey = { [K in keyof SessionData]: SessionData[K] extends { expires: number } ? K : never }[keyof SessionData];

export function sessionFlow<K extends FlowKey>(key: K, opts: { now: () => number; restart: string }) {
  type State = SessionData[K];
  const current = (req: Request): State | undefined => {
    const s = req.session[key];
    if (!s) return undefined;
    if ((s as { expires: number }).expires < opts.now()) {
      delete req.session[key];
      return undefined;
    }
    return s as State;
  };
  return {
    current,
    /** The later steps' guard; `ready` is a step's own condition on the state (e.g. the answer given). */
    inFlow: (ready: (s: State) => boolean = () => true): RequestHandler => (req, res, next) => {
      const state = current(req);
      if (!state || !ready(state)) return res.redirect(303, opts.restart);
      res.locals[key] = state;
      next();
    },
    /** The state the guard found, for the handler after it. */
    state: (res: Response) => res.locals[key] as State,
  };
}

export function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}
