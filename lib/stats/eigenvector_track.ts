// Top eigenvectors followed across windows with continuous signs.
import { Rdm2Error } from '../errors.js';
import { defineOptions, optionError, resolveOptions } from '../option_schema.js';
import type { Analysis } from '../types.js';

/** What {@link eigenvectorTrack} returns (columnar, same layout as `analysis.eigenvectors`). */
export interface EigenvectorTrack {
  /** windows x k x n eigenvectors, each sign-aligned with the same-rank vector of the previous usable window. */
  vectors: Float32Array;
  /** windows x k: 1 where the sign was flipped relative to `analysis.eigenvectors`. */
  flipped: Uint8Array;
  /**
   * windows x k: |<v_j, v_prev>| with the previous usable window's vector of the same rank
   * (1 = unchanged direction; a drop signals rotation or two eigenvalues swapping rank).
   * NaN for the first usable window and for degenerate windows.
   */
  continuity: Float64Array;
  windows: number;
  k: number;
  n: number;
}

function requireVectors(analysis: Analysis, what: string): Float32Array {
  if (typeof analysis !== 'object' || analysis === null || !(analysis.t instanceof Int32Array)) {
    throw new Rdm2Error('ERR_RDM2_OPTION', `${what} needs an Analysis (the result of analyze)`);
  }
  if (!analysis.eigenvectors || analysis.options.topK < 1) {
    throw new Rdm2Error('ERR_RDM2_OPTION', `${what} needs eigenvectors: run analyze with topK >= 1`);
  }
  return analysis.eigenvectors;
}

/**
 * The top-r eigenvectors of one window of an analysis, as a {@link Basis} for
 * {@link subspaceOverlap} (a view, not a copy).
 *
 * @param r number of vectors (1..topK), default topK.
 * @throws Rdm2Error ERR_RDM2_OPTION if the analysis has no eigenvectors or `windowIndex`/`r` is out of range.
 *
 * @example
 * ```ts
 * const a = analyzeSync(losses, { window: 20, topK: 3 });
 * const overlap = subspaceOverlap(topEigenvectors(a, 5), topEigenvectors(a, 50));
 * ```
 */
export function topEigenvectors(analysis: Analysis, windowIndex: number, r?: number): { data: Float32Array; shape: [number, number] } {
  const vecs = requireVectors(analysis, 'topEigenvectors');
  const K = analysis.options.topK;
  const n = analysis.probes;
  const k = r ?? K;
  if (!Number.isInteger(windowIndex) || windowIndex < 0 || windowIndex >= analysis.windows) {
    throw new Rdm2Error('ERR_RDM2_OPTION', `windowIndex must be an integer in [0, ${analysis.windows - 1}], got ${windowIndex}`);
  }
  if (!Number.isInteger(k) || k < 1 || k > K) throw new Rdm2Error('ERR_RDM2_OPTION', `r must be an integer in [1, ${K}] (the analysis topK), got ${k}`);
  const start = windowIndex * K * n;
  return { data: vecs.subarray(start, start + k * n), shape: [k, n] };
}

/** The options of {@link eigenvectorTrack}. */
export const EIGENVECTOR_TRACK_OPTIONS = defineOptions('eigenvectorTrack', {
  k: { type: 'integer', min: 1, defaultDoc: "the analysis's topK", doc: 'eigenvectors tracked per window' },
});

/**
 * Makes the top eigenvectors sign-continuous across windows. An eigenvector's sign is
 * arbitrary (the core fixes it by making the largest-magnitude entry positive, which can flip
 * from one window to the next); this flips v_k(j) whenever <v_k(j), v_k(prev)> < 0, so a
 * probe's loading can be followed in time. Ranks are not re-matched: when two eigenvalues
 * cross, `continuity` drops instead. Degenerate windows are copied as they are and skipped
 * as references.
 *
 * @param options.k how many of the topK vectors to track (default topK).
 * @throws Rdm2Error ERR_RDM2_OPTION if the analysis was run without topK or k is out of range.
 *
 * @example
 * ```ts
 * const a = analyzeSync(losses, { window: 20, topK: 1 });
 * const tr = eigenvectorTrack(a);
 * // loading of probe 7 on the top eigenvector in window j: tr.vectors[j * tr.k * tr.n + 7]
 * ```
 */
export function eigenvectorTrack(analysis: Analysis, options: { k?: number } = {}): EigenvectorTrack {
  const src = requireVectors(analysis, 'eigenvectorTrack');
  const K = analysis.options.topK;
  const k = resolveOptions(EIGENVECTOR_TRACK_OPTIONS, options).k ?? K;
  if (k > K) optionError(`k must be an integer in [1, ${K}] (the analysis topK), got ${k}`);
  const { windows, probes: n } = analysis;
  const vectors = new Float32Array(windows * k * n);
  const flipped = new Uint8Array(windows * k);
  const continuity = new Float64Array(windows * k).fill(NaN);
  let prev = -1; // last usable window
  for (let j = 0; j < windows; j++) {
    for (let r = 0; r < k; r++) {
      const s = (j * K + r) * n;
      const d = (j * k + r) * n;
      let sign = 1;
      if (!analysis.degenerate[j] && prev >= 0) {
        const p = (prev * k + r) * n;
        let dot = 0;
        for (let i = 0; i < n; i++) dot += src[s + i] * vectors[p + i];
        if (dot < 0) sign = -1;
        continuity[j * k + r] = Math.abs(dot);
      }
      flipped[j * k + r] = sign < 0 ? 1 : 0;
      for (let i = 0; i < n; i++) vectors[d + i] = sign * src[s + i];
    }
    if (!analysis.degenerate[j]) prev = j;
  }
  return { vectors, flipped, continuity, windows, k, n };
}
