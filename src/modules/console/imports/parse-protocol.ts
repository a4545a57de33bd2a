// What the import worker and the main thread say to each other. Rows travel in batches so that
// no single message is large to copy in, and the main thread stays free between them; a batch is
// one JSON text (packed-rows.ts says why the main thread keeps rows as text).
import type { ImportKind } from './kinds';

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
  /** The business day (贷款放款 rows may not arrive after it). */
  today?: string;
}

/** One data row, checked: its reasons so far and, when it has none, the values to write. */
export interface ParsedRow {
  line: number;
  number: string;
  reasons: string[];
  /** A PersonRow, a BillRow whose due is a string (a Decimal does not cross threads), or a LoanRow. */
  row?: Record<string, string>;
}

export type WorkerMessage =
  | { type: 'batch'; json: string; rows: number }
  | { type: 'progress'; rows: number }
  | { type: 'done'; rows: number }
  | { type: 'fileError'; message: string };

export const BATCH_ROWS = 500;
