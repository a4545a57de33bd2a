// SQL of the CSV imports (service.ts): the lookups the checks need, the upserts of people, classes
// and student accounts, and the import_runs record of each file.
import type { Knex } from 'knex';
import type { ImportKind } from './kinds';

export interface ImportRunRecord {
  kind: ImportKind;
  fileName: string;
  status: 'imported' | 'rejected';
  rows: number;
  actorAccountId: number | null;
  errorCount?: number;
  errorReport?: string;
  summary?: Record<string, number>;
}

/** Records one imported or rejected file; its run id as the driver gives it (a bigint comes as a string). */
export async function insertImportRun(trx: Knex, r: ImportRunRecord): Promise<string | number> {
  const [run] = await trx('import_runs').insert({
    kind: r.kind, file_name: r.fileName.slice(0, 200), status: r.status, row_count: r.rows,
    ...(r.errorCount !== undefined ? { error_count: r.errorCount } : {}),
    ...(r.errorReport !== undefined ? { error_report: r.errorReport } : {}),
    ...(r.summary !== undefined ? { summary: JSON.stringify(r.summary) } : {}),
    actor_account_id: r.actorAccountId,
  }).returning('id');
  return run.id;
}

export function collegeNames(trx: Knex): Promise<{ id: number; name: string }[]> {
  return trx('colleges').select('id', 'name');
}

/**
 * The numbers among these held by staff or external payers. Lists and rows go to PostgreSQL as one
 * JSON value each: thousands of knex placeholders per chunk took the main thread milliseconds to
 * build and bind while every request waited (the offload bench's import).
 */
export async function nonStudentNumbers(trx: Knex, numbers: string[]): Promise<string[]> {
  return (await trx('people').whereRaw('number IN (SELECT jsonb_array_elements_text(?::jsonb))', [JSON.stringify(numbers)]).whereNot('kind', 'student').select('number'))
    .map((c) => c.number as string);
}

/** Creates the (college, class) pairs that do not exist yet; every class afterwards. */
export async function ensureClasses(trx: Knex, pairs: { college_id: number; name: string }[]): Promise<{ id: number; college_id: number; name: string }[]> {
  await trx('classes').insert(pairs).onConflict(['college_id', 'name']).ignore();
  return trx('classes').select('id', 'college_id', 'name');
}

/**
 * Upserts students by number, updating only rows that really differ (an empty 手机 keeps the number
 * the person already gave), and gives each a student account if they have none. Per row returned:
 * whether it was inserted (else updated); unchanged rows are not returned.
 */
export interface StudentRow {
  number: string;
  name: string;
  gender: string;
  id_number: string;
  college_id: number;
  class_id: number;
  mobile: string;
}

export async function upsertStudents(trx: Knex, rows: StudentRow[]): Promise<{ inserted: boolean }[]> {
  const { rows: changed } = await trx.raw(
    `INSERT INTO people (number, name, gender, id_number, kind, college_id, class_id, mobile)
     SELECT number, name, gender, id_number, 'student', college_id, class_id, mobile
     FROM jsonb_to_recordset(?::jsonb) AS r(number text, name text, gender text, id_number text, college_id int, class_id int, mobile text)
     ON CONFLICT (number) DO UPDATE SET name = EXCLUDED.name, gender = EXCLUDED.gender, id_number = EXCLUDED.id_number,
       college_id = EXCLUDED.college_id, class_id = EXCLUDED.class_id,
       mobile = CASE WHEN EXCLUDED.mobile = '' THEN people.mobile ELSE EXCLUDED.mobile END, updated_at = now()
     WHERE (people.name, people.gender, people.id_number, people.college_id, people.class_id, people.mobile)
       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.gender, EXCLUDED.id_number, EXCLUDED.college_id, EXCLUDED.class_id,
         CASE WHEN EXCLUDED.mobile = '' THEN people.mobile ELSE EXCLUDED.mobile END)
     RETURNING (xmax = 0) AS inserted`,
    [JSON.stringify(rows)],
  );
  await trx.raw(
    `INSERT INTO accounts (person_id, role) SELECT id, 'student' FROM people WHERE number IN (SELECT jsonb_array_elements_text(?::jsonb))
     ON CONFLICT (person_id) DO NOTHING`,
    [JSON.stringify(rows.map((c) => c.number))],
  );
  return changed;
}

export function periodNames(trx: Knex): Promise<{ id: number; name: string }[]> {
  return trx('fee_periods').select('id', 'name');
}

export function itemNames(trx: Knex): Promise<{ id: number; name: string }[]> {
  return trx('fee_items').select('id', 'name');
}

export function peopleByNumber(trx: Knex, numbers: string[]): Promise<{ id: number; number: string }[]> {
  return trx('people').whereIn('number', numbers).select('id', 'number');
}

/** The latest files, newest first, with who imported them. */
export function importRuns(trx: Knex, limit: number) {
  return trx('import_runs as r').leftJoin('accounts as a', 'a.id', 'r.actor_account_id').leftJoin('people as p', 'p.id', 'a.person_id')
    .orderBy('r.id', 'desc').limit(limit)
    .select('r.id', 'r.kind', 'r.file_name as fileName', 'r.status', 'r.row_count as rowCount', 'r.error_count as errorCount', 'r.summary', 'r.created_at as createdAt', 'p.name as actor');
}

/** A rejected file's error report. */
export function rejectedRun(trx: Knex, id: number) {
  return trx('import_runs').where({ id, status: 'rejected' }).first('id', 'kind', 'error_report as errorReport');
}
