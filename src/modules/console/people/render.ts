// The person page is where most console actions start (account, adjust, counter payment, refund);
// a refused form re-renders it with the message next to that form and the typed values kept.
import type { Request, Response } from 'express';
import { AppError } from '../../../domain/app-error';
import type { FieldErrors } from '../../../http/validate';
import type { RefundPreview } from '../../refunds';
import { scopeOf } from '../context';
import { NOT_IN_SCOPE } from '../messages';
import type { PeopleService } from './service';

export interface FormState {
  form: 'account' | 'adjust' | 'counter' | 'refund' | 'deferral' | 'loan';
  billId?: number;
  error?: string;
  errors?: FieldErrors;
  values?: Record<string, string>;
  /** 核对退费: what the refund typed in would do, waiting for finance to confirm it. */
  preview?: RefundPreview & { consequence: { text: string; owedAgain: boolean } };
}

export async function renderPerson(req: Request, res: Response, people: PeopleService, personId: number, opts: { notices?: string[]; state?: FormState; status?: number } = {}) {
  const view = await people.detail(scopeOf(req.user!), personId);
  if (!view) throw new AppError('not_found', NOT_IN_SCOPE);
  res.status(opts.status ?? 200).render('console/people/show', {
    title: view.person.name, crumbs: ['管理控制台', '人员查询', view.person.name], nav: 'console-people', ...view,
    isFinance: req.user!.role === 'finance_admin',
    notices: opts.notices ?? [], state: opts.state ?? null,
  });
}
