// Every error a request ends in is answered here, once: an AppError (a service's refusal) by the
// status of its code, the HTTP layer's own HttpError (a guard, the 404 handler, the https check) by
// its status, a parser's refusal as the client's fault, and anything else as a logged fault with
// the 系统繁忙 page. A JSON request gets {error}; a page request gets the layout's error page.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../db/unavailable';
import { HTTP_STATUS, isAppError } from '../domain/app-error';
import { isBusyError } from '../domain/gate';
import { sendBusy } from './busy';

/**
 * The HTTP layer's own refusals (403 from a guard, 404 for no route, 403 over plain http). Services
 * throw AppError instead; this one is for middleware that has no service behind it.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a page that does not exist says (a path matching no route, or an id matching no row). */
export const PAGE_NOT_FOUND = '您访问的页面不存在';

export const notFound = (what = PAGE_NOT_FOUND) => new HttpError(404, what);
export const forbidden = (what = '您没有权限访问此页面') => new HttpError(403, what);

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFound());

/**
 * The database is restarting or down: the page says so and when to try again, and nothing is
 * lost — a payment made meanwhile is credited when the channel sends its notification again.
 */
export const DATABASE_UNAVAILABLE = '系统维护中，暂时无法处理您的请求，请稍后再试。如已扣款，请勿重复缴费，支付结果会在系统恢复后自动更新。';
/** Seconds a client is asked to wait (Retry-After) while the database is unreachable. */
export const DATABASE_RETRY_AFTER_S = 15;

export function errorHandler(logger: Logger, retryAfterSeconds = 5): ErrorRequestHandler {
  return (err, req, res, _next) => {
    // At capacity (a full bcrypt queue; no database connection within knex's acquire timeout):
    // the friendly 503 with Retry-After, not the 系统繁忙 fault page.
    if (isBusyError(err) || (err as { name?: string }).name === 'KnexTimeoutError') {
      if (!res.headersSent) sendBusy(req, res, isBusyError(err) ? err.retryAfterSeconds : retryAfterSeconds, isBusyError(err) ? err.gate : 'database');
      return;
    }
    let retryAfter: number | null = null;
    let status = 500;
    let message = '系统繁忙，请稍后再试。如已扣款，请勿重复缴费，学校会在1-2个工作日内恢复此次交易。';
    if (isAppError(err)) {
      status = HTTP_STATUS[err.code];
      message = err.message;
    } else if (err instanceof HttpError) {
      status = err.status;
      message = err.message;
    } else if ((err as { code?: string }).code === 'EBADCSRFTOKEN') {
      status = 403;
      message = '页面已过期或请求来源无效，请返回刷新页面后重新提交';
    } else if (clientFault(err)) {
      ({ status, message } = clientFault(err)!);
    } else if (isDatabaseUnavailable(err)) {
      status = 503;
      message = DATABASE_UNAVAILABLE;
      retryAfter = DATABASE_RETRY_AFTER_S;
      logger.warn({ reason: String(err), url: req.originalUrl }, 'database unavailable');
    } else {
      logger.error({ err, url: req.originalUrl }, 'unhandled error');
    }
    if (res.headersSent) return;
    res.status(status);
    if (retryAfter !== null) res.set('Retry-After', String(retryAfter));
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ error: message });
      return;
    }
    res.render('errors/error', { title: titleFor(status), status, message, crumbs: [titleFor(status)] }, (renderErr, html) => {
      if (!renderErr) return void res.send(html);
      // The error page itself failed (a layout that needs what this request never got): the
      // message on a bare page, never the template's stack.
      logger.error({ err: renderErr, url: req.originalUrl }, 'error page failed to render');
      res.type('html').send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${titleFor(status)}</title></head><body><h1>${titleFor(status)}</h1><p>${escapeHtml(message)}</p><p><a href="/">返回首页</a></p></body></html>`);
    });
  };
}

/**
 * Body parsers (body-parser: `type` and a 4xx `status`) and the router (a path parameter that is not
 * valid percent-encoding: 400) refuse a request by throwing; that is the client's fault, answered in
 * Chinese, never the parser's English message and never a 500.
 */
const PARSER_MESSAGES: Record<string, { status: number; message: string }> = {
  'entity.too.large': { status: 413, message: '提交的内容过大' },
  'parameters.too.many': { status: 413, message: '提交的字段过多' },
  'charset.unsupported': { status: 415, message: '不支持的字符编码，请使用 UTF-8 提交' },
  'encoding.unsupported': { status: 415, message: '不支持的内容编码' },
};

export function clientFault(err: unknown): { status: number; message: string } | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as { type?: unknown; status?: unknown; statusCode?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 0;
  if (status < 400 || status >= 500) return null;
  const known = typeof e.type === 'string' && Object.hasOwn(PARSER_MESSAGES, e.type) ? PARSER_MESSAGES[e.type]! : null;
  if (known) return known;
  if (status === 413) return PARSER_MESSAGES['entity.too.large']!;
  if (status === 415) return { status, message: '不支持的提交格式' };
  return { status: 400, message: '提交的内容无效，请返回页面重新填写' };
}

function titleFor(status: number): string {
  if (status === 404) return '页面不存在';
  if (status === 403) return '禁止访问';
  if (status === 409) return '操作未完成';
  if (status === 429) return '请求过于频繁';
  if (status === 413) return '提交的内容过大';
  if (status === 415) return '不支持的提交格式';
  if (status < 500) return '请求无效';
  if (status === 502 || status === 503) return '服务暂不可用';
  return '系统错误';
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
