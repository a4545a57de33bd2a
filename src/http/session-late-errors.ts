// express-session writes the session back when the answer ends (it holds back the answer's last
// byte until the store has answered). When that write fails — the database went away while the
// page was being drawn, or a 503 page is being answered because it is away — express-session
// still sends the whole answer, then hands the store's error to the `next` it was given. By then
// the request has been through every route and error handler, so the error lands in Express's
// final handler, which can only destroy the socket: a keep-alive connection the browser or the
// proxy in front was about to reuse dies under its next request. Here that late error is logged
// and goes no further; an error before the answer has started goes on to the error pages as
// before.
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../db/unavailable';

export function lateSessionErrors(session: RequestHandler, logger: Pick<Logger, 'warn' | 'error'>): RequestHandler {
  return (req, res, next) => {
    session(req, res, (err?: unknown) => {
      if (err && res.headersSent) {
        const down = isDatabaseUnavailable(err);
        logger[down ? 'warn' : 'error']({ ...(down ? { reason: String(err) } : { err }), url: req.originalUrl }, 'session not saved after the answer');
        return;
      }
      next(err as Parameters<typeof next>[0]);
    });
  };
}
