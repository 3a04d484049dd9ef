// The chunked analysis of a RowSource: rows are read into one buffer of whole core blocks, so
// memory stays at O(W n + chunk) and the result is bit-identical to `analyze()` on the whole
// matrix. Overlapping windows (stride < W) slide through the buffer; non-overlapping ones
// (stride >= W) read only their own rows, stored back to back.
import { defaultBlockWindows, prepareAnalysis, runPrepared } from '../analyze.js';
import { badLossReason, type LossView } from '../loss_matrix.js';
import { optionError } from '../option_schema.js';
import { resolveAnalyzeOptions } from '../options.js';
import { RowSummary } from '../row_summary.js';
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
  /** Sees every row read, in one native pass that also finds the first unusable loss. */
  summary: RowSummary;
}

/** Rows holding `k` consecutive windows in the buffer. */
function rowsFor(c: Chunking, k: number): number {
  return c.s >= c.W ? k * c.W : (k - 1) * c.s + c.W;
}

/**
 * Passes `count` new buffer rows from `from` (the file's rows from `fileRow` on) through the row
 * summary; under the 'error' policy, throws naming the file position of the first value the
 * analysis cannot use.
 */
async function scanRows(c: Chunking, from: number, count: number, fileRow: number): Promise<void> {
  const n = c.src.cols;
  const i = await c.summary.add(c.buf, from, count);
  if (i < 0 || !c.strict) return;
  const r = Math.floor(i / n);
  fileError(
    c.src.file,
    c.src.position(fileRow + r, i - r * n),
    `${badLossReason(c.buf[(from + r) * n + (i - r * n)]!, c.options.transform)} (nonFinite: 'skip-window', or --non-finite skip-window, marks the windows containing it degenerate instead)`,
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
      await scanRows(c, have, got, first + have);
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
      await scanRows(c, k * W, got, totalRows);
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
 * `summary(options)`, when given, makes the {@link RowSummary} every row read goes through (with
 * stride > W the rows between windows are skipped unread), for statistics beside the analysis.
 */
export async function analyzeRows(
  src: RowSource,
  analysisOpts: Partial<AnalyzeOptions>,
  chunkBytes: number = FILE_READING_FIELDS.chunkBytes.default,
  summary?: (options: ResolvedAnalyzeOptions) => RowSummary,
): Promise<RowsAnalysis & { summary: RowSummary }> {
  const n = src.cols;
  const K = src.blockSize;
  const requested = fileAnalysisOptions(analysisOpts, K, src.file);
  // Every size below is bounded by what the file can hold (src.maxRows), not by the request.
  const maxRows = src.maxRows;
  if (src.rows === undefined && typeof requested.window === 'number' && requested.window > maxRows) {
    optionError(`window (${requested.window}) is longer than the ${maxRows} checkpoints ${src.file} can hold`);
  }
  const options = resolveAnalyzeOptions(requested, src.rows ?? maxRows, n);
  const W = options.window;
  const s = options.stride;
  // Chunks hold whole blocks, so a chunked analysis is bit-identical to the whole-matrix one.
  const perBlock = defaultBlockWindows(W, s);
  const itemSize = src.dtype === 'float32' ? 4 : 8;
  const budgetRows = Math.max(1, Math.floor(chunkBytes / (n * itemSize)));
  const c = {
    src,
    options,
    W,
    s,
    perBlock,
    strict: options.nonFinite === 'error',
    summary: summary ? summary(options) : new RowSummary(n, { transform: options.transform }),
  } as Chunking;
  // The most whole blocks whose rows fit the budget (at least one), and never more windows than the file holds.
  const fitting = budgetRows < W ? 0 : s >= W ? Math.floor(budgetRows / W) : Math.floor((budgetRows - W) / s) + 1;
  const blocks = Math.max(1, Math.floor(fitting / perBlock));
  c.chunkWindows = Math.min(perBlock * blocks, Math.floor((maxRows - W) / s) + 1);
  c.capacity = rowsFor(c, c.chunkWindows);
  try {
    c.buf = src.dtype === 'float32' ? new Float32Array(c.capacity * n) : new Float64Array(c.capacity * n);
  } catch {
    optionError(`cannot hold a chunk of ${c.capacity} rows of ${n} probes (${c.capacity * n * itemSize} bytes) in memory: lower chunkBytes (--chunk-mb)`);
  }
  const expected = src.rows !== undefined ? Math.floor((src.rows - W) / s) + 1 : undefined;
  c.acc = new AnalysisAccumulator(Math.min(W - 1, n), options.topK * n, expected);

  const rows = s >= W ? await analyzePacked(c) : await analyzeOverlapping(c);
  if (rows < W) optionError(`window (${W}) is longer than the number of checkpoints T = ${K === undefined ? rows : rows / K}`);
  return { analysis: c.acc.finish(rows, n, options), rows, steps: src.steps(), summary: c.summary };
}
