// Loads the Node-API core: prebuilds/ first, then build/Release (node-gyp-build).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rdm2Error } from './errors.js';

/** Raw results of the native sliding-window analysis (columnar). */
export interface NativeAnalysis {
  windows: number;
  eigenCount: number;
  t: Int32Array;
  trace: Float64Array;
  pr: Float64Array;
  entropy: Float64Array;
  shc: Float64Array;
  topShare: Float64Array;
  eigenvalues: Float64Array;
  eigenvectors: Float32Array;
  degenerate: Uint8Array;
}

/** Options as the native layer takes them (enums as integers). */
export interface NativeOptions {
  window: number;
  stride: number;
  topK: number;
  detrend: 0 | 1;
  transform: 0 | 1;
  beta: number;
  threads: number;
  rowStride?: number;
  colStride?: number;
  blockWindows?: number;
  rebuildPeriod?: number;
  scratch?: 0 | 1;
  /** 0 auto, 1 force the W x W Gram, 2 force the n x n covariance. */
  path?: 0 | 1 | 2;
  /** 0 not checked, 1 stop at the first NaN/Inf (error with row, column, value), 2 mark windows degenerate. */
  nonFinite?: 0 | 1 | 2;
  /** Instruction set of the kernels ('' or absent: the process-wide choice). */
  isa?: string;
}

/** One window's spectrum from the native monitor. */
export interface NativeWindowSummary {
  trace: number;
  pr: number;
  entropy: number;
  shc: number;
  topShare: number;
  degenerate: boolean;
  eigenvalues: Float64Array;
  eigenvectors?: Float32Array;
}

/** The exact native window state (see WindowState::Saved). */
export interface NativeMonitorState {
  /** W x n raw rows (float64, after the transform), slot order. */
  rows: Float64Array;
  /** W x W Gram of the scaled deviations (empty when n < W). */
  gram: Float64Array;
  reference: Float64Array;
  positions: Float64Array;
  bad: Uint8Array;
  count: number;
  sinceRebuild: number;
  hasReference: boolean;
  /** The deviations are scaled by 2^-scaleExp. */
  scaleExp: number;
  scaleChosen: boolean;
  /** The largest squared deviation the Gram has been computed through since it was built from the rows. */
  level: number;
}

/**
 * A window prepared for its eigensolve (`[kind, order, scaleExp, ...order x order matrix]`),
 * returned by a lazy push and solved by `solvePending` when its summary is read.
 */
export type NativePendingWindow = Float64Array;

export interface NativeMonitor {
  /**
   * `check` 1 or 2: scan the row for losses that cannot be analysed; under 1 ('error') a bad
   * row is not pushed and the column of the first is returned; under 2 it is pushed as bad.
   */
  push(
    row: Float32Array | Float64Array,
    bad: boolean,
    lazy?: boolean,
    check?: 0 | 1 | 2,
    into?: NativePendingWindow,
  ): NativeWindowSummary | NativePendingWindow | number | null;
  /** Length of the array a lazy push fills. */
  pendingLength(): number;
  solvePending(pending: NativePendingWindow): NativeWindowSummary;
  save(): NativeMonitorState;
  load(state: NativeMonitorState): void;
  close(): void;
}

/** Which instruction set the native kernels run with. */
export interface NativeIsaInfo {
  /** The kernels in use, or null when RDM2_ISA asks for something this CPU cannot run. */
  selected: 'baseline' | 'avx2' | 'avx512' | null;
  /** The widest this CPU supports. */
  best: 'baseline' | 'avx2' | 'avx512';
  supported: ('baseline' | 'avx2' | 'avx512')[];
  /** Why RDM2_ISA cannot be honoured. */
  error?: string;
}

export interface NativeBinding {
  NativeMonitor: new (opts: {
    probes: number;
    window: number;
    topK: number;
    detrend: 0 | 1;
    transform: 0 | 1;
    beta: number;
    rebuildPeriod?: number;
    isa?: string;
  }) => NativeMonitor;
  /**
   * `eigenvectorsInto`: an array the library owns (never a caller's) that receives the eigenvectors from element
   * `opts.intoOffset` on; the result's own `eigenvectors` are then empty.
   */
  analyze(
    data: Float32Array | Float64Array,
    rows: number,
    cols: number,
    opts: NativeOptions & { intoOffset?: number },
    badRows?: Uint8Array,
    eigenvectorsInto?: Float32Array,
  ): Promise<NativeAnalysis>;
  analyzeSync(data: Float32Array | Float64Array, rows: number, cols: number, opts: NativeOptions, badRows?: Uint8Array): NativeAnalysis;
  coreVersion: string;
  isa(): NativeIsaInfo;
  /**
   * Kernel timings for the benchmark harness (seconds per call, best of reps), at an
   * instruction set ('' or absent: the one in use): Eigen's own kernels (gemm, gemv,
   * eigensolve) and rdm2's (the dot products of one push, batched and single eigensolves).
   */
  bench: {
    timeGemm(m: number, k: number, n: number, reps: number, isa?: string): number;
    timeGemv(window: number, n: number, reps: number, isa?: string): number;
    timeEigenEigenvalues(window: number, reps: number, isa?: string): number;
    timeDots(window: number, n: number, reps: number, isa?: string): number;
    /** Per row: the batch path's band kernel, 16 new rows against the W - 1 rows before each. */
    timeBandDots(window: number, n: number, reps: number, isa?: string): number;
    timeBatchedEigenvalues(window: number, reps: number, isa?: string): number;
    timeSingleEigenvalues(window: number, reps: number, isa?: string): number;
  };
}

/** The package root: lib/ and dist/ both sit one level below it. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

let binding: NativeBinding | undefined;

/** The loaded native binding (loaded once, on first use). */
export function native(): NativeBinding {
  if (binding) return binding;
  const require = createRequire(import.meta.url);
  try {
    const load = require('node-gyp-build') as (dir: string) => NativeBinding;
    binding = load(packageRoot);
  } catch (err) {
    throw new Rdm2Error(
      'ERR_RDM2_NATIVE_LOAD',
      `rdm2 could not load its native core: looked for ${join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`)}/*.napi.node ` +
        `and ${join(packageRoot, 'build', 'Release', 'rdm2.node')} (${(err as Error).message.split('\n')[0]}). ` +
        'Build it from source with `npm run build:native` (needs cmake, g++ and libeigen3-dev).',
      { cause: err },
    );
  }
  return binding;
}

/**
 * The native errors that carry a code of their own, as Rdm2Errors: an allocation failure
 * (ERR_RDM2_MEMORY) or kernels this CPU cannot run (ERR_RDM2_ISA). Null for any other error.
 */
export function codedNativeError(err: unknown): Rdm2Error | null {
  const e = err as Error & { code?: string };
  if (e?.code === 'ERR_RDM2_NATIVE_MEMORY') {
    return new Rdm2Error('ERR_RDM2_MEMORY', 'out of memory: the native core could not allocate what this needs (a smaller window, fewer probes or fewer threads need less)', { cause: err });
  }
  if (e?.code === 'ERR_RDM2_NATIVE_ISA') return new Rdm2Error('ERR_RDM2_ISA', e.message, { cause: err });
  return null;
}
