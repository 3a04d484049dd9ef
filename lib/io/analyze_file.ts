// Analysing a loss file in row chunks: memory O(W n + chunk), never O(T n).
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { defaultBlockWindows, prepareAnalysis, runPrepared } from '../analyze.js';
import { Rdm2Error } from '../errors.js';
import { showValue } from '../show_value.js';
import type { LossView } from '../loss_matrix.js';
import { resolveAnalyzeOptions } from '../options.js';
import type { Analysis, AnalyzeOptions, ResolvedAnalyzeOptions } from '../types.js';
import { fileError, fsError } from './file_error.js';
import { openInputFile, readExactly, requireRegularFile } from './input_file.js';
import type { LossFormat } from './loss_array.js';
import { metaFromFileSteps, type LossMeta, type SourcedMeta } from './meta.js';
import { openLossRows, resolveRunMeta } from './read_loss_file.js';
import type { RowSource } from './row_source.js';

/** Options of {@link analyzeFile}: the analysis options plus how the file is read. */
export interface AnalyzeFileOptions extends Omit<AnalyzeOptions, 'window'> {
  /** Window length W; required for a `[T, n]` loss file, not allowed for a `[T, K, n]` perturbation file (each block is one window). */
  window?: number;
  /** Read the sidecar meta.json when present. Default true. */
  sidecar?: boolean;
  /** Approximate bytes of input rows held in memory at once, at most {@link MAX_CHUNK_BYTES} (and never more than the file holds). Default 64 MiB. */
  chunkBytes?: number;
  /** Compute the input's sha256 (one extra sequential read). Default true. */
  checksum?: boolean;
}

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
}

const DEFAULT_CHUNK_BYTES = 64 * 2 ** 20;
/** The largest `chunkBytes` (4 GiB; `--chunk-mb 4096`): a chunk is one typed array. */
export const MAX_CHUNK_BYTES = 4 * 2 ** 30;
const HASH_PIECE = 2 ** 20;
const FILE_KEYS = new Set(['sidecar', 'chunkBytes', 'checksum']);

