// 退费 from a person's page, in two steps: the form (bill, amount, what the refund means, how the
// money goes back, why), then 核对退费, which says in plain words what the refund will do to the
// bill — owed and payable again, or settled with its fee reduced — before finance confirms it.
// The checks and the refund are the refunds module's (src/modules/refunds); a refusal re-renders
// the page with the message beside its field.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { isAppError } from '../../../domain/app-error';
import { REDUCTION_CAUSES, REFUND_PURPOSES, type RefundMeaning } from '../../../domain/refund-plan';
import { notFound } from '../../../http/errors';
import { requireRole } from '../../../http/guards';
import { formFields, parse } from '../../../http/validate';
import type { BillRefund, RefundsModule } from '../../refunds';
import { actorOf, scopeOf } from '../context';
import { refundConsequence } from '../messages';
import { renderPerson } from '../people/render';
import type { PeopleService } from '../people/service';
import { id, positiveAmount, reason } from '../schemas';

const optionalAmount = z.union([z.literal(''), positiveAmount]).optional().transform((v) => (v === '' ? undefined : v));

const refundForm = z.object({
  bill: id('账单无效'),
  amount: positiveAmount,
  purpose: z.enum(REFUND_PURPOSES, { message: '请选择退费性质' }),
  cause: z.union([z.literal(''), z.enum(REDUCTION_CAUSES, { message: '请选择减免原因' })]).optional(),
  // 减免金额 of a fee-reduced refund; left empty, it is the refund's amount.
  reduction: optionalAmount,
  mode: z.enum(['offline', 'channel'], { message: '请选择退费方式' }),
  reason,
  // The bill's version shown on 核对退费; present only when confirming.
  version: z.union([z.literal(''), z.string().regex(/^\d{1,9}$/, '请重新核对').transform(Number)]).optional().transform((v) => (v === '' ? undefined : v)),
}).superRefine((f, ctx) => {
  if (f.purpose === 'fee_reduced' && !f.cause) ctx.addIssue({ code: 'custom', path: ['cause'], message: '请选择减免原因（休学、退学或减免）' });
});

type RefundFormData = z.infer<typeof refundForm>;

function meaningOf(f: RefundFormData): RefundMeaning {
  if (f.purpose === 'money_back' || !f.cause) return { purpose: 'money_back' };
  return { purpose: 'fee_reduced', cause: f.cause, reduction: f.reduction ?? f.amount };
}

export function refundsRoutes(deps: { refunds: Pick<RefundsModule, 'refund' | 'preview'>; people: PeopleService }) {
  const r = Router();

  r.post('/people/:id/refund', requireRole('finance_admin'), async (req: Request, res: Response) => {
    const pid = id().safeParse(req.params.id);
    if (!pid.success) throw notFound();
    const values = formFields(req.body);
    const form = parse(refundForm, values);
    const billId = /^\d+$/.test(values.bill ?? '') ? Number(values.bill) : undefined;
    const state = { form: 'refund' as const, billId, values };
    if (!form.ok) return renderPerson(req, res, deps.people, pid.data, { status: 400, state: { ...state, errors: form.errors } });
    const f = form.data;
    const meaning = meaningOf(f);
    const refund: BillRefund = { personId: pid.data, billId: f.bill, amount: f.amount, mode: f.mode, reason: f.reason, meaning };
    const scope = scopeOf(req.user!).collegeId;
    // 返回修改 from 核对退费: the form again, as typed.
    if (values.edit) return renderPerson(req, res, deps.people, pid.data, { state });
    try {
      if (values.confirm !== '1' || f.version === undefined) {
        const preview = await deps.refunds.preview(scope, refund);
        return renderPerson(req, res, deps.people, pid.data, { state: { ...state, preview: { ...preview, consequence: refundConsequence(preview.plan, meaning) } } });
      }
      const done = await deps.refunds.refund(actorOf(req), scope, { ...refund, billVersion: f.version });
      if (done.status === 'pending') return renderPerson(req, res, deps.people, pid.data, { notices: [`退费单 ${done.refundNo} 已提交渠道，处理中`] });
    } catch (e) {
      if (!isAppError(e)) throw e;
      return renderPerson(req, res, deps.people, pid.data, { status: 400, state: { ...state, error: e.message, errors: { [e.field]: e.message } } });
    }
    res.redirect(303, `/console/people/${pid.data}?done=refunded`);
  });

  return r;
}
