// What the import worker and the main thread say to each other. Rows travel in batches so that
// no single message is large to copy in, and the main thread stays free between them; a batch is
// one JSON text (packed-rows.ts says why the main thread keeps rows as text).
import type { RowError } from '../../../domain/import-rows';
import type { ImportKind, ImportOutcome } from './kinds';

export type ParseSource = { path: string } | { bytes: Uint8Array };

export interface ParseJob {
  kind: ImportKind;
  source: ParseSource;
  /** The names of existing colleges (人员 rows are checked against them). */
  colleges: string[];
  /** The names of existing periods and fee items (应收 rows are checked against them). */
  periods: string[];
  items: string[];
  maxRows: number;
  /** Given on PostgreSQL: the worker also checks against the database and writes (write-worker.ts). */
  write?: WriteJob;
}

/** What the worker needs to write the rows itself, on a connection of its own. */
export interface WriteJob {
  databaseUrl: string;
  /** [name, id] of each existing college (people), or 收费期间 and 收费项目 (bills). */
  colleges: [string, number][];
  periods: [string, number][];
  items: [string, number][];
  fileName: string;
  actorAccountId: number | null;
  ip: string;
  reason?: string;
}

/** One data row, checked: its reasons so far and, when it has none, the values to write. */
export interface ParsedRow {
  line: number;
  number: string;
  reasons: string[];
  /** A PersonRow, or a BillRow whose due is a string (a Decimal does not cross threads). */
  row?: Record<string, string>;
}

export type WorkerMessage =
  | { type: 'batch'; json: string; rows: number }
  | { type: 'progress'; rows: number }
  | { type: 'done'; rows: number }
  | { type: 'fileError'; message: string }
  // Only when the worker writes: every check passed, and it waits for 'write' before writing;
  // a refused file's errors come in chunks before its outcome (which then has errors: []).
  | { type: 'writing' }
  | { type: 'errors'; errors: RowError[] }
  | { type: 'outcome'; outcome: ImportOutcome }
  | { type: 'failed'; message: string };

/** The main thread's go-ahead to a worker that said 'writing'. */
export type MainMessage = { type: 'write' };

export const ERRORS_PER_MESSAGE = 1000;

export const BATCH_ROWS = 500;
