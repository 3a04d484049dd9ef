// Loads the Node-API core: prebuilds/ first, then build/Release (node-gyp-build).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rdm2Error } from './errors.js';
import { OBSERVABLE_NAMES, type ObservableColumns, type ObservableValues } from './observables.js';
import { ANALYSIS_FIELDS } from './options.js';
import type { Detrend, NonFinitePolicy, LossTransform } from './types.js';

/** Raw results of the native sliding-window analysis (columnar). */
export interface NativeAnalysis extends ObservableColumns {
  windows: number;
  eigenCount: number;
  t: Int32Array;
  eigenvalues: Float64Array;
  eigenvectors: Float32Array;
  degenerate: Uint8Array;
}

/** Options as the native layer takes them (enums by name: native/addon/enum_names.hpp). */
export interface NativeOptions {
  window: number;
  stride: number;
  topK: number;
  detrend: Detrend;
  transform: LossTransform;
  beta: number;
  threads: number;
  rowStride?: number;
  colStride?: number;
  blockWindows?: number;
  rebuildPeriod?: number;
  scratch?: 0 | 1;
  /** 'auto' (default), or force the W x W Gram or the n x n covariance. */
  path?: NativeSolvePath;
  /** 'unchecked': the caller has scanned every value; 'error' stops at the first NaN/Inf (error with row, column, value); 'skip-window' marks windows degenerate. */
  nonFinite: NativeNonFinite;
  /** Instruction set of the kernels ('' or absent: the process-wide choice). */
  isa?: string;
}

/** The native core's NaN/Inf handling: the library's policies, plus skipping the scan. */
export type NativeNonFinite = 'unchecked' | NonFinitePolicy;
/** Which matrix the core diagonalises. */
export type NativeSolvePath = 'auto' | 'gram' | 'covariance';

/**
 * The names each enum takes at the native boundary. The addon decodes options with tables of the
 * same names (native/addon/enum_names.hpp) and rejects any other; the loader checks both lists.
 */
export const NATIVE_ENUMS = {
  detrend: ANALYSIS_FIELDS.detrend.values,
  transform: ANALYSIS_FIELDS.transform.values,
  nonFinite: ['unchecked', ...ANALYSIS_FIELDS.nonFinite.values],
  path: ['auto', 'gram', 'covariance'],
} as const satisfies { detrend: readonly Detrend[]; transform: readonly LossTransform[]; nonFinite: readonly NativeNonFinite[]; path: readonly NativeSolvePath[] };

/** One window's spectrum from the native monitor. */
export interface NativeWindow extends ObservableValues {
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

/** A block of a monitor's journal of lazy windows: native memory behind an opaque handle. */
export type NativeJournal = object & { readonly __nativeJournal: never };

/** Flags of {@link NativeMonitor.push}. */
export const PUSH_BAD = 1;
export const PUSH_LAZY = 2;
export const PUSH_CHECK = 4;

export interface NativeMonitor {
  /**
   * `flags`: PUSH_BAD pushes the row as bad. PUSH_CHECK scans the row for losses that cannot be
   * analysed; under the monitor's nonFinite 'error' a bad row is not pushed and -1 - (the column
   * of the first) is returned; under 'skip-window' it is pushed as bad. PUSH_LAZY (topK 0):
   * once the window is full, append the window's record to the journal block (newJournal, whose
   * end must be at most journalLimit()) and return the record's end instead of the window.
   */
  push(row: Float32Array | Float64Array, flags: number): NativeWindow | number | null;
  /** The largest end of a journal block at which a lazy push still has room (beyond it, newJournal first). */
  journalLimit(): number;
  /** A new journal block for lazy pushes (an opaque handle); windows keep the block their record is in. */
  newJournal(): NativeJournal;
  /** The window whose record starts at `at` in the block; works after later pushes and after close(). */
  solveJournal(journal: NativeJournal, at: number): NativeWindow;
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
    detrend: Detrend;
    transform: LossTransform;
    beta: number;
    nonFinite?: NonFinitePolicy;
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
  /**
   * Row statistics (native/core/row_summary.hpp, lib/row_summary.ts): fills the arrays `opts` names
   * and returns the index of the first loss that is not finite (or not > 0 under the log transform), or -1.
   * The async form reads and writes only arrays the library owns.
   */
  summarizeRows(data: Float32Array | Float64Array, rows: number, cols: number, opts: Record<string, unknown>): number;
  summarizeRowsAsync(data: Float32Array | Float64Array, rows: number, cols: number, opts: Record<string, unknown>): Promise<number>;
  /** The core's windows per block for a window length and stride (native/core/sliding_analysis.hpp). */
  blockWindows(window: number, stride: number): number;
  /** The observables the core computes, in result order: must equal OBSERVABLE_NAMES (lib/observables.ts). */
  observables: readonly string[];
  /** The names of each enum the addon decodes: must equal NATIVE_ENUMS. */
  enums: Record<keyof typeof NATIVE_ENUMS, readonly string[]>;
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
  try {
    checkNativeObservables(binding.observables);
    checkNativeEnums(binding.enums);
  } catch (err) {
    binding = undefined;
    throw err;
  }
  return binding;
}

/**
 * A core built from other sources than this lib (a stale build/) would mislabel its columns: refuse it.
 * @internal
 */
export function checkNativeObservables(names: readonly string[] | undefined): void {
  if (Array.isArray(names) && names.length === OBSERVABLE_NAMES.length && names.every((x, i) => x === OBSERVABLE_NAMES[i])) return;
  throw new Rdm2Error(
    'ERR_RDM2_NATIVE_LOAD',
    `rdm2's native core computes the observables ${JSON.stringify(names)}, this library expects ${JSON.stringify(OBSERVABLE_NAMES)}: ` +
      'the native build is out of date. Rebuild it with `npm run build:native`.',
  );
}

/**
 * A core whose enum tables differ from the library's names would reject valid options: refuse it.
 * @internal
 */
export function checkNativeEnums(enums: Record<string, readonly string[]> | undefined): void {
  for (const [name, values] of Object.entries(NATIVE_ENUMS)) {
    const got = enums?.[name];
    if (Array.isArray(got) && got.length === values.length && got.every((x, i) => x === values[i])) continue;
    throw new Rdm2Error(
      'ERR_RDM2_NATIVE_LOAD',
      `rdm2's native core names the ${name} values ${JSON.stringify(got)}, this library ${JSON.stringify(values)}: ` +
        'the native build is out of date. Rebuild it with `npm run build:native`.',
    );
  }
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

/** A native failure as an Rdm2Error: a coded one as its code, anything else as ERR_RDM2_NATIVE (a bug). */
export function nativeFailure(err: unknown): Rdm2Error {
  return codedNativeError(err) ?? new Rdm2Error('ERR_RDM2_NATIVE', `native core failed: ${(err as Error)?.message}`, { cause: err });
}
