// The option schemas of the analysis entry points (analyze, gram2rdm, analyzeFile) and the
// analysis fields they and the monitor share; validation against a T x n matrix.
import { availableParallelism } from 'node:os';
import type { Gram2rdmOptions } from './gaussian.js';
import { defineOptions, optionError, resolveOptions, type Assert, type OptionSpec, type SameKeys } from './option_schema.js';
import type { AnalyzeOptions, ResolvedAnalyzeOptions } from './types.js';

/** The analysis fields, once; each entry point's schema picks the ones it takes. */
export const ANALYSIS_FIELDS = {
  window: { type: 'integer', min: 2, doc: 'window length in checkpoints', cli: { value: 'W' } },
  stride: { type: 'integer', min: 1, default: 1, doc: 'checkpoints between consecutive windows', cli: { value: 'S' } },
  topK: { type: 'integer', min: 0, default: 0, doc: 'top eigenvectors kept per window', note: 'at most min(W-1, n); block energies need >= 1', cli: { value: 'K' } },
  detrend: { type: 'enum', values: ['none', 'linear'], default: 'none', doc: 'per-probe trend removed in each window', cli: { value: 'mode' } },
  transform: { type: 'enum', values: ['none', 'log'], default: 'none', doc: 'transform applied to every loss first', cli: { value: 't' } },
  beta: { type: 'number', min: 0, exclusiveMin: true, default: 1, doc: 'inverse temperature of the spectral heat capacity', cli: { value: 'B' } },
  threads: {
    type: 'integer',
    min: 1,
    max: 1024,
    default: () => availableParallelism(),
    defaultDoc: 'all cores',
    doc: 'native threads per analysis',
    note: 'results do not depend on it',
    cli: { value: 'N' },
  },
  nonFinite: {
    type: 'enum',
    values: ['error', 'skip-window'],
    default: 'error',
    doc: "NaN/inf losses: 'error' stops, 'skip-window' marks the windows holding them degenerate",
    cli: { value: 'policy' },
  },
} as const satisfies Record<string, OptionSpec>;

/** The options of {@link analyze} / {@link analyzeSync}. */
export const ANALYZE_OPTIONS = defineOptions('', { ...ANALYSIS_FIELDS, window: { ...ANALYSIS_FIELDS.window, required: true } }, 'options must be an object with at least { window }');

/** The options of {@link gram2rdm}: each block of K perturbation samples is one window. */
export const GRAM2RDM_OPTIONS = defineOptions('', {
  topK: ANALYSIS_FIELDS.topK,
  beta: ANALYSIS_FIELDS.beta,
  transform: ANALYSIS_FIELDS.transform,
  threads: ANALYSIS_FIELDS.threads,
  nonFinite: ANALYSIS_FIELDS.nonFinite,
});

type _AnalyzeSchemaMatches = Assert<SameKeys<typeof ANALYZE_OPTIONS.fields, AnalyzeOptions>>;
export type Gram2rdmSchemaMatches = Assert<SameKeys<typeof GRAM2RDM_OPTIONS.fields, Gram2rdmOptions>>;

/** Checks the options that depend on the matrix: W <= T and topK <= min(W - 1, n). */
export function checkAgainstShape(window: number, topK: number, rows: number, cols: number): void {
  if (window > rows) optionError(`window (${window}) is longer than the number of checkpoints T = ${rows}`);
  const rank = Math.min(window - 1, cols);
  if (topK > rank) optionError(`topK (${topK}) exceeds the largest possible rank min(W-1, n) = ${rank}`);
}

/**
 * Resolves options against a T x n matrix (ERR_RDM2_OPTION on anything wrong): the schema's
 * checks and defaults, then W <= T and topK <= min(W - 1, n), the largest possible rank of a
 * window's covariance.
 */
export function resolveAnalyzeOptions(opts: AnalyzeOptions, rows: number, cols: number): ResolvedAnalyzeOptions {
  const o = resolveOptions(ANALYZE_OPTIONS, opts);
  checkAgainstShape(o.window, o.topK, rows, cols);
  return o;
}
