// Statistics of loss rows taken in the pass that reads them (native/core/row_summary.hpp): each
// probe's smallest and largest loss (the log-transform proposal), each row's mean over all
// probes and per probe group (the scalar baselines), and the first loss the analysis cannot use.
// One native pass replaces three TypeScript passes over every value, and the command line no
// longer reads a file a second time for its baselines.
import { native } from './native.js';
import type { LossTransform } from './types.js';

/** Each probe's smallest and largest loss so far, and whether any was not finite and > 0. */
export interface LossBounds {
  lo: Float64Array;
  hi: Float64Array;
  /** 1 for a probe with a loss that is not finite and > 0, else 0. */
  notPositive: Float64Array;
}

/** Bounds before any row: lo = +Infinity, hi = -Infinity, every probe positive. */
export function emptyBounds(cols: number): LossBounds {
  return { lo: new Float64Array(cols).fill(Infinity), hi: new Float64Array(cols).fill(-Infinity), notPositive: new Float64Array(cols) };
}

/** Probe groups as the native pass takes them: a group index per probe and each group's size. */
export interface RowGroups {
  index: Int32Array;
  count: number;
  size: Float64Array;
}

/** Groups from a group index per probe (indices 0..count-1). */
export function rowGroups(index: Int32Array, count: number): RowGroups {
  const size = new Float64Array(count);
  for (const g of index) size[g]!++;
  return { index, count, size };
}

/** Options of {@link RowSummary}. */
export interface RowSummaryOptions {
  /** The analysis' transform: means are of log losses under 'log' (NaN for a loss <= 0), and a loss <= 0 is unusable. */
  transform: LossTransform;
  /** Track each probe's bounds (see {@link LossBounds}): from none, or on from these (updated in place). */
  bounds?: boolean | LossBounds;
  /** Compute each row's mean over all probes (and per group, with `groups`). */
  means?: boolean;
  groups?: RowGroups;
  /** Rows expected (the arrays are then allocated once). */
  expectedRows?: number;
  /** The kernels of this instruction set instead of the process-wide choice (tests: every path gives the same results). */
  isa?: 'baseline' | 'avx2' | 'avx512';
}

type Rows = Float32Array | Float64Array;

/**
 * Row statistics gathered chunk by chunk, in row order. The mean over all probes is summed in
 * a fixed order (eight partial sums over the columns c = 0..7 (mod 8), then combined pairwise),
 * the same on every instruction set; a group's mean is summed left to right.
 */
export class RowSummary {
  readonly cols: number;
  readonly transform: LossTransform;
  readonly bounds: LossBounds | undefined;
  readonly groups: RowGroups | undefined;
  private readonly means: boolean;
  private readonly isa: string | undefined;
  private all: Float64Array;
  private groupMeans: Float64Array;
  private count = 0;

  constructor(cols: number, opts: RowSummaryOptions) {
    this.cols = cols;
    this.transform = opts.transform;
    this.bounds = opts.bounds === true ? emptyBounds(cols) : opts.bounds || undefined;
    this.means = opts.means === true;
    this.isa = opts.isa;
    this.groups = this.means ? opts.groups : undefined;
    const cap = this.means ? Math.max(1, opts.expectedRows ?? 256) : 0;
    this.all = new Float64Array(cap);
    this.groupMeans = new Float64Array(this.groups ? cap * this.groups.count : 0);
  }

  /** Rows added so far. */
  get rows(): number {
    return this.count;
  }

  private request(rows: number): Record<string, unknown> {
    const at = this.count;
    if (this.means && at + rows > this.all.length) {
      let cap = this.all.length;
      while (cap < at + rows) cap *= 2;
      const all = new Float64Array(cap);
      all.set(this.all.subarray(0, at));
      this.all = all;
      if (this.groups) {
        const g = new Float64Array(cap * this.groups.count);
        g.set(this.groupMeans.subarray(0, at * this.groups.count));
        this.groupMeans = g;
      }
    }
    const req: Record<string, unknown> = { transform: this.transform, ...(this.isa ? { isa: this.isa } : {}) };
    if (this.bounds) Object.assign(req, { lo: this.bounds.lo, hi: this.bounds.hi, notPositive: this.bounds.notPositive });
    if (this.means) req.rowMeans = this.all.subarray(at, at + rows);
    if (this.groups) {
      const G = this.groups.count;
      Object.assign(req, { group: this.groups.index, groups: G, groupSize: this.groups.size, groupMeans: this.groupMeans.subarray(at * G, (at + rows) * G) });
    }
    return req;
  }

  /**
   * Adds `count` contiguous rows of `data` from row `from`, on a native thread (the event loop
   * stays free). `data` must be the library's own array, unchanged until the promise settles.
   * Resolves to the index, counted from row `from`, of the first loss the analysis cannot use
   * (not finite, or not > 0 under the log transform), or -1.
   */
  async add(data: Rows, from: number, count: number): Promise<number> {
    if (count === 0) return -1;
    const req = this.request(count);
    const bad = await native().summarizeRowsAsync(data.subarray(from * this.cols, (from + count) * this.cols), count, this.cols, req);
    this.count += count;
    return bad;
  }

  /** {@link RowSummary.add} on the calling thread (for arrays the caller owns). */
  addSync(data: Rows, from: number, count: number): number {
    if (count === 0) return -1;
    const req = this.request(count);
    const bad = native().summarizeRows(data.subarray(from * this.cols, (from + count) * this.cols), count, this.cols, req);
    this.count += count;
    return bad;
  }

  /** Each row's mean over all probes, and (rows x groups, row-major) per group. */
  rowMeans(): { all: Float64Array; groups: Float64Array } {
    const G = this.groups?.count ?? 0;
    return { all: this.all.slice(0, this.count), groups: this.groupMeans.slice(0, this.count * G) };
  }
}
