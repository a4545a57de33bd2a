import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** An error that maps to a page: 403, 404 … Thrown by guards and handlers, rendered in the layout. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what = '您访问的页面不存在') => new HttpError(404, what);
export const forbidden = (what = '您没有权限访问此页面') => new HttpError(403, what);

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFound());

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let status = 500;
    let message = '系统繁忙，请稍后再试。如已扣款，请勿重复缴费，学校会在1-2个工作日内恢复此次交易。';
    if (err instanceof HttpError) {
      status = err.status;
      message = err.message;
    } else if ((err as { code?: string }).code === 'EBADCSRFTOKEN') {
      status = 403;
      message = '页面已过期或请求来源无效，请返回刷新页面后重新提交';
    } else if ((err as { type?: string }).type === 'entity.too.large') {
      status = 413;
      message = '提交的内容过大';
    } else {
      logger.error({ err, url: req.originalUrl }, 'unhandled error');
    }
    if (res.headersSent) return;
    res.status(status);
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ error: message });
      return;
    }
    res.render('errors/error', { title: titleFor(status), status, message, crumbs: [titleFor(status)] });
  };
}

function titleFor(status: number): string {
  if (status === 404) return '页面不存在';
  if (status === 403) return '禁止访问';
  if (status < 500) return '请求无效';
  return '系统错误';
}
