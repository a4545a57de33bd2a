// 退费 from a person's page: the form's values are checked here, the refund is the refunds
// module's (src/modules/refunds). A refusal re-renders the page with the message beside its field.
import { Router } from 'express';
import { z } from 'zod';
import { isAppError } from '../../../domain/app-error';
import { notFound } from '../../../http/errors';
import { requireRole } from '../../../http/guards';
import { formFields, parse } from '../../../http/validate';
import type { RefundsModule } from '../../refunds';
import { actorOf, scopeOf } from '../context';
import { renderPerson } from '../people/render';
import type { PeopleService } from '../people/service';
import { id, positiveAmount, reason } from '../schemas';

const refundForm = z.object({
  bill: id('账单无效'),
  amount: positiveAmount,
  mode: z.enum(['offline', 'channel'], { message: '请选择退费方式' }),
  reason,
});

export function refundsRoutes(deps: { refunds: Pick<RefundsModule, 'refund'>; people: PeopleService }) {
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
      if (!isAppError(e)) throw e;
      return renderPerson(req, res, deps.people, pid.data, { status: 400, state: { ...state, error: e.message, errors: { [e.field]: e.message } } });
    }
    res.redirect(303, `/console/people/${pid.data}?done=refunded`);
  });

  return r;
}
