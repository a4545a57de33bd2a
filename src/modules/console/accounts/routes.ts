import { Router } from 'express';
import { z } from 'zod';
import { notFound } from '../../../http/errors';
import { requireRole } from '../../../http/guards';
import { formFields, parse } from '../../../http/validate';
import { actorOf, ConsoleError, scopeOf } from '../context';
import { DONE, NOT_IN_SCOPE } from '../messages';
import { renderPerson } from '../people/render';
import type { PeopleService } from '../people/service';
import { id, reason } from '../schemas';
import type { AccountAction, AccountsService } from './service';

const accountForm = z.object({ action: z.enum(['reset', 'unlock', 'disable', 'enable'], { message: '操作无效' }), reason });

const DONE_CODE: Record<AccountAction, keyof typeof DONE> = { reset: 'reset', unlock: 'unlocked', disable: 'disabled', enable: 'enabled' };

export function accountsRoutes(deps: { accounts: AccountsService; people: PeopleService }) {
  const r = Router();

  r.post('/people/:id/account', requireRole('finance_admin'), async (req, res) => {
    const personId = id().safeParse(req.params.id);
    if (!personId.success) throw notFound();
    // Finance sees every college, but the check stays explicit: the person must exist.
    if (!(await deps.people.detail(scopeOf(req.user!), personId.data))) throw notFound(NOT_IN_SCOPE);
    const values = formFields(req.body);
    const form = parse(accountForm, values);
    if (!form.ok) return renderPerson(req, res, deps.people, personId.data, { status: 400, state: { form: 'account', errors: form.errors, values } });
    try {
      await deps.accounts.act(actorOf(req), personId.data, form.data.action, form.data.reason);
    } catch (e) {
      if (!(e instanceof ConsoleError)) throw e;
      return renderPerson(req, res, deps.people, personId.data, { status: 400, state: { form: 'account', error: e.message, values } });
    }
    res.redirect(303, `/console/people/${personId.data}?done=${DONE_CODE[form.data.action]}`);
  });

  return r;
}
