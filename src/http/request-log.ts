// One line per answered request, as pino-http wrote it (msg 'request completed', req {method,
// url}, res {status}, responseTime in ms), from the process's own logger. pino-http built a child
// logger for every request, serialised the request into it and kept both on req and res; nothing
// here reads req.log, so the line is written straight from the one logger when the answer ends.
// Method, path and status only: query strings and cookies can carry personal data.
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

export function requestLog(logger: Pick<Logger, 'info'>): RequestHandler {
  return (req, res, next) => {
    const url = req.url;
    // The health check is asked every few seconds and the static files with every page.
    if (url === '/healthz' || url.startsWith('/public/')) return next();
    const start = Date.now();
    res.once('close', () => {
      const line = { req: { method: req.method, url: req.originalUrl.split('?')[0] }, res: { status: res.statusCode }, responseTime: Date.now() - start };
      // A client gone before the answer was sent: said so, as pino-http did.
      if (!res.writableFinished) return logger.info(line, 'request aborted');
      logger.info(line, res.statusCode >= 500 ? 'request errored' : 'request completed');
    });
    next();
  };
}
