import { Router } from 'express';
import { z } from 'zod';
import { notFound } from '../../../http/errors';
import { requireRole } from '../../../http/guards';
import { type FieldErrors, formFields, parse } from '../../../http/validate';
import type { Decimal } from '../../../domain/money';
import { actorOf, ConsoleError, scopeOf } from '../context';
import { renderPerson } from '../people/render';
import type { PeopleService } from '../people/service';
import { id, positiveAmount, reason } from '../schemas';
import type { CounterService } from './service';

const counterForm = z.object({ method: z.enum(['cash', 'pos', 'transfer'], { message: '请选择收费方式' }), reason });

export function counterRoutes(deps: { counter: CounterService; people: PeopleService }) {
  const r = Router();

  r.post('/people/:id/counter', requireRole('finance_admin'), async (req, res) => {
    const pid = id().safeParse(req.params.id);
    if (!pid.success) throw notFound();
    const values = formFields(req.body);
    const errors: FieldErrors = {};
    const form = parse(counterForm, values);
    if (!form.ok) Object.assign(errors, form.errors);
    // One amount field per bill (amount_<billId>); an empty one means "not this bill".
    const lines: { billId: number; amount: Decimal }[] = [];
    for (const [k, v] of Object.entries(values)) {
      const m = /^amount_([1-9]\d{0,8})$/.exec(k);
      if (!m || !v.trim()) continue;
      const a = positiveAmount.safeParse(v);
      if (a.success) lines.push({ billId: Number(m[1]), amount: a.data });
      else errors[k] = a.error.issues[0]!.message;
    }
    const state = { form: 'counter' as const, values };
    if (!form.ok || Object.keys(errors).length) return renderPerson(req, res, deps.people, pid.data, { status: 400, state: { ...state, errors } });
    try {
      await deps.counter.pay(actorOf(req), scopeOf(req.user!).collegeId, pid.data, lines, form.data.method, form.data.reason);
    } catch (e) {
      if (!(e instanceof ConsoleError)) throw e;
      return renderPerson(req, res, deps.people, pid.data, { status: 400, state: { ...state, error: e.message, errors: { [e.field]: e.message } } });
    }
    res.redirect(303, `/console/people/${pid.data}?done=paid`);
  });

  return r;
}
