// A signed-in page's first read, sent in the same statement as the session (src/http/session-repo.ts
// PageRead): GET /fees, / and /pay then cost one round trip to the database instead of two or three.
// On this machine a round trip cost the request thread a socket write and a read, more CPU than
// drawing the page (bench/pages.ts). The module that owns the data gives the SQL and the parse
// (src/modules/fees/page-reads.ts); the route takes the value only when it was read for the very
// person it is about to show (an 授权缴费人 acting for a student is shown that student, not the
// payer whose session was read), and otherwise reads as it always did.
import type { Request } from 'express';
import type { PageRead } from './session-repo';
import { sessionAlong } from './session-store';

/** A page read with the function that turns its json value into what the page's service takes. */
export interface PageReadOf<T> extends PageRead {
  parse: (value: unknown) => T;
}

/** The page reads of GET paths, for the session middleware (src/app.ts). */
export function pageReadsByPath(byPath: Record<string, PageRead>): (req: Request) => PageRead | undefined {
  const map = new Map(Object.entries(byPath));
  return (req) => (req.method === 'GET' ? map.get(req.path) : undefined);
}

/** The page read's value for this request's user, when it was read with their session; undefined otherwise. */
export function pageReadFor<T>(req: Request, read: PageReadOf<T>): T | undefined {
  const along = sessionAlong(req);
  const page = along?.page;
  const user = req.user;
  if (!page || page.key !== read.key || !user || !along.row) return undefined;
  // The along row is the session's account (src/modules/auth/repo.ts currentUserSql): its person.
  if (along.accountId !== user.accountId || Number(along.row.personId) !== user.personId || user.payer) return undefined;
  return read.parse(page.value);
}
