import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../../domain/app-error';
import { formAction } from '../../../http/form-route';
import { requireRole } from '../../../http/guards';
import { pathId } from '../../../http/params';
import { actorOf, scopeOf } from '../context';
import { DONE, NOT_IN_SCOPE } from '../messages';
import { renderPerson } from '../people/render';
import type { PeopleService } from '../people/service';
import { reason } from '../schemas';
import type { AccountAction, AccountsService } from './service';

const accountForm = z.object({ action: z.enum(['reset', 'unlock', 'disable', 'enable'], { message: '操作无效' }), reason });

const DONE_CODE: Record<AccountAction, keyof typeof DONE> = { reset: 'reset', unlock: 'unlocked', disable: 'disabled', enable: 'enabled' };

export function accountsRoutes(deps: { accounts: AccountsService; people: PeopleService }) {
  const r = Router();

  r.post('/people/:id/account', requireRole('finance_admin'), formAction({
    load: async (req) => {
      const personId = pathId(req);
      // Finance sees every college, but the check stays explicit: the person must exist.
      if (!(await deps.people.detail(scopeOf(req.user!), personId))) throw new AppError('not_found', NOT_IN_SCOPE);
      return personId;
    },
    schema: accountForm,
    render: (req, res, f, personId) => renderPerson(req, res, deps.people, personId, { status: f.status, state: { form: 'account', errors: f.errors, error: f.error, values: f.values } }),
    run: (d, req, personId) => deps.accounts.act(actorOf(req), personId, d.action, d.reason),
    redirect: (_r, d, personId) => `/console/people/${personId}?done=${DONE_CODE[d.action]}`,
  }));

  return r;
}
