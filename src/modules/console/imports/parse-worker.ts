// The import worker: reads the uploaded file as a stream, decodes it (UTF-8, or GB18030 as Excel
// on a Chinese Windows saves it), parses the CSV and checks every row, all off the main thread:
// a 16 MB file parsed on the main thread held every request (even /healthz) for seconds. What
// needs the database (people that exist, 学号 of staff) is checked by the main thread afterwards.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { parse } from 'csv-parse';
import { checkLoanRow, LOAN_COLUMNS, LOAN_KINDS } from '../../../domain/deferral';
import { LOAN_KIND_LABEL } from '../../../domain/deferral-labels';
import { BILL_COLUMNS, checkBillRow, checkPersonRow, missingColumns, PEOPLE_COLUMNS } from '../../../domain/import-rows';
import { BATCH_ROWS, type ParsedRow, type ParseJob, type ParseSource, type WorkerMessage } from './parse-protocol';

const CHUNK = 1 << 20;
const job = workerData as ParseJob;
const send = (m: WorkerMessage) => parentPort!.postMessage(m);

async function* bytesOf(source: ParseSource): AsyncGenerator<Uint8Array> {
  if ('path' in source) {
    for await (const c of createReadStream(source.path, { highWaterMark: CHUNK })) yield c as Buffer;
  } else {
    for (let i = 0; i < source.bytes.length; i += CHUNK) yield source.bytes.subarray(i, i + CHUNK);
  }
}

/** A first pass that only asks whether the file is valid UTF-8 (cheap next to parsing it). */
async function encodingOf(source: ParseSource): Promise<'utf-8' | 'gb18030'> {
  const d = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const c of bytesOf(source)) d.decode(c, { stream: true });
    d.decode();
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

async function* textOf(source: ParseSource, encoding: string): AsyncGenerator<string> {
  const d = new TextDecoder(encoding); // strips a UTF-8 BOM
  for await (const c of bytesOf(source)) yield d.decode(c, { stream: true });
  yield d.decode();
}

/** Every 学号 passes here: whether it exists is the main thread's question (it has the database). */
const anyone: ReadonlySet<string> = { has: () => true } as unknown as ReadonlySet<string>;

async function run(): Promise<void> {
  const required = job.kind === 'people' ? PEOPLE_COLUMNS : job.kind === 'loans' ? LOAN_COLUMNS : BILL_COLUMNS;
  const loanKinds = new Map(LOAN_KINDS.map((k) => [LOAN_KIND_LABEL[k], k]));
  const colleges = new Set(job.colleges);
  const known = { people: anyone, periods: new Set(job.periods), items: new Set(job.items) };
  const seenNumber = new Map<string, number>();
  const parser = Readable.from(textOf(job.source, await encodingOf(job.source))).pipe(
    parse({ bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }),
  );
  let header: string[] | undefined;
  let count = 0;
  let batch: ParsedRow[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = record.map((h) => h.trim());
        const missing = missingColumns(header, required);
        if (missing.length) return send({ type: 'fileError', message: `缺少列：${missing.join('、')}（第一行须为列名：${required.join(',')}）` });
        continue;
      }
      if (++count > job.maxRows) return send({ type: 'fileError', message: `一次最多导入 ${job.maxRows} 行` });
      const fields: Record<string, string> = {};
      header.forEach((h, i) => (fields[h] = record[i] ?? ''));
      const line = info.lines;
      const number = (fields['学号'] ?? '').trim();
      if (job.kind === 'people') {
        const { row, reasons } = checkPersonRow(fields, colleges);
        const first = seenNumber.get(number);
        if (number && first !== undefined) reasons.push(`学号与第${first}行重复`);
        else if (number) seenNumber.set(number, line);
        batch.push(reasons.length || !row ? { line, number, reasons } : { line, number, reasons, row: { ...row } });
      } else if (job.kind === 'loans') {
        const { row, reasons } = checkLoanRow(fields, loanKinds, job.today ?? '9999-12-31');
        batch.push(row ? { line, number, reasons, row: { ...row } } : { line, number, reasons });
      } else {
        const { row, reasons } = checkBillRow(fields, known);
        batch.push(row ? { line, number, reasons, row: { number: row.number, period: row.period, item: row.item, due: row.due.toFixed(2) } } : { line, number, reasons });
      }
      if (batch.length >= BATCH_ROWS) {
        send({ type: 'batch', json: JSON.stringify(batch), rows: batch.length });
        send({ type: 'progress', rows: count });
        batch = [];
      }
    }
  } catch (e) {
    return send({ type: 'fileError', message: `文件不是有效的CSV：${(e as Error).message.slice(0, 200)}` });
  }
  if (!header) return send({ type: 'fileError', message: '文件为空' });
  if (!count) return send({ type: 'fileError', message: '文件中没有数据行' });
  if (batch.length) send({ type: 'batch', json: JSON.stringify(batch), rows: batch.length });
  send({ type: 'done', rows: count });
}

await run();
