import type { RowError } from '../../../domain/import-rows';

export type ImportKind = 'people' | 'bills';

/** What an import ends with, wherever it ran (the worker or the main thread, apply.ts). */
export type ImportOutcome =
  | { status: 'imported'; runId: number; rows: number; summary: Record<string, number> }
  | { status: 'rejected'; runId: number; rows: number; errors: RowError[] };
