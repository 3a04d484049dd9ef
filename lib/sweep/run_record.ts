// One line of a sweep's summary: the run summary of the early-warning statistics plus the run's
// path (relative to the sweep root), its status and its error.
import type { RunSummary } from '../stats/index.js';

/** A run that was analysed: its run summary as summarizeRun gives it. */
export type OkRecord = { path: string; status: 'ok'; error: null } & RunSummary;

/** A run that could not be read or analysed. */
export interface FailedRecord {
  path: string;
  status: 'failed';
  /** The error message (it names the file, the position and what was expected). */
  error: string;
}

/** One record per run of a sweep. */
export type RunRecord = OkRecord | FailedRecord;

/** The record of a successful run. */
export function okRecord(path: string, summary: RunSummary): OkRecord {
  return { path, status: 'ok', error: null, ...summary };
}

/** The record of a failed run. */
export function failedRecord(path: string, err: unknown): FailedRecord {
  const e = err as { message?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return { path, status: 'failed', error: typeof e?.code === 'string' && e.code.startsWith('ERR_RDM2') ? `${message} [${e.code}]` : message };
}
