import { Router } from 'express';
import { z } from 'zod';
import { notFound } from '../../../http/errors';
import { requireRole } from '../../../http/guards';
import { formFields, parse } from '../../../http/validate';
import { actorOf, ConsoleError, scopeOf } from '../context';
import { renderPerson } from '../people/render';
import type { PeopleService } from '../people/service';
import { id, positiveAmount, reason } from '../schemas';
import type { RefundsService } from './service';

const refundForm = z.object({
  bill: id('账单无效'),
  amount: positiveAmount,
  mode: z.enum(['offline', 'channel'], { message: '请选择退费方式' }),
  reason,
});

export function refundsRoutes(deps: { refunds: RefundsService; people: PeopleService }) {
  const r = Router();

  r.post('/people/:id/refund', requireRole('finance_admin'), async (req, res) => {
    const pid = id().safeParse(req.params.id);
    if (!pid.success) throw notFound();
    const values = formFields(req.body);
    const form = parse(refundForm, values);
    const billId = /^\d+$/.test(values.bill ?? '') ? Number(values.bill) : undefined;
    const state = { form: 'refund' as const, billId, values };
    if (!form.ok) return renderPerson(req, res, deps.people, pid.data, { status: 400, state: { ...state, errors: form.errors } });
    try {
      const done = await deps.refunds.refund(actorOf(req), scopeOf(req.user!).collegeId, { personId: pid.data, billId: form.data.bill, amount: form.data.amount, mode: form.data.mode, reason: form.data.reason });
      if (done.status === 'pending') return renderPerson(req, res, deps.people, pid.data, { notices: [`退费单 ${done.refundNo} 已提交渠道，处理中`] });
    } catch (e) {
      if (!(e instanceof ConsoleError)) throw e;
      return renderPerson(req, res, deps.people, pid.data, { status: 400, state: { ...state, error: e.message, errors: { [e.field]: e.message } } });
    }
    res.redirect(303, `/console/people/${pid.data}?done=refunded`);
  });

  return r;
}
