// Analysing a loss file in row chunks (lib/io/analyze_rows.ts): memory O(W n + chunk), never
// O(T n); with the file's checksum, metadata and the step of each window.
import { stat } from 'node:fs/promises';
import { LossInspector, boundsInspection, chooseSettings, type AutoSettings } from '../auto_settings.js';
import { RowSummary } from '../row_summary.js';
import { optionError } from '../option_schema.js';
import type { Analysis } from '../types.js';
import { splitFileOptions, type AnalyzeFileOptions, type SplitFileOptions } from './analyze_file_options.js';
import { analyzeRows, type RowsAnalysis } from './analyze_rows.js';
import { fsError } from './file_error.js';
import { rememberRowMeans } from './file_row_means.js';
import { requireRegularFile } from './input_file.js';
import type { LossFormat } from './loss_array.js';
import { metaFromFileSteps, type LossMeta, type SourcedMeta } from './meta.js';
import { lossFileOnDisk } from './format_registry.js';
import { openLossRows, resolveRunMeta } from './read_loss_file.js';
import { sha256File } from './sha256_file.js';

export { MAX_CHUNK_BYTES, type AnalyzeFileOptions } from './analyze_file_options.js';
export { analyzeRows } from './analyze_rows.js';
export { sha256File } from './sha256_file.js';

/** What an analysed file was. */
export interface InputInfo {
  /** The path as given. */
  path: string;
  format: LossFormat;
  /** Hex sha256 of the file's bytes (absent when `checksum: false`). */
  sha256?: string;
  /** File size in bytes. */
  bytes: number;
  /** `[T, n]`, or `[T, K, n]` for a perturbation file. */
  shape: number[];
  dtype: 'float32' | 'float64';
  /** 'sliding' (dynamical 2RDM over windows) or 'gaussian' (one 2RDM per block of K perturbations). */
  variant: 'sliding' | 'gaussian';
}

/** The result of {@link analyzeFile}. */
export interface FileAnalysis {
  analysis: Analysis;
  input: InputInfo;
  meta: LossMeta;
  /** Where each metadata field came from. */
  metaSources: SourcedMeta['sources'];
  /** The training step of each window's last checkpoint, when the run's steps are known. */
  windowSteps?: Float64Array;
  /** Probe names from a CSV header. */
  probeNames?: string[];
  /** The settings chosen from the losses, with their reasons, when `window` or `transform` was 'auto'. */
  auto?: AutoSettings;
  /**
   * Set when the analysis used no transform but some probe's losses (in the rows read) span
   * more than 2 decades and every loss is > 0: the log transform is proposed, and this says why
   * (e.g. "3 of 20 probes span more than 2 decades (largest 2.12)").
   */
  transformProposal?: string;
}

/** One pass over a loss file's rows (a first pass for 'auto' settings). */
async function inspectFile(path: string, chunkBytes: number): Promise<{ inspector: LossInspector; blockSize: number | undefined; file: string }> {
  const opened = await openLossRows(path);
  const src = opened.source;
  try {
    const n = src.cols;
    const rows = Math.max(1, Math.floor(chunkBytes / (n * 8)));
    const buf = src.dtype === 'float32' ? new Float32Array(rows * n) : new Float64Array(rows * n);
    const inspector = new LossInspector(n);
    for (;;) {
      const got = await src.read(buf, 0, rows);
      await inspector.pushRows(buf, 0, got);
      if (got < rows) break;
    }
    return { inspector, blockSize: src.blockSize, file: src.file };
  } finally {
    await src.close();
  }
}

/**
 * Analyses a loss file (.npy, .npz, .csv, .tsv, .jsonl, Parquet, Arrow IPC, HDF5) without loading it whole: rows are read
 * in chunks of whole core blocks, so memory stays at O(W n + chunk) and the result is
 * bit-identical to `analyze()` on the whole matrix. A `[T, K, n]` .npy gives the Gaussian 2RDM of
 * each checkpoint's K perturbations (as `gram2rdm`). Also returns the file's sha256, its
 * metadata (sidecar meta.json, .npz arrays, CSV/JSONL step columns) and each window's step.
 *
 * @example
 * ```ts
 * import { analyzeFile } from 'rdm2';
 * const { analysis, input, windowSteps } = await analyzeFile('runs/seed1/losses.npy', { window: 32, topK: 2 });
 * console.log(input.sha256, analysis.shc, windowSteps);
 * ```
 */
