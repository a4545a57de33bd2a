import { Router, type Request, type Response } from 'express';
import { notFound } from '../../../http/errors';
import { requireRole } from '../../../http/guards';
import { actorOf } from '../context';
import { id } from '../schemas';
import type { ImportJob } from './jobs-repo';
import type { ImportJobs } from './jobs';
import type { ImportKind, ImportOutcome, ImportsService } from './service';

export const KIND_LABEL: Record<ImportKind, string> = { people: '人员', bills: '应收', loans: '贷款放款' };
export const STATE_LABEL: Record<ImportJob['state'], string> = { parsing: '正在读取并校验文件', writing: '正在写入数据库', done: '已完成', failed: '导入失败' };
/** The job page reloads itself this often while the job runs (a meta refresh: CSP allows no inline script). */
const REFRESH_SECONDS = 2;

export function importsRoutes(deps: { imports: ImportsService; jobs: ImportJobs }) {
  const r = Router();
  const finance = requireRole('finance_admin');

  const page = async (res: Response, extra: { status?: number; job?: ImportJob; error?: string } = {}) => {
    const job = extra.job;
    const finished = job?.state === 'done' ? { outcome: job.outcome as ImportOutcome, kind: job.kind } : { outcome: null, kind: null };
    res.status(extra.status ?? 200).render('console/imports/index', {
      title: '数据导入', crumbs: ['管理控制台', '数据导入'], nav: 'console-imports', runs: await deps.imports.runs(), KIND_LABEL, STATE_LABEL,
      jobs: await deps.jobs.running(), job: job ?? null, refreshSeconds: job && (job.state === 'parsing' || job.state === 'writing') ? REFRESH_SECONDS : 0,
      ...finished, error: extra.error,
    });
  };

  r.get('/imports', finance, (_req, res) => page(res));

  const upload = (kind: ImportKind) => async (req: Request, res: Response) => {
    const file = req.file;
    if (req.uploadError || !file || !file.size) {
      return page(res, { status: 400, error: req.uploadError ?? '请选择要导入的CSV文件' });
    }
    const jobId = await deps.jobs.start(kind, {
      path: file.path, fileName: Buffer.from(file.originalname, 'latin1').toString('utf8'), actorAccountId: actorOf(req).accountId, ip: req.ip ?? '',
    });
    req.uploadTaken = true; // the job removes the file when it ends
    res.redirect(303, `/console/imports/jobs/${jobId}`);
  };
  r.post('/imports/people', finance, upload('people'));
  r.post('/imports/bills', finance, upload('bills'));
  r.post('/imports/loans', finance, upload('loans'));

  r.get('/imports/jobs/:id', finance, async (req, res) => {
    const jid = id().safeParse(req.params.id);
    const job = jid.success ? await deps.jobs.get(jid.data) : undefined;
    if (!job) throw notFound('没有该导入任务');
    return page(res, { job });
  });

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
