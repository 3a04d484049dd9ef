// The early-warning summary (lib/stats summarizeRun) of an analysed file, with the run's own
// metadata: its steps, its groups and its transition.
import { GroupMeanAccumulator, compareIndicators, groupMeansOf, type GroupMeanLosses, type IndicatorComparison } from '../stats/baselines.js';
import type { ProbeGroups } from '../stats/block_energy.js';
import { summarizeRun, type RunSummary } from '../stats/summarize.js';
import type { WarningOptions } from '../stats/warnings.js';
import type { Analysis, LossTransform } from '../types.js';
import type { FileAnalysis } from './analyze_file.js';
import { rememberedRowMeans } from './file_row_means.js';
import { openLossRows } from './read_loss_file.js';

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
  const { steps, groups, transition, transitions } = fa.meta;
  return summarizeRun(a, {
    ...(steps ? { steps } : {}),
    ...(groups && a.options.topK >= 1 ? { groups } : {}),
    ...(transition !== undefined ? { transition } : {}),
    ...(transitions !== undefined && transitions.length > 1 ? { transitions } : {}),
    ...(opts.warning ? { warning: opts.warning } : {}),
  });
}

/**
 * The mean loss of every checkpoint of a loss file, over all probes and per group, after a
 * transform, read in one streaming pass (memory: one chunk of rows plus T x (groups + 1) values).
 *
 * @example
 * ```ts
 * const means = await readGroupMeanLosses('run/losses.npy', { groups, transform: 'log' });
 * const cmp = compareIndicators(means, analysis, { steps, transition });
 * ```
 */
export async function readGroupMeanLosses(path: string, opts: { groups?: ProbeGroups; transform?: LossTransform; chunkBytes?: number } = {}): Promise<GroupMeanLosses> {
  const src = (await openLossRows(path)).source;
  try {
    const n = src.cols;
    const acc = new GroupMeanAccumulator(n, opts.groups, opts.transform ?? 'none', src.rows);
    const rows = Math.max(1, Math.floor((opts.chunkBytes ?? 2 ** 24) / (8 * n)));
    const buf = src.dtype === 'float32' ? new Float32Array(rows * n) : new Float64Array(rows * n);
    for (;;) {
      const got = await src.read(buf, 0, rows);
      await acc.pushRowsAsync(buf, 0, got);
      if (got < rows) break;
    }
    return acc.finish();
  } finally {
    await src.close();
  }
}

/**
 * The SHC against the scalar baselines of an analysed loss file (see `compareIndicators`), with
 * the file's own steps, groups and transition. The mean losses come from the pass that
 * analysed the file when it took them (every row read, no groups); otherwise they are read in
 * a second streaming pass. Null for a `[T, K, n]` perturbation file (its windows are not in time).
 *
 * @example
 * ```ts
 * const fa = await analyzeFile('run/losses.npy', { window: 20 });
 * const cmp = await compareFileIndicators(fa);
 * console.log(cmp?.versusBaselines.text);
 * ```
 */
export async function compareFileIndicators(fa: FileAnalysis, opts: SummarizeFileOptions = {}): Promise<IndicatorComparison | null> {
  if (fa.input.variant === 'gaussian') return null;
  const { steps, groups, transition } = fa.meta;
  const transform = fa.analysis.options.transform;
  const taken = groups ? undefined : rememberedRowMeans(fa);
  const means = taken && taken.transform === transform ? groupMeansOf(taken, []) : await readGroupMeanLosses(fa.input.path, { ...(groups ? { groups } : {}), transform });
  const { direction: _direction, ...warning } = opts.warning ?? {};
  return compareIndicators(means, fa.analysis, {
    ...(steps ? { steps } : {}),
    ...(transition !== undefined ? { transition } : {}),
    warning,
  });
}
