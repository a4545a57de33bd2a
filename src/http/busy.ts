// The answer to a request refused for load: 503 with Retry-After, and a page saying so in words a
// payer understands (views/errors/busy.ejs, with the finance phones), or {error} for JSON.
import type { Request, Response } from 'express';
import { BUSY_MESSAGE } from '../domain/gate';
import { shed } from '../metrics/registry';

export function sendBusy(req: Request, res: Response, retryAfterSeconds: number, gate: string): void {
  shed.inc({ gate });
  res.status(503).set('Retry-After', String(retryAfterSeconds));
  if (req.accepts(['html', 'json']) === 'json') {
    res.json({ error: BUSY_MESSAGE });
    return;
  }
  res.render('errors/busy', { title: '服务繁忙', message: BUSY_MESSAGE, retryAfter: retryAfterSeconds, crumbs: ['服务繁忙'] });
}
