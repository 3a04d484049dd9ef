// The batch dynamical 2RDM over sliding windows.
import { Rdm2Error } from './errors.js';
import { badLossReason, nonFiniteError, toLossView, type LossView } from './loss_matrix.js';
import { native, type NativeAnalysis, type NativeOptions } from './native.js';
import { pickObservableColumns } from './observables.js';
import { resolveAnalyzeOptions } from './options.js';
import type { Analysis, AnalyzeOptions, LossInput, ResolvedAnalyzeOptions } from './types.js';

/** Internal knobs for benchmarks and tests; not part of the public options. */
export interface CoreTuning {
  blockWindows?: number;
  rebuildPeriod?: number;
  scratch?: boolean;
  /** Force the W x W Gram ('gram') or the n x n covariance ('covariance') path. */
  path?: 'gram' | 'covariance';
  /** The caller has already rejected every NaN/Inf (analyzeFile does, to name file positions): skip the native scan. */
  finiteChecked?: boolean;
}

/**
 * Windows per independently computed block of the native core, for a window length and stride
 * (the rule lives in the core: native/core/sliding_analysis.hpp). Results are bit-identical for
 * any `threads`, and a file analysed in chunks of whole blocks equals the whole-matrix analysis.
 */
export function defaultBlockWindows(window: number, stride: number): number {
  return native().blockWindows(window, stride);
}

interface Prepared {
  view: LossView;
  options: ResolvedAnalyzeOptions;
  nativeOptions: NativeOptions;
}

/** Validates a view and options; shared by the batch API, the file readers and gram2rdm. */
export function prepareAnalysis(view: LossView, opts: AnalyzeOptions, tuning: CoreTuning = {}): Prepared {
  const options = resolveAnalyzeOptions(opts, view.rows, view.cols);
  const nativeOptions: NativeOptions = {
    // The NaN/Inf scan runs in the native worker, off the event loop (see nativeError).
    nonFinite: tuning.finiteChecked ? 'unchecked' : options.nonFinite,
    window: options.window,
    stride: options.stride,
    topK: options.topK,
    detrend: options.detrend,
    transform: options.transform,
    beta: options.beta,
    threads: options.threads,
    rowStride: view.rowStride,
    colStride: view.colStride,
    ...(tuning.blockWindows ? { blockWindows: tuning.blockWindows } : {}),
    ...(tuning.rebuildPeriod ? { rebuildPeriod: tuning.rebuildPeriod } : {}),
    ...(tuning.scratch ? { scratch: 1 as const } : {}),
    ...(tuning.path ? { path: tuning.path } : {}),
  };
  return { view, options, nativeOptions };
}

export function toAnalysis(raw: NativeAnalysis, p: Prepared): Analysis {
  const result: Analysis = {
    t: raw.t,
    ...pickObservableColumns(raw),
    eigenvalues: raw.eigenvalues,
    degenerate: raw.degenerate,
    windows: raw.windows,
    eigenCount: raw.eigenCount,
    rows: p.view.rows,
    probes: p.view.cols,
    options: p.options,
  };
  if (p.options.topK > 0) result.eigenvectors = raw.eigenvectors;
  return result;
}

/** The core's errors as Rdm2Errors: an unusable loss names its row and column; anything else is a bug. */
function nativeError(err: unknown, p: Prepared): Rdm2Error {
  if (err instanceof Rdm2Error) return err;
  const e = err as Error & { code?: string; row?: number; column?: number; value?: number };
  if (e.code === 'ERR_RDM2_NATIVE_NON_FINITE') {
    const reason = badLossReason(e.value!, p.options.transform) ?? `${e.value} cannot be analysed`;
    return nonFiniteError('losses at ', e.row!, e.column!, reason);
  }
  return new Rdm2Error('ERR_RDM2_NATIVE', `native core failed: ${e.message}`, { cause: err });
}

/** Runs a prepared analysis on the native thread pool without blocking the event loop. */
export async function runPrepared(p: Prepared): Promise<Analysis> {
  const { view, nativeOptions } = p;
  let raw: NativeAnalysis;
  try {
    raw = await native().analyze(view.data, view.rows, view.cols, nativeOptions);
  } catch (err) {
    throw nativeError(err, p);
  }
  return toAnalysis(raw, p);
}

export function runPreparedSync(p: Prepared): Analysis {
  const { view, nativeOptions } = p;
  let raw: NativeAnalysis;
  try {
    raw = native().analyzeSync(view.data, view.rows, view.cols, nativeOptions);
  } catch (err) {
    throw nativeError(err, p);
  }
  return toAnalysis(raw, p);
}

/**
 * Computes the dynamical 2RDM of every trailing window of W checkpoints and its observables
 * (trace, participation ratio, entropy, spectral heat capacity, top share, eigenvalues and,
 * with `topK`, the top probe-space eigenvectors). Runs on native threads; the event loop
 * stays free. Never forms an n x n matrix when W <= n.
 *
 * @example
 * ```ts
 * import { analyze } from 'rdm2';
 * const T = 500, n = 200;
 * const data = new Float32Array(T * n).map(() => Math.random());
 * const a = await analyze({ data, shape: [T, n] }, { window: 32, topK: 2 });
 * console.log(a.shc, a.pr, a.t);
 * ```
 */
export async function analyze(losses: LossInput, opts: AnalyzeOptions): Promise<Analysis> {
  return runPrepared(prepareAnalysis(toLossView(losses), opts));
}

/**
 * Synchronous twin of {@link analyze} for scripts: same results, but blocks the calling thread.
 *
 * @example
 * ```ts
 * const a = analyzeSync([[1, 2], [2, 1], [3, 5]], { window: 3 });
 * ```
 */
export function analyzeSync(losses: LossInput, opts: AnalyzeOptions): Analysis {
  return runPreparedSync(prepareAnalysis(toLossView(losses), opts));
}
