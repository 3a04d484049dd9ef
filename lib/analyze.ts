// The batch dynamical 2RDM over sliding windows.
import { Rdm2Error } from './errors.js';
import { badLossReason, nonFiniteError, toLossView, type LossView } from './loss_matrix.js';
import { codedNativeError, native, type NativeAnalysis, type NativeOptions } from './native.js';
import { allocateObservableColumns, OBSERVABLE_NAMES, pickObservableColumns } from './observables.js';
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
  /** Run the kernels compiled for this instruction set instead of the process-wide choice (RDM2_ISA or CPUID). */
  isa?: 'baseline' | 'avx2' | 'avx512';
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
    ...(tuning.isa ? { isa: tuning.isa } : {}),
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
  const coded = codedNativeError(err);
  if (coded) return coded;
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

/** Rows copied per chunk of a caller's array stay within this (or one block of windows). */
const CALLER_CHUNK_BYTES = 16 * 2 ** 20;

/**
 * The async analysis of an array the caller owns. Native threads cannot read it in place:
 * JavaScript keeps running meanwhile, and an ArrayBuffer that is transferred (detached)
 * frees its memory under them. So its rows are copied on the main thread into an array of
 * the library's own, a few whole blocks of windows at a time: memory stays bounded, results
 * are bit-identical to the whole-matrix analysis (chunks follow the core's blocks), and a
 * buffer detached meanwhile is reported (ERR_RDM2_DETACHED) instead of read.
 */
export async function runCallerOwned(p: Prepared): Promise<Analysis> {
  const { view, options, nativeOptions } = p;
  const { rows: T, cols: n, data } = view;
  const W = options.window;
  const s = options.stride;
  const N = Math.floor((T - W) / s) + 1;
  const perBlock = nativeOptions.blockWindows ?? defaultBlockWindows(W, s);
  // Rows of k windows, with the rows between non-overlapping windows (scanned like the rest).
  const rowsFor = (k: number) => Math.max((k - 1) * s + W, k * s);
  // As many blocks as fit in the budget, a multiple of the thread count (at least one).
  const step = Math.max(1, options.threads);
  const bytes = (k: number) => rowsFor(perBlock * k) * n * data.BYTES_PER_ELEMENT;
  let blocks = bytes(step) <= CALLER_CHUNK_BYTES ? step : 1;
  while (perBlock * blocks < N && bytes(blocks + step) <= CALLER_CHUNK_BYTES) blocks += step;
  const chunkWindows = perBlock * blocks;
  const capacity = Math.min(T, rowsFor(chunkWindows) + s);
  const length = data.length;
  const m = Math.min(W - 1, n);
  const vec = options.topK * n;
  let buf: Float32Array | Float64Array;
  let out: NativeAnalysis;
  try {
    buf = data instanceof Float32Array ? new Float32Array(capacity * n) : new Float64Array(capacity * n);
    out = {
      windows: N,
      eigenCount: m,
      t: new Int32Array(N),
      ...allocateObservableColumns(N),
      eigenvalues: new Float64Array(N * m),
      eigenvectors: new Float32Array(N * vec),
      degenerate: new Uint8Array(N),
    };
  } catch (err) {
    // The results are allocated here, where the native core would otherwise allocate them.
    throw new Rdm2Error('ERR_RDM2_MEMORY', `out of memory: the results (${N} windows, topK ${options.topK}, ${n} probes) do not fit`, { cause: err });
  }
  for (let j0 = 0; j0 < N; j0 += chunkWindows) {
    const k = Math.min(chunkWindows, N - j0);
    const r0 = j0 * s;
    // The last chunk also takes the rows after the last window (the scan covers every row).
    const rows = j0 + k === N ? T - r0 : rowsFor(k);
    if (data.length !== length) {
      throw new Rdm2Error('ERR_RDM2_DETACHED', 'the losses\' ArrayBuffer was detached (transferred) or shrunk while analyze() was running; keep it until the Promise settles');
    }
    const { rowStride, colStride } = view;
    if (colStride === 1 && rowStride === n) buf.set(data.subarray(r0 * n, (r0 + rows) * n));
    else for (let r = 0; r < rows; r++) for (let c = 0; c < n; c++) buf[r * n + c] = data[(r0 + r) * rowStride + c * colStride]!;
    let raw: NativeAnalysis;
    try {
      // Eigenvectors straight into the result (the largest output: no copy, no garbage per chunk).
      const into = vec > 0 ? out.eigenvectors : undefined;
      raw = await native().analyze(buf.subarray(0, rows * n), rows, n, { ...nativeOptions, blockWindows: perBlock, rowStride: n, colStride: 1, intoOffset: j0 * vec }, undefined, into);
    } catch (err) {
      const e = err as { row?: number };
      if (typeof e?.row === 'number') e.row += r0;
      throw nativeError(err, p);
    }
    for (let q = 0; q < k; q++) out.t[j0 + q] = raw.t[q]! + r0;
    for (const key of OBSERVABLE_NAMES) out[key].set(raw[key].subarray(0, k), j0);
    out.degenerate.set(raw.degenerate.subarray(0, k), j0);
    out.eigenvalues.set(raw.eigenvalues.subarray(0, k * m), j0 * m);
  }
  return toAnalysis(out, p);
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
 * stays free. Never forms an n x n matrix when W <= n. A typed array is never read off the
 * main thread: its rows are copied a few blocks at a time as the analysis goes (at most
 * 16 MiB at once, the first chunk before this returns), so keep it unchanged until the
 * Promise settles; transferring (detaching) its buffer meanwhile rejects with
 * `ERR_RDM2_DETACHED` instead of crashing.
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
  const p = prepareAnalysis(toLossView(losses), opts);
  // Nested arrays were copied into an array of the library's own; a typed array is the caller's.
  return Array.isArray(losses) ? runPrepared(p) : runCallerOwned(p);
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
