// What every console area needs from the request: who acts (for the ledger and audit) and which
// people they may see. The scope is applied in each repo's SQL, never only in a view.
import type { Request } from 'express';
import type { CurrentUser } from '../auth/current-user';

/** collegeId null = every college (finance); a number = that college only (department staff). */
export interface Scope {
  collegeId: number | null;
}

export interface Actor {
  accountId: number;
  personId: number;
  name: string;
  ip: string;
}

export function scopeOf(user: CurrentUser): Scope {
  if (user.role === 'finance_admin') return { collegeId: null };
  // A department account with no college sees nobody rather than everybody.
  return { collegeId: user.collegeId ?? -1 };
}

export function actorOf(req: Request): Actor {
  const u = req.user!;
  return { accountId: u.accountId, personId: u.personId, name: u.name, ip: req.ip ?? '' };
}

/** Restricts a query on `people as <alias>` to the scope. */
export function scoped<Q extends { where: (col: string, v: number) => Q }>(q: Q, scope: Scope, column = 'p.college_id'): Q {
  return scope.collegeId === null ? q : q.where(column, scope.collegeId);
}
