// Ids in a path (/console/people/:id): one that cannot be a row's id is a page that does not exist.
import type { Request } from 'express';
import { ID_PATTERN } from '../domain/ids';
import { notFound } from './errors';

/** The path parameter `name` as an id, or a 404 (with `message` when given). */
export function pathId(req: Request, name = 'id', message?: string): number {
  const v = (req.params as Record<string, string | undefined>)[name];
  if (typeof v !== 'string' || !ID_PATTERN.test(v)) throw notFound(message);
  return Number(v);
}

/** As pathId, for a path that may also be the "new" form without an id (POST /things and /things/:id). */
export function optionalPathId(req: Request, name = 'id', message?: string): number | null {
  return (req.params as Record<string, string | undefined>)[name] === undefined ? null : pathId(req, name, message);
}
