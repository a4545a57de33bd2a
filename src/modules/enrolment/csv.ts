// 报名名单 as a CSV Excel opens (src/domain/csv.ts: UTF-8 with BOM, CRLF, every cell quoted and
// formula-looking text defused): one row per sign-up, its extra fields as columns.
import { businessDateTime } from '../../domain/business-date';
import { toCsv } from '../../domain/csv';
import { AUDIENCE_LABEL, type SignupShown } from '../../domain/enrolment';
import { netPaid } from '../../domain/arrears';
import { ROLE_LABEL } from '../../domain/labels';
import type { ProjectRow, SignupRow } from './repo';

export function signupsCsv(p: ProjectRow, rows: (SignupRow & { number: string; name: string; mobile: string; kind: string; shown: SignupShown })[]) {
  const header = ['序号', '编号', '姓名', '身份', '手机', '报名时间', '状态', '已缴金额', ...p.fields.map((f) => f.label)];
  const body = rows.map((s, i) => [
    i + 1, s.number, s.name, ROLE_LABEL[s.kind] ?? s.kind, s.mobile, businessDateTime(s.createdAt), s.shown,
    s.bill ? netPaid(s.bill).toFixed(2) : '0.00', ...p.fields.map((f) => s.answers[f.key] ?? ''),
  ]);
  const preamble = [['报名项目', p.name], ['面向对象', AUDIENCE_LABEL[p.audience]], ['名额', String(p.quota)], ['导出时间', businessDateTime(new Date())]];
  return { fileName: `报名名单-${p.name}.csv`, body: toCsv(header, body, preamble) };
}
