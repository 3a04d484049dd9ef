import type { ObservableColumns } from './observables.js';

/** A T x n loss matrix: T checkpoints (rows, in training order) by n probes (columns). */
export interface LossMatrix {
  /** The values: `data[t * n + i]` is probe i's loss at checkpoint t (row-major), or `data[i * T + t]` when `order` is 'F'. */
  data: Float32Array | Float64Array;
  /** `[T, n]`. */
  shape: readonly [number, number];
  /** 'C' row-major (the default) or 'F' column-major, as a Fortran-order .npy is read: used in place, never copied. */
  order?: 'C' | 'F';
}

/** `[T, K, n]` perturbation blocks (row-major), as `readLossFile` reads a 3-D .npy: input of `gram2rdm`, refused by `analyze`. */
export interface LossBlocks {
  data: Float32Array | Float64Array;
  shape: readonly [number, number, number];
  order?: 'C';
}

/**
 * What `analyze` accepts: a {@link LossMatrix}, plain nested arrays (`number[][]`, rows =
 * checkpoints), or whatever `readLossFile` read (`analyze((await readLossFile(p)).losses, opts)`:
 * either order; [T, K, n] blocks are refused with a pointer to `gram2rdm`).
 */
export type LossInput = LossMatrix | LossBlocks | readonly (readonly number[])[];

/** Which per-probe trend is removed inside each window before the covariance. */
export type Detrend = 'none' | 'linear';
/** A transform applied to every loss before anything else. */
export type LossTransform = 'none' | 'log';
/** @deprecated Renamed {@link LossTransform} (it collided with node:stream's `Transform`). */
export type Transform = LossTransform;
/** What to do with NaN / Infinity losses: throw, or mark every window that contains one degenerate. */
export type NonFinitePolicy = 'error' | 'skip-window';

/** Options of {@link analyze}. Only `window` is required. */
export interface AnalyzeOptions {
  /** Window length W (checkpoints per window), 2 <= W <= T. */
  window: number;
  /** Checkpoints between consecutive windows' last rows. Default 1. */
  stride?: number;
  /** Number of top probe-space eigenvectors to return per window, 0 <= topK <= min(W-1, n). Default 0. */
  topK?: number;
  /** Default 'none'. */
  detrend?: Detrend;
  /** Default 'none'. */
  transform?: LossTransform;
  /** Inverse temperature of the spectral heat capacity, > 0. Default 1. */
  beta?: number;
  /** Native threads. Default: the machine's available parallelism. Results do not depend on it. */
  threads?: number;
  /** Default 'error'. */
  nonFinite?: NonFinitePolicy;
}

/** The options an analysis actually used, echoed in every result. */
export interface ResolvedAnalyzeOptions {
  window: number;
  stride: number;
  topK: number;
  detrend: Detrend;
  transform: LossTransform;
  beta: number;
  threads: number;
  nonFinite: NonFinitePolicy;
}

/**
 * Columnar per-window results. Entry j of every array belongs to window j, whose
 * rows are `t[j] - window + 1 .. t[j]`. One Float64Array per observable of {@link OBSERVABLES}
 * (`trace`, `pr`, `entropy`, `shc`, `topShare`: see there for what each one is).
 */
export interface Analysis extends ObservableColumns {
  /** Index of each window's last row (0-based checkpoint index). */
  t: Int32Array;
  /**
   * windows x m eigenvalues of C (m = `eigenCount` = min(W-1, n)), descending; values below
   * 1e-10 of the largest are stored as 0. NaN rows for non-finite windows.
   */
  eigenvalues: Float64Array;
  /** windows x topK x n top eigenvectors (unit length, largest-magnitude entry positive), when topK > 0. */
  eigenvectors?: Float32Array;
  /** 1 where the window is degenerate (zero or non-finite spectrum): its observables are NaN. */
  degenerate: Uint8Array;
  /** Number of windows. */
  windows: number;
  /** m = min(W-1, n): eigenvalues stored per window. */
  eigenCount: number;
  /** T, the number of checkpoints analysed. */
  rows: number;
  /** n, the number of probes. */
  probes: number;
  /** The options used. */
  options: ResolvedAnalyzeOptions;
}
