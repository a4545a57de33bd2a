import { Router, type Request, type Response } from 'express';
import { notFound } from '../../../http/errors';
import { requireRole } from '../../../http/guards';
import { actorOf } from '../context';
import { id } from '../schemas';
import type { ImportKind, ImportOutcome, ImportsService } from './service';

export const KIND_LABEL: Record<ImportKind, string> = { people: '人员', bills: '应收' };

export function importsRoutes(deps: { imports: ImportsService }) {
  const r = Router();
  const finance = requireRole('finance_admin');

  const page = async (res: Response, extra: { status?: number; outcome?: ImportOutcome | null; kind?: ImportKind; error?: string } = {}) => {
    res.status(extra.status ?? 200).render('console/imports/index', {
      title: '数据导入', crumbs: ['管理控制台', '数据导入'], nav: 'console-imports', runs: await deps.imports.runs(), KIND_LABEL,
      outcome: extra.outcome ?? null, kind: extra.kind ?? null, error: extra.error,
    });
  };

  r.get('/imports', finance, (_req, res) => page(res));

  const upload = (kind: ImportKind) => async (req: Request, res: Response) => {
    const file = req.file;
    if (req.uploadError || !file || !file.size) return page(res, { status: 400, kind, error: req.uploadError ?? '请选择要导入的CSV文件' });
    const input = { bytes: file.buffer, fileName: Buffer.from(file.originalname, 'latin1').toString('utf8'), actorAccountId: actorOf(req).accountId, ip: req.ip ?? '' };
    const outcome = kind === 'people' ? await deps.imports.importPeople(input) : await deps.imports.importBills(input);
    return page(res, { status: outcome.status === 'rejected' ? 422 : 200, outcome, kind });
  };
  r.post('/imports/people', finance, upload('people'));
  r.post('/imports/bills', finance, upload('bills'));

  r.get('/imports/:id/errors.csv', finance, async (req, res) => {
    const rid = id().safeParse(req.params.id);
    const run = rid.success ? await deps.imports.report(rid.data) : undefined;
    if (!run) throw notFound('没有该导入的错误报告');
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="import-errors-${run.id}.csv"`);
    res.send(run.errorReport);
  });

  return r;
}
