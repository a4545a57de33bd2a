// Counting every request by its route pattern, and keeping /metrics to the addresses allowed to
// read it (METRICS_ALLOW).
import type { Request, RequestHandler } from 'express';
import { metricsAllowList } from '../config/overload';
import { httpDuration, httpRequests } from '../metrics/registry';
import { notFound } from './errors';

/** Set by a handler that answered without a route (the load gate): the label it is counted under. */
export const ROUTE_LABEL = 'metricsRoute';

export const requestMetrics: RequestHandler = (req, res, next) => {
  const start = process.hrtime.bigint();
  res.once('finish', () => {
    const route = routeOf(req, res.locals[ROUTE_LABEL]);
    const method = KNOWN_METHODS.has(req.method) ? req.method : 'OTHER';
    httpRequests.inc({ method, route, status: String(res.statusCode) });
    httpDuration.observe({ method, route }, Number(process.hrtime.bigint() - start) / 1e9);
  });
  next();
};

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/**
 * The pattern the request matched (`/pay/orders/:orderNo`), never the URL: one series per order
 * number or per probe of a scanner would grow without bound. No route: a static file, or
 * 'unmatched' (404s, and requests answered by middleware).
 */
function routeOf(req: Request, label: unknown): string {
  if (typeof label === 'string') return label;
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return `${req.baseUrl}${path}` || '/';
  if (req.originalUrl.startsWith('/public/')) return '/public/*';
  return 'unmatched';
}

/**
 * Only the peers METRICS_ALLOW names, judged by the socket's own address (not req.ip). A request
 * that came through a proxy is refused whatever the peer: nginx on this host connects from
 * 127.0.0.1, so behind it the peer says nothing of the client, and X-Forwarded-For is the
 * client's word unless TRUST_PROXY believes its sender. The scraper reads each instance directly
 * (through the balancer it would get a different instance each time). Refused as 404: the page is
 * not there for anyone else.
 */
export function metricsAccess(allow: string[]): RequestHandler {
  const list = metricsAllowList(allow);
  return (req, _res, next) => {
    const peer = req.socket.remoteAddress ?? '';
    const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(peer)?.[1];
    const allowed = v4 ? list.check(v4, 'ipv4') : peer.includes(':') ? list.check(peer, 'ipv6') : peer ? list.check(peer, 'ipv4') : false;
    const proxied = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined || req.headers['x-real-ip'] !== undefined;
    next(allowed && !proxied ? undefined : notFound());
  };
}
