import { Router } from 'express';
import { z } from 'zod';
import { ID_PATTERN } from '../../../domain/ids';
import type { Decimal } from '../../../domain/money';
import { formAction } from '../../../http/form-route';
import { requireRole } from '../../../http/guards';
import { pathId } from '../../../http/params';
import { type FieldErrors, type Parsed, parse } from '../../../http/validate';
import { actorOf, scopeOf } from '../context';
import { renderPerson } from '../people/render';
import type { PeopleService } from '../people/service';
import { positiveAmount, reason } from '../schemas';
import type { CounterMethod, CounterService } from './service';

const counterForm = z.object({ method: z.enum(['cash', 'pos', 'transfer'], { message: '请选择收费方式' }), reason });

/** One amount field per bill, named amount_<billId>. */
const AMOUNT_FIELD = new RegExp(`^amount_(${ID_PATTERN.source.slice(1, -1)})$`);

type CounterInput = { method: CounterMethod; reason: string; lines: { billId: number; amount: Decimal }[] };

/** The method and reason, and every bill's amount; an empty amount means "not this bill". */
function counterCheck(values: Record<string, string>): Parsed<CounterInput> {
  const errors: FieldErrors = {};
  const form = parse(counterForm, values);
  if (!form.ok) Object.assign(errors, form.errors);
  const lines: CounterInput['lines'] = [];
  for (const [k, v] of Object.entries(values)) {
    const m = AMOUNT_FIELD.exec(k);
    if (!m || !v.trim()) continue;
    const a = positiveAmount.safeParse(v);
    if (a.success) lines.push({ billId: Number(m[1]), amount: a.data });
    else errors[k] = a.error.issues[0]!.message;
  }
  if (!form.ok || Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, data: { ...form.data, lines } };
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
