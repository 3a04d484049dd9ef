// The Gaussian-perturbation 2RDM: K loss vectors measured at K random parameter
// perturbations around one checkpoint (K x n), or one such block per checkpoint (T x K x n).
import { showValue } from './show_value.js';
import { prepareAnalysis, runCallerOwned, runPrepared, runPreparedSync } from './analyze.js';
import { Rdm2Error } from './errors.js';
import { toLossView, type LossView } from './loss_matrix.js';
import { resolveOptions } from './option_schema.js';
import { GRAM2RDM_OPTIONS } from './options.js';
import type { Analysis, NonFinitePolicy, LossTransform } from './types.js';

/** Perturbation samples: one block `[K, n]`, or one block per checkpoint `[T, K, n]` (row-major), or `number[][]` for one block. */
export type PerturbationSamples =
  | { data: Float32Array | Float64Array; shape: readonly [number, number] | readonly [number, number, number] }
  | readonly (readonly number[])[];

/** Options of {@link gram2rdm}. */
export interface Gram2rdmOptions {
  /** Top probe-space eigenvectors per block, 0 <= topK <= min(K-1, n). Default 0. */
  topK?: number;
  /** Inverse temperature of the spectral heat capacity, > 0. Default 1. */
  beta?: number;
  /** Default 'none'. */
  transform?: LossTransform;
  /** Native threads. Default: the machine's available parallelism. */
  threads?: number;
  /** Default 'error'. */
  nonFinite?: NonFinitePolicy;
}

function blockView(samples: PerturbationSamples): LossView {
  if (!Array.isArray(samples) && typeof samples === 'object' && samples !== null && 'shape' in samples) {
    const shape = samples.shape;
    if (Array.isArray(shape) && shape.length === 3) {
      if (!shape.every((d) => Number.isInteger(d) && d >= 1)) {
        throw new Rdm2Error('ERR_RDM2_SHAPE', `samples.shape must be [T, K, n] with positive integers, got ${showValue(shape)}`);
      }
      const [T, K, n] = shape as [number, number, number];
      return toLossView({ data: samples.data, shape: [T * K, n] }, 'samples');
    }
  }
  return toLossView(samples as Parameters<typeof toLossView>[0], 'samples');
}

function blockSize(samples: PerturbationSamples, view: LossView): number {
  if (!Array.isArray(samples) && 'shape' in samples && samples.shape.length === 3) return samples.shape[1];
  return view.rows;
}

function prepare(samples: PerturbationSamples, opts: Gram2rdmOptions) {
  const view = blockView(samples);
  const K = blockSize(samples, view);
  if (K < 2) throw new Rdm2Error('ERR_RDM2_SHAPE', `need at least K = 2 perturbation samples per block, got ${K}`);
  const o = resolveOptions(GRAM2RDM_OPTIONS, opts);
  // Each block is one non-overlapping "window" of K rows, centred by its column means.
  return prepareAnalysis(view, { ...o, window: K, stride: K, detrend: 'none' });
}

/**
 * The 2RDM over random parameter perturbations: C = X^T X / (K - 1) with X the K loss vectors
 * centred by their column means, and the same observables and eigenvectors as {@link analyze}.
 * A `[T, K, n]` input gives one result per checkpoint (`windows = T`, `t[j]` = last row of block j
 * in the flattened T*K rows).
 *
 * @example
 * ```ts
 * import { gram2rdm } from 'rdm2';
 * const K = 64, n = 1000;
 * const data = new Float64Array(K * n).map(() => Math.random());
 * const r = await gram2rdm({ data, shape: [K, n] }, { topK: 3 });
 * console.log(r.pr[0], r.eigenvalues.subarray(0, 5));
 * ```
 */
export async function gram2rdm(samples: PerturbationSamples, opts: Gram2rdmOptions = {}): Promise<Analysis> {
  // A typed array is the caller's: copied chunk by chunk (see analyze).
  const p = prepare(samples, opts);
  return Array.isArray(samples) ? runPrepared(p) : runCallerOwned(p);
}

/** Synchronous twin of {@link gram2rdm}. */
export function gram2rdmSync(samples: PerturbationSamples, opts: Gram2rdmOptions = {}): Analysis {
  return runPreparedSync(prepare(samples, opts));
}
