import type { RequestHandler } from 'express';
import { toCurrentUser, type CurrentUser, type Role } from '../domain/current-user';
import { forbidden } from './errors';
import { sessionAlong } from './session-store';
import { loginAfterTimeout } from './session-timeout';

/** Paths a user who still has the initial password may reach: only changing it, and leaving. */
export const PASSWORD_CHANGE_PATH = '/profile/password';
const ALLOWED_BEFORE_CHANGE = new Set([PASSWORD_CHANGE_PATH, '/logout']);

/**
 * Loads the signed-in user for every request that has one, for the layout and the guards.
 * `currentUser` answers undefined for an account that is disabled or gone. The user read in the
 * session's own statement (src/http/session-store.ts sessionAlong) is taken when it was read for
 * this same account; otherwise it is asked for.
 */
export function loadUser(currentUser: (accountId: number) => Promise<CurrentUser | undefined>): RequestHandler {
  return async (req, res, next) => {
    const id = req.session.accountId;
    if (id) {
      const along = sessionAlong(req);
      const user = along && along.accountId === id ? (along.row ? toCurrentUser(along.row) : undefined) : await currentUser(id);
      if (user) {
        req.user = user;
        res.locals.user = user;
      } else {
        // Disabled or removed since the session began.
        delete req.session.accountId;
      }
    }
    next();
  };
}

export const requireLogin: RequestHandler = (req, res, next) => {
  if (!req.user) {
    const next = req.method === 'GET' ? req.originalUrl : '';
    if (req.sessionTimedOut) return res.redirect(303, loginAfterTimeout({ next }));
    return res.redirect(303, `/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  }
  if (req.user.mustChangePassword && !ALLOWED_BEFORE_CHANGE.has(req.path)) {
    return res.redirect(303, PASSWORD_CHANGE_PATH);
  }
  next();
};

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user || !roles.includes(req.user.role)) return next(forbidden());
    next();
  };
}
