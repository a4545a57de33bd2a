// 其他费用 (manual 三(三); the columns of 图8): GET /other-fees lists the person's 其他费用-type
// items by 收费期间 with their window and 收费状态, ticks a period into the same 缴费信息修改 as
// 学费缴费 (`fee=other`), and offers the optional items (选缴) with a checkbox;
// POST /other-fees/choose bills the ones ticked. One service call each.
import { Router, type Request, type Response } from 'express';
import { HTTP_STATUS, isAppError } from '../../domain/app-error';
import { isOrderNo } from '../../domain/order-number';
import { formFields, parse } from '../../http/validate';
import { M } from './messages';
import { chooseForm } from './schemas';
import type { PaymentService } from './service';

const arr = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

export function otherFeesPages(deps: { payment: PaymentService; fiscalDown: (category: string) => Promise<string | null> }) {
  const { payment } = deps;

  /** The list; `error` above it, `choose` the 选缴 boxes as ticked when a choice was refused. */
  const render = async (req: Request, res: Response, o: { error?: string | undefined; status?: number; choose?: { ticked: string[]; error: string } } = {}) => {
    const data = await payment.listOther(req.user!.personId);
    const notices: string[] = [];
    if (typeof req.query.cancelled === 'string' && isOrderNo(req.query.cancelled)) notices.push(M.cancelled(req.query.cancelled));
    if (typeof req.query.chosen === 'string' && /^\d{1,2}$/.test(req.query.chosen)) notices.push(M.chosen(Number(req.query.chosen)));
    const down = await deps.fiscalDown('财政');
    if (down) notices.unshift(down);
    res.status(o.status ?? 200).render('pay/other', {
      nav: 'other-fees', scripts: ['pay.js'], title: '其他费用', crumbs: M.crumbsOf('其他费用', '应交款明细表'), help: M.otherHelp, optionalHelp: M.optionalHelp,
      ...data, error: o.error === down ? undefined : o.error, notices, fiscalDown: !!down, nothing: M.nothingOther,
      ticked: new Set(o.choose?.ticked ?? []), chooseError: o.choose?.error,
    });
  };

  const routes = Router();
  routes.get('/other-fees', (req, res) => render(req, res));

  routes.post('/other-fees/choose', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const ticked = arr(body.item).slice(0, 50);
    const f = parse(chooseForm, { ...formFields(body), item: ticked });
    if (!f.ok) return render(req, res, { status: 400, choose: { ticked, error: Object.values(f.errors)[0] ?? '请勾选要选缴的项目' } });
    try {
      const { created } = await payment.chooseOptional(req.user!, f.data.item, req.ip ?? '');
      res.redirect(303, `/other-fees?chosen=${created}`);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return render(req, res, { status: HTTP_STATUS[e.code], choose: { ticked, error: e.message } });
    }
  });

  return { routes, render };
}
