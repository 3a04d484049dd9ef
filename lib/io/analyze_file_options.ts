// The options of analyzeFile: the analysis options (checked against the file's shape once its
// header is read) plus how the file is read; and how a [T, K, n] perturbation file turns them
// into one window per block.
import { showValue } from '../show_value.js';
import { checkOptionsObject, checkValue, defaultOf, defineOptions, optionError, ownValue, type Assert, type SameKeys } from '../option_schema.js';
import { ANALYSIS_FIELDS } from '../options.js';
import type { AnalyzeOptions, LossTransform } from '../types.js';

/** Options of {@link analyzeFile}: the analysis options plus how the file is read. */
export interface AnalyzeFileOptions extends Omit<AnalyzeOptions, 'window' | 'transform'> {
  /**
   * Window length W, or 'auto' to choose it from the losses (see `chooseSettings`); required for
   * a `[T, n]` loss file, not allowed for a `[T, K, n]` perturbation file (each block is one window).
   */
  window?: number | 'auto';
  /** 'none', 'log', or 'auto': log when some probe's losses span more than 2 decades and every loss is > 0. Default 'none'. */
  transform?: LossTransform | 'auto';
  /** Read the sidecar meta.json when present. Default true. */
  sidecar?: boolean;
  /** Approximate bytes of input rows held in memory at once, at most {@link MAX_CHUNK_BYTES} (and never more than the file holds). Default 64 MiB. */
  chunkBytes?: number;
  /** Compute the input's sha256 (one extra sequential read). Default true. */
  checksum?: boolean;
}

const PERTURBATION_NOTE = 'not allowed for [T, K, n] perturbation files';

/** The command-line parser of `--window`: an integer >= 2 or 'auto'. */
function windowArg(value: string): number | 'auto' {
  if (value.trim() === 'auto') return 'auto';
  const v = /^[+]?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(v) || v < 2) throw new Error("expected an integer >= 2 or 'auto'");
  return v;
}

/** The largest `chunkBytes` (4 GiB; `--chunk-mb 4096`): a chunk is one typed array. */
export const MAX_CHUNK_BYTES = 4 * 2 ** 30;

/** How the file is read (these never change the result). */
export const FILE_READING_FIELDS = {
  sidecar: { type: 'boolean', default: true, doc: 'read the sidecar meta.json when present' },
  chunkBytes: {
    type: 'number',
    min: 1,
    max: MAX_CHUNK_BYTES,
    default: 64 * 2 ** 20,
    doc: 'approximate bytes of input rows held in memory at once (never more than the file holds)',
    cli: { flag: '--chunk-mb', value: 'MB', unit: 2 ** 20, doc: 'MiB of input rows held in memory at once (never more than the file holds)' },
  },
  checksum: { type: 'boolean', default: true, doc: "compute the input's sha256 (one extra sequential read)" },
} as const;

/**
 * The options of {@link analyzeFile}. `window` and `stride` have no fixed default: a `[T, n]`
 * file needs a window (stride 1 by default), a `[T, K, n]` file takes neither (each block of K
 * samples is one window).
 */
export const ANALYZE_FILE_OPTIONS = defineOptions(
  '',
  {
    ...ANALYSIS_FIELDS,
    window: {
      type: 'custom',
      typeDoc: "an integer >= 2, or 'auto'",
      doc: `${ANALYSIS_FIELDS.window.doc}, or 'auto' (chosen from the losses)`,
      note: `required for [T, n] losses; ${PERTURBATION_NOTE}`,
      check: (v: unknown, name: string): number | 'auto' => (v === 'auto' ? v : checkValue(ANALYSIS_FIELDS.window, name, v)),
      cli: { value: 'W', parse: windowArg, doc: `${ANALYSIS_FIELDS.window.doc}: an integer >= 2, or 'auto' (chosen from the losses)` },
    },
    transform: {
      ...ANALYSIS_FIELDS.transform,
      values: ['none', 'log', 'auto'],
      doc: `${ANALYSIS_FIELDS.transform.doc}; 'auto': log when a probe's losses span more than 2 decades`,
    },
    stride: { type: 'integer', min: 1, doc: ANALYSIS_FIELDS.stride.doc, defaultDoc: '1', note: PERTURBATION_NOTE, cli: ANALYSIS_FIELDS.stride.cli },
    ...FILE_READING_FIELDS,
  },
  'options must be an object with at least { window }',
);

type _AnalyzeFileSchemaMatches = Assert<SameKeys<typeof ANALYZE_FILE_OPTIONS.fields, AnalyzeFileOptions>>;

/** The analysis part (own, given options only; checked when the file's shape is known) and the reading part (checked, defaults filled). */
export interface SplitFileOptions {
  analysis: Partial<AnalyzeOptions>;
  /** `window: 'auto'` / `transform: 'auto'` were asked (and left out of `analysis`). */
  autoWindow: boolean;
  autoTransform: boolean;
  sidecar: boolean;
  chunkBytes: number;
  checksum: boolean;
}

/** Splits and checks {@link AnalyzeFileOptions} (ERR_RDM2_OPTION). */
export function splitFileOptions(opts: AnalyzeFileOptions): SplitFileOptions {
  checkOptionsObject(ANALYZE_FILE_OPTIONS, opts);
  const analysis: Record<string, unknown> = {};
  for (const key of Object.keys(ANALYSIS_FIELDS)) {
    const v = ownValue(opts, key);
    if (v !== undefined) analysis[key] = v;
  }
  const autoWindow = analysis.window === 'auto';
  const autoTransform = analysis.transform === 'auto';
  if (autoWindow) delete analysis.window;
  if (autoTransform) delete analysis.transform;
  if (analysis.window !== undefined && typeof analysis.window !== 'number') optionError(`window must be an integer >= 2 or 'auto', got ${showValue(analysis.window)}`);
  const reading = (key: keyof typeof FILE_READING_FIELDS) => {
    const spec = FILE_READING_FIELDS[key];
    const v = ownValue(opts, key);
    return v === undefined ? defaultOf(spec)! : checkValue(spec, key, v);
  };
  return {
    analysis: analysis as Partial<AnalyzeOptions>,
    autoWindow,
    autoTransform,
    sidecar: reading('sidecar') as boolean,
    chunkBytes: reading('chunkBytes') as number,
    checksum: reading('checksum') as boolean,
  };
}

/**
 * The analysis options of a file whose rows come in blocks of K perturbation samples (`K`
 * defined) or are [T, n] losses: the first get window = stride = K and no detrending, and
 * refuse `window`, `stride` and `detrend: 'linear'`; the second need a window.
 */
export function fileAnalysisOptions(analysis: Partial<AnalyzeOptions>, K: number | undefined, file: string): AnalyzeOptions {
  if (K !== undefined) {
    for (const key of ['window', 'stride', 'detrend'] as const) {
      const v = ownValue(analysis, key);
      if (v !== undefined && !(key === 'detrend' && v === 'none')) {
        optionError(
          `${key} = ${showValue(v)} does not apply to ${file}: it holds [T, K, n] perturbation blocks, and each block of K = ${K} samples is analysed on its own (the Gaussian 2RDM)`,
        );
      }
    }
    return { ...analysis, window: K, stride: K, detrend: 'none' };
  }
  if (ownValue(analysis, 'window') === undefined) optionError(`window is required: ${file} holds [T, n] losses (checkpoints x probes)`);
  return analysis as AnalyzeOptions;
}