export async function analyzeFile(path: string, opts: AnalyzeFileOptions): Promise<FileAnalysis> {
  const split = splitFileOptions(opts);
  // The checksum is read beside the analysis; when the analysis fails it is cancelled (and
  // awaited), so a failure does not wait for, nor leave behind, a read of the whole file.
  const cancel = new AbortController();
  const onDisk = lossFileOnDisk(path); // `runs.h5` of `runs.h5:/seed1/losses`
  const hashing = split.checksum ? sha256File(onDisk, cancel.signal) : undefined;
  hashing?.catch(() => {}); // awaited below; avoid an unhandled rejection if reading fails first
  try {
    return await analyzeOpenedFile(path, split, hashing);
  } catch (err) {
    cancel.abort();
    await hashing?.catch(() => {});
    throw err;
  }
}

async function analyzeOpenedFile(path: string, split: SplitFileOptions, hashing: Promise<string> | undefined): Promise<FileAnalysis> {
  const onDisk = lossFileOnDisk(path);
  let bytes: number;
  try {
    const st = await stat(onDisk);
    requireRegularFile(onDisk, st);
    bytes = st.size;
  } catch (err) {
    fsError(onDisk, err);
  }
  let auto: AutoSettings | undefined;
  if (split.autoWindow || split.autoTransform) {
    const first = await inspectFile(path, split.chunkBytes);
    if (split.autoWindow && first.blockSize !== undefined) {
      optionError(`window 'auto' does not apply to ${first.file}: it holds [T, K, n] perturbation blocks, and each block of K = ${first.blockSize} samples is one window`);
    }
    auto = chooseSettings(first.inspector.result(), { transform: split.autoTransform ? 'auto' : (split.analysis.transform ?? 'none') });
    if (split.autoWindow) split.analysis.window = auto.window;
    if (split.autoTransform) split.analysis.transform = auto.transform;
  }
  // Without a transform, watch the decades each probe spans to propose the log transform; and
  // take each row's mean (the scalar baselines) in the same pass over the rows.
  const watch = auto === undefined && (split.analysis.transform ?? 'none') === 'none';
  const opened = await openLossRows(path);
  const src = opened.source;
  let result: RowsAnalysis & { summary: RowSummary };
  try {
    result = await analyzeRows(src, split.analysis, split.chunkBytes, (o) =>
      new RowSummary(src.cols, { transform: o.transform, bounds: watch, means: true, ...(src.rows !== undefined ? { expectedRows: src.rows } : {}) }),
    );
  } finally {
    await src.close();
  }
  const { analysis } = result;
  const K = src.blockSize;
  const checkpoints = K === undefined ? result.rows : result.rows / K;
  const { meta, sources } = await resolveRunMeta(
    path,
    [opened.embedded, metaFromFileSteps(result.steps, path)],
    checkpoints,
    src.cols,
    { sidecar: split.sidecar },
  );
  const out: FileAnalysis = {
    analysis,
    input: {
      path,
      format: src.format,
      ...(hashing ? { sha256: await hashing } : {}),
      bytes,
      shape: K === undefined ? [result.rows, src.cols] : [checkpoints, K, src.cols],
      dtype: src.dtype,
      variant: K === undefined ? 'sliding' : 'gaussian',
    },
    meta,
    metaSources: sources,
  };
  if (meta.steps) {
    const steps = meta.steps;
    out.windowSteps = Float64Array.from(analysis.t, (t) => steps[K === undefined ? t : Math.floor(t / K)]!);
  }
  if (src.probeNames) out.probeNames = src.probeNames;
  if (auto) out.auto = auto;
  if (watch) {
    const proposal = chooseSettings(boundsInspection(result.summary.bounds!, result.rows), { transform: 'none' });
    if (proposal.logProposed) out.transformProposal = proposal.span;
  }
  // Every row went through the summary in order (windows overlap, or every row was read): its
  // means are the file's, and the baselines need not read the file again.
  if (K === undefined && result.summary.rows === result.rows) rememberRowMeans(out, result.summary);
  if (auto?.logProposed) out.transformProposal = auto.span;
  return out;
}