/**
 * sha256 of a regular file, read sequentially in 1 MiB pieces up to the size it had when opened.
 * An aborted `signal` stops the reading after the piece in flight (the promise then rejects).
 */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const { fh, size } = await openInputFile(path);
  try {
    const buf = new Uint8Array(Math.min(HASH_PIECE, Math.max(size, 1)));
    for (let position = 0; position < size; ) {
      signal?.throwIfAborted();
      const piece = buf.subarray(0, Math.min(buf.length, size - position));
      await readExactly(fh, piece, position, path);
      hash.update(piece);
      position += piece.length;
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/** Columnar results appended chunk by chunk. */
class Accumulator {
  private size = 0;
  private cap: number;
  t: Int32Array;
  trace: Float64Array;
  pr: Float64Array;
  entropy: Float64Array;
  shc: Float64Array;
  topShare: Float64Array;
  eigenvalues: Float64Array;
  eigenvectors: Float32Array;
  degenerate: Uint8Array;

  constructor(
    private readonly m: number,
    private readonly vec: number, // topK * n
    expected: number | undefined,
  ) {
    this.cap = expected ?? 256;
    this.t = new Int32Array(this.cap);
    this.trace = new Float64Array(this.cap);
    this.pr = new Float64Array(this.cap);
    this.entropy = new Float64Array(this.cap);
    this.shc = new Float64Array(this.cap);
    this.topShare = new Float64Array(this.cap);
    this.eigenvalues = new Float64Array(this.cap * m);
    this.eigenvectors = new Float32Array(this.cap * this.vec);
    this.degenerate = new Uint8Array(this.cap);
  }

  private grow(need: number): void {
    if (need <= this.cap) return;
    let cap = this.cap;
    while (cap < need) cap *= 2;
    const re = <A extends Int32Array | Float64Array | Float32Array | Uint8Array>(a: A, per: number): A => {
      const b = new (a.constructor as new (n: number) => A)(cap * per);
      b.set(a);
      return b;
    };
    this.t = re(this.t, 1);
    this.trace = re(this.trace, 1);
    this.pr = re(this.pr, 1);
    this.entropy = re(this.entropy, 1);
    this.shc = re(this.shc, 1);
    this.topShare = re(this.topShare, 1);
    this.eigenvalues = re(this.eigenvalues, this.m);
    this.eigenvectors = re(this.eigenvectors, this.vec);
    this.degenerate = re(this.degenerate, 1);
    this.cap = cap;
  }

  /** Appends a chunk's windows; `end(q)` gives window q's last row in the whole file. */
  append(a: Analysis, end: (q: number) => number): void {
    const k = a.windows;
    this.grow(this.size + k);
    const j = this.size;
    for (let q = 0; q < k; q++) this.t[j + q] = end(q);
    this.trace.set(a.trace, j);
    this.pr.set(a.pr, j);
    this.entropy.set(a.entropy, j);
    this.shc.set(a.shc, j);
    this.topShare.set(a.topShare, j);
    this.eigenvalues.set(a.eigenvalues, j * this.m);
    if (this.vec > 0 && a.eigenvectors) this.eigenvectors.set(a.eigenvectors, j * this.vec);
    this.degenerate.set(a.degenerate, j);
    this.size += k;
  }

  finish(rows: number, probes: number, options: ResolvedAnalyzeOptions): Analysis {
    const N = this.size;
    const cut = <A extends Int32Array | Float64Array | Float32Array | Uint8Array>(a: A, per: number): A =>
      (a.length === N * per ? a : a.slice(0, N * per)) as A;
    const out: Analysis = {
      t: cut(this.t, 1),
      trace: cut(this.trace, 1),
      pr: cut(this.pr, 1),
      entropy: cut(this.entropy, 1),
      shc: cut(this.shc, 1),
      topShare: cut(this.topShare, 1),
      eigenvalues: cut(this.eigenvalues, this.m),
      degenerate: cut(this.degenerate, 1),
      windows: N,
      eigenCount: this.m,
      rows,
      probes,
      options,
    };
    if (options.topK > 0) out.eigenvectors = cut(this.eigenvectors, this.vec);
    return out;
  }
}

/** Under the 'error' policy: throws naming the file position of the first value the analysis cannot use. */
function scanRows(
  src: RowSource,
  buf: Float32Array | Float64Array,
  from: number,
  count: number,
  globalRow: (bufferRow: number) => number,
  log: boolean,
): void {
  const n = src.cols;
  for (let r = from; r < from + count; r++) {
    const base = r * n;
    for (let c = 0; c < n; c++) {
      const v = buf[base + c]!;
      if (v - v === 0 && (!log || v > 0)) continue;
      const why = v - v === 0 ? `${v} is not > 0, which the log transform needs` : `${v} is not finite, expected a finite loss`;
      fileError(
        src.file,
        src.position(globalRow(r), c),
        `${why} (nonFinite: 'skip-window', or --non-finite skip-window, marks the windows containing it degenerate instead)`,
      );
    }
  }
}

function splitOptions(opts: AnalyzeFileOptions): { analysis: Record<string, unknown>; chunkBytes: number; sidecar: boolean; checksum: boolean } {
  if (typeof opts !== 'object' || opts === null) throw new Rdm2Error('ERR_RDM2_OPTION', 'options must be an object with at least { window }');
  const analysis: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) if (!FILE_KEYS.has(k)) analysis[k] = v;
  const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (typeof chunkBytes !== 'number' || !Number.isFinite(chunkBytes) || chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
    throw new Rdm2Error('ERR_RDM2_OPTION', `chunkBytes must be a number from 1 to ${MAX_CHUNK_BYTES} (4 GiB), got ${showValue(chunkBytes)}`);
  }
  for (const key of ['sidecar', 'checksum'] as const) {
    if (opts[key] !== undefined && typeof opts[key] !== 'boolean') throw new Rdm2Error('ERR_RDM2_OPTION', `${key} must be a boolean, got ${JSON.stringify(opts[key])}`);
  }
  return { analysis, chunkBytes, sidecar: opts.sidecar ?? true, checksum: opts.checksum ?? true };
}

/**
 * Analyses a loss file (.npy, .npz, .csv, .tsv, .jsonl) without loading it whole: rows are read
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
  const split = splitOptions(opts);
  // The checksum is read beside the analysis; when the analysis fails it is cancelled (and
  // awaited), so a failure does not wait for, nor leave behind, a read of the whole file.
  const cancel = new AbortController();
  const hashing = split.checksum ? sha256File(path, cancel.signal) : undefined;
  hashing?.catch(() => {}); // awaited below; avoid an unhandled rejection if reading fails first
  try {
    return await analyzeOpenedFile(path, split, hashing);
  } catch (err) {
    cancel.abort();
    await hashing?.catch(() => {});
    throw err;
  }
}

async function analyzeOpenedFile(path: string, split: ReturnType<typeof splitOptions>, hashing: Promise<string> | undefined): Promise<FileAnalysis> {
  let bytes: number;
  try {
    const st = await stat(path);
    requireRegularFile(path, st);
    bytes = st.size;
  } catch (err) {
    fsError(path, err);
  }
  const opened = await openLossRows(path);
  const src = opened.source;
  let result: { analysis: Analysis; rows: number; steps: Float64Array | undefined };
  try {
    result = await analyzeRows(src, split.analysis, split.chunkBytes);
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
  return out;
}

/** The chunked analysis proper, over any row source. */
export async function analyzeRows(
  src: RowSource,
  analysisOpts: Record<string, unknown>,
  chunkBytes: number = DEFAULT_CHUNK_BYTES,
): Promise<{ analysis: Analysis; rows: number; steps: Float64Array | undefined }> {
  const n = src.cols;
  const K = src.blockSize;
  let requested: AnalyzeOptions;
  if (K !== undefined) {
    for (const key of ['window', 'stride', 'detrend'] as const) {
      if (analysisOpts[key] !== undefined && !(key === 'detrend' && analysisOpts[key] === 'none')) {
        throw new Rdm2Error(
          'ERR_RDM2_OPTION',
          `${key} = ${JSON.stringify(analysisOpts[key])} does not apply to ${src.file}: it holds [T, K, n] perturbation blocks, and each block of K = ${K} samples is analysed on its own (the Gaussian 2RDM)`,
        );
      }
    }
    requested = { ...(analysisOpts as Partial<AnalyzeOptions>), window: K, stride: K, detrend: 'none' };
  } else {
    if (analysisOpts.window === undefined) {
      throw new Rdm2Error('ERR_RDM2_OPTION', `window is required: ${src.file} holds [T, n] losses (checkpoints x probes)`);
    }
    requested = analysisOpts as unknown as AnalyzeOptions;
  }
  // Every size below is bounded by what the file can hold (src.maxRows), not by the request.
  const maxRows = src.maxRows;
  if (src.rows === undefined && typeof requested.window === 'number' && requested.window > maxRows) {
    throw new Rdm2Error('ERR_RDM2_OPTION', `window (${requested.window}) is longer than the ${maxRows} checkpoints ${src.file} can hold`);
  }
  const options = resolveAnalyzeOptions(requested, src.rows ?? maxRows, n);
  const W = options.window;
  const s = options.stride;
  // Chunks hold whole blocks, so a chunked analysis is bit-identical to the whole-matrix one.
  const perBlock = defaultBlockWindows(W, s);
  const itemSize = src.dtype === 'float32' ? 4 : 8;
  const budgetRows = Math.max(1, Math.floor(chunkBytes / (n * itemSize)));
  const packed = s >= W; // windows do not overlap: read only their rows, stored back to back
  const rowsFor = (k: number): number => (packed ? k * W : (k - 1) * s + W);
  // The most whole blocks whose rows fit the budget (at least one), and never more windows than the file holds.
  const fitting = budgetRows < W ? 0 : packed ? Math.floor(budgetRows / W) : Math.floor((budgetRows - W) / s) + 1;
  const blocks = Math.max(1, Math.floor(fitting / perBlock));
  const maxWindows = Math.floor((maxRows - W) / s) + 1;
  const chunkWindows = Math.min(perBlock * blocks, maxWindows);
  const capacity = rowsFor(chunkWindows);
  let buf: Float32Array | Float64Array;
  try {
    buf = src.dtype === 'float32' ? new Float32Array(capacity * n) : new Float64Array(capacity * n);
  } catch (err) {
    throw new Rdm2Error('ERR_RDM2_OPTION', `cannot hold a chunk of ${capacity} rows of ${n} probes (${capacity * n * itemSize} bytes) in memory: lower chunkBytes (--chunk-mb)`, { cause: err });
  }
  const m = Math.min(W - 1, n);
  const expected = src.rows !== undefined ? Math.floor((src.rows - W) / s) + 1 : undefined;
  const acc = new Accumulator(m, options.topK * n, expected);
  const log = options.transform === 'log';
  const strict = options.nonFinite === 'error';
  const chunkOpts: AnalyzeOptions = {
    window: W,
    stride: packed ? W : s,
    topK: options.topK,
    detrend: options.detrend,
    transform: options.transform,
    beta: options.beta,
    threads: options.threads,
    nonFinite: options.nonFinite,
  };
  const run = async (rows: number): Promise<Analysis> => {
    const view: LossView = { data: buf.subarray(0, rows * n), rows, cols: n, rowStride: n, colStride: 1 };
    // Under 'error' every row was scanned once as it was read (scanRows), so the core need not scan again.
    return runPrepared(prepareAnalysis(view, chunkOpts, { blockWindows: perBlock, finiteChecked: strict }));
  };

  let totalRows = 0;
  let j0 = 0; // global index of the chunk's first window
  if (!packed) {
    let have = 0;
    let first = 0; // global row of buffer row 0
    let eof = false;
    for (;;) {
      if (!eof && have < capacity) {
        const want = capacity - have;
        const got = await src.read(buf, have, want);
        const base = first;
        if (strict) scanRows(src, buf, have, got, (r) => base + r, log);
        have += got;
        totalRows += got;
        if (got < want) eof = true;
      }
      const avail = have >= W ? Math.floor((have - W) / s) + 1 : 0;
      const k = Math.min(avail, chunkWindows);
      if (k === 0) break;
      const a = await run(rowsFor(k));
      const base = first;
      acc.append(a, (q) => base + W - 1 + q * s);
      const drop = k * s;
      buf.copyWithin(0, drop * n, have * n);
      have -= drop;
      first += drop;
      j0 += k;
    }
  } else {
    let eof = false;
    while (!eof) {
      let k = 0;
      while (k < chunkWindows) {
        if (j0 + k > 0) {
          const gap = s - W;
          const skipped = gap > 0 ? await src.skip(gap) : 0;
          totalRows += skipped;
          if (skipped < gap) {
            eof = true;
            break;
          }
        }
        const got = await src.read(buf, k * W, W);
        const start = totalRows;
        if (strict) scanRows(src, buf, k * W, got, (r) => start + r - k * W, log);
        totalRows += got;
        if (got < W) {
          eof = true;
          break;
        }
        k++;
      }
      if (k === 0) break;
      const a = await run(k * W);
      const base = j0;
      acc.append(a, (q) => W - 1 + (base + q) * s);
      j0 += k;
    }
    // Rows after the last whole window are not read; count them for T.
    if (src.rows !== undefined) totalRows = src.rows;
    else {
      for (;;) {
        const skipped = await src.skip(65536);
        totalRows += skipped;
        if (skipped < 65536) break;
      }
    }
  }
  if (totalRows < W) {
    throw new Rdm2Error('ERR_RDM2_OPTION', `window (${W}) is longer than the number of checkpoints T = ${K === undefined ? totalRows : totalRows / K}`);
  }
  return { analysis: acc.finish(totalRows, n, options), rows: totalRows, steps: src.steps() };
}
