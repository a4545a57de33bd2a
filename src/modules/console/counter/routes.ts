import { Router } from 'express';
import { z } from 'zod';
import type { Decimal } from '../../../domain/money';
import { formAction } from '../../../http/form-route';
import { requireRole } from '../../../http/guards';
import { pathId } from '../../../http/params';
import type { Parsed } from '../../../http/validate';
import { actorOf, scopeOf } from '../context';
import { renderPerson } from '../people/render';
import type { PeopleService } from '../people/service';
import { reason, withBillAmounts } from '../schemas';
import type { CounterMethod, CounterService } from './service';

const counterForm = z.object({ method: z.enum(['cash', 'pos', 'transfer'], { message: '请选择收费方式' }), reason });

/** One amount field per bill, named amount_<billId>. */

type CounterInput = { method: CounterMethod; reason: string; lines: { billId: number; amount: Decimal }[] };

/** The method and reason, and every bill's amount; an empty amount means "not this bill". */
function counterCheck(values: Record<string, string>): Parsed<CounterInput> {
  return withBillAmounts(counterForm, 'amount', values);
}

export function counterRoutes(deps: { counter: CounterService; people: PeopleService }) {
  const r = Router();

  r.post('/people/:id/counter', requireRole('finance_admin'), formAction({
    load: (req) => pathId(req),
    schema: counterCheck,
    render: (req, res, f, personId) => renderPerson(req, res, deps.people, personId, { status: f.status, state: { form: 'counter', values: f.values, errors: f.errors, error: f.error } }),
    run: (d, req, personId) => deps.counter.pay(actorOf(req), scopeOf(req.user!).collegeId, personId, d.lines, d.method, d.reason),
    redirect: (_receipt, _d, personId) => `/console/people/${personId}?done=paid`,
  }));

  return r;
}
