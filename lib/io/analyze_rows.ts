// The chunked analysis of a RowSource: rows are read into one buffer of whole core blocks, so
// memory stays at O(W n + chunk) and the result is bit-identical to `analyze()` on the whole
// matrix. Overlapping windows (stride < W) slide through the buffer; non-overlapping ones
// (stride >= W) read only their own rows, stored back to back.
import { defaultBlockWindows, prepareAnalysis, runPrepared } from '../analyze.js';
import { badLossReason, firstBadLoss, type LossView } from '../loss_matrix.js';
import { optionError } from '../option_schema.js';
import { resolveAnalyzeOptions } from '../options.js';
import type { Analysis, AnalyzeOptions, ResolvedAnalyzeOptions } from '../types.js';
import { AnalysisAccumulator } from './analysis_accumulator.js';
import { FILE_READING_FIELDS, fileAnalysisOptions } from './analyze_file_options.js';
import { fileError } from './file_error.js';
import type { RowSource } from './row_source.js';

/** What {@link analyzeRows} returns. */
export interface RowsAnalysis {
  analysis: Analysis;
  /** Rows in the source (T, or T K for a perturbation file). */
  rows: number;
  /** The steps the source itself carries, if any. */
  steps: Float64Array | undefined;
}

/** One chunked analysis: its options, the row buffer and how windows map onto it. */
interface Chunking {
  src: RowSource;
  options: ResolvedAnalyzeOptions;
  W: number;
  s: number;
  /** Windows per core block, and per chunk (a whole number of blocks that fits the budget). */
  perBlock: number;
  chunkWindows: number;
  /** Buffer rows: enough for `chunkWindows` windows. */
  capacity: number;
  buf: Float32Array | Float64Array;
  acc: AnalysisAccumulator;
  /** Under 'error' every row is scanned as it is read (so the core need not scan again). */
  strict: boolean;
}

/** Rows holding `k` consecutive windows in the buffer. */
function rowsFor(c: Chunking, k: number): number {
  return c.s >= c.W ? k * c.W : (k - 1) * c.s + c.W;
}

/** Under the 'error' policy: throws naming the file position of the first value the analysis cannot use. */
function scanRows(c: Chunking, from: number, count: number, globalRow: (bufferRow: number) => number): void {
  const n = c.src.cols;
  const i = firstBadLoss(c.buf, from * n, (from + count) * n, c.options.transform);
  if (i < 0) return;
  const r = Math.floor(i / n);
  fileError(
    c.src.file,
    c.src.position(globalRow(r), i - r * n),
    `${badLossReason(c.buf[i]!, c.options.transform)} (nonFinite: 'skip-window', or --non-finite skip-window, marks the windows containing it degenerate instead)`,
  );
}

/** Analyses the first `rows` buffer rows as one chunk (whole blocks, windows back to back when packed). */
function analyzeChunk(c: Chunking, rows: number): Promise<Analysis> {
  const n = c.src.cols;
  const view: LossView = { data: c.buf.subarray(0, rows * n), rows, cols: n, rowStride: n, colStride: 1 };
  const chunkOptions: AnalyzeOptions = { ...c.options, stride: Math.min(c.s, c.W) };
  return runPrepared(prepareAnalysis(view, chunkOptions, { blockWindows: c.perBlock, finiteChecked: c.strict }));
}

/** Overlapping windows: the buffer slides by whole chunks of windows. Returns the rows read. */
async function analyzeOverlapping(c: Chunking): Promise<number> {
  const { src, buf, W, s, capacity } = c;
  const n = src.cols;
  let totalRows = 0;
  let have = 0;
  let first = 0; // global row of buffer row 0
  let eof = false;
  for (;;) {
    if (!eof && have < capacity) {
      const want = capacity - have;
      const got = await src.read(buf, have, want);
      const base = first;
      if (c.strict) scanRows(c, have, got, (r) => base + r);
      have += got;
      totalRows += got;
      if (got < want) eof = true;
    }
    const avail = have >= W ? Math.floor((have - W) / s) + 1 : 0;
    const k = Math.min(avail, c.chunkWindows);
    if (k === 0) return totalRows;
    const a = await analyzeChunk(c, rowsFor(c, k));
    const base = first;
    c.acc.append(a, (q) => base + W - 1 + q * s);
    const drop = k * s;
    buf.copyWithin(0, drop * n, have * n);
    have -= drop;
    first += drop;
  }
}

/** Non-overlapping windows: only each window's rows are read (the gaps are skipped). Returns T. */
async function analyzePacked(c: Chunking): Promise<number> {
  const { src, buf, W, s } = c;
  let totalRows = 0;
  let j0 = 0; // global index of the chunk's first window
  let eof = false;
  while (!eof) {
    let k = 0;
    while (k < c.chunkWindows) {
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
      if (c.strict) scanRows(c, k * W, got, (r) => start + r - k * W);
      totalRows += got;
      if (got < W) {
        eof = true;
        break;
      }
      k++;
    }
    if (k === 0) break;
    const a = await analyzeChunk(c, k * W);
    const base = j0;
    c.acc.append(a, (q) => W - 1 + (base + q) * s);
    j0 += k;
  }
  // Rows after the last whole window are not read; count them for T.
  if (src.rows !== undefined) return src.rows;
  for (;;) {
    const skipped = await src.skip(65536);
    totalRows += skipped;
    if (skipped < 65536) return totalRows;
  }
}

/**
 * The chunked analysis of any row source (see the file comment): `analysisOpts` are checked
 * against the source's shape (a `[T, K, n]` source gets one window per block of K rows).
 */
export async function analyzeRows(
  src: RowSource,
  analysisOpts: Partial<AnalyzeOptions>,
  chunkBytes: number = FILE_READING_FIELDS.chunkBytes.default,
): Promise<RowsAnalysis> {
  const n = src.cols;
  const K = src.blockSize;
  const options = resolveAnalyzeOptions(fileAnalysisOptions(analysisOpts, K, src.file), src.rows ?? Number.MAX_SAFE_INTEGER, n);
  const W = options.window;
  const s = options.stride;
  // Chunks hold whole blocks, so a chunked analysis is bit-identical to the whole-matrix one.
  const perBlock = defaultBlockWindows(W, s);
  const budgetRows = Math.max(1, Math.floor(chunkBytes / (n * (src.dtype === 'float32' ? 4 : 8))));
  const c = { src, options, W, s, perBlock, strict: options.nonFinite === 'error' } as Chunking;
  let blocks = 1;
  while (rowsFor(c, perBlock * (blocks + 1)) <= budgetRows) blocks++;
  c.chunkWindows = perBlock * blocks;
  c.capacity = rowsFor(c, c.chunkWindows);
  c.buf = src.dtype === 'float32' ? new Float32Array(c.capacity * n) : new Float64Array(c.capacity * n);
  const expected = src.rows !== undefined ? Math.floor((src.rows - W) / s) + 1 : undefined;
  c.acc = new AnalysisAccumulator(Math.min(W - 1, n), options.topK * n, expected);

  const rows = s >= W ? await analyzePacked(c) : await analyzeOverlapping(c);
  if (rows < W) optionError(`window (${W}) is longer than the number of checkpoints T = ${K === undefined ? rows : rows / K}`);
  return { analysis: c.acc.finish(rows, n, options), rows, steps: src.steps() };
}
