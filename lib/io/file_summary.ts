// The early-warning summary (lib/stats summarizeRun) of an analysed file, with the run's own
// metadata: its steps, its groups and its transition.
import { summarizeRun, type RunSummary, type WarningOptions } from '../stats/index.js';
import type { Analysis } from '../types.js';
import type { FileAnalysis } from './analyze_file.js';

/** Options of {@link summarizeFile}. */
export interface SummarizeFileOptions {
  /** Warning detector options (default: the detector's defaults). */
  warning?: WarningOptions;
}

/**
 * For a perturbation file each window is one checkpoint: the summary is told so (window j at
 * checkpoint j of T), so its steps and lead times are in checkpoints, not sample rows.
 */
function perCheckpoint(fa: FileAnalysis): Analysis {
  const a = fa.analysis;
  if (fa.input.variant !== 'gaussian') return a;
  return { ...a, t: Int32Array.from({ length: a.windows }, (_, j) => j), rows: fa.input.shape[0]! };
}

/**
 * Summarises an analysed file: SHC peak, PR minimum, warnings, and the lead time when its
 * metadata gives a transition. Block energies over the groups need eigenvectors: they are
 * computed when the analysis kept `topK >= 1`, left null otherwise.
 */
export function summarizeFile(fa: FileAnalysis, opts: SummarizeFileOptions = {}): RunSummary {
  const a = perCheckpoint(fa);
  const { steps, groups, transition } = fa.meta;
  return summarizeRun(a, {
    ...(steps ? { steps } : {}),
    ...(groups && a.options.topK >= 1 ? { groups } : {}),
    ...(transition !== undefined ? { transition } : {}),
    ...(opts.warning ? { warning: opts.warning } : {}),
  });
}
