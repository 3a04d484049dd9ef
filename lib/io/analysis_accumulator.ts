// An Analysis built chunk by chunk: the columnar per-window results of successive chunk
// analyses appended into growing typed arrays (one per observable of lib/observables.ts, plus
// t, eigenvalues, eigenvectors and the degenerate flags).
import { OBSERVABLE_NAMES, allocateObservableColumns, type ObservableColumns } from '../observables.js';
import type { Analysis, ResolvedAnalyzeOptions } from '../types.js';

type Column = Int32Array | Float64Array | Float32Array | Uint8Array;

/** A copy of `a` with room for `length` entries (the first `a.length` copied). */
function resized<A extends Column>(a: A, length: number): A {
  const b = new (a.constructor as new (n: number) => A)(length);
  b.set(length >= a.length ? a : a.subarray(0, length));
  return b;
}

/** Columnar results appended chunk by chunk. */
export class AnalysisAccumulator {
  private size = 0;
  private cap: number;
  private t: Int32Array;
  private observables: ObservableColumns;
  private eigenvalues: Float64Array;
  private eigenvectors: Float32Array;
  private degenerate: Uint8Array;

  /**
   * @param m eigenvalues per window (min(W - 1, n)).
   * @param vec eigenvector components per window (topK x n).
   * @param expected number of windows, when known (the arrays are then allocated once).
   */
  constructor(
    private readonly m: number,
    private readonly vec: number,
    expected: number | undefined,
  ) {
    this.cap = Math.max(1, expected ?? 256);
    this.t = new Int32Array(this.cap);
    this.observables = allocateObservableColumns(this.cap);
    this.eigenvalues = new Float64Array(this.cap * m);
    this.eigenvectors = new Float32Array(this.cap * vec);
    this.degenerate = new Uint8Array(this.cap);
  }

  /** Every column resized to `cap` windows. */
  private resize(cap: number): void {
    this.t = resized(this.t, cap);
    for (const name of OBSERVABLE_NAMES) this.observables[name] = resized(this.observables[name], cap);
    this.eigenvalues = resized(this.eigenvalues, cap * this.m);
    this.eigenvectors = resized(this.eigenvectors, cap * this.vec);
    this.degenerate = resized(this.degenerate, cap);
    this.cap = cap;
  }

  /** Appends a chunk's windows; `end(q)` gives window q's last row in the whole input. */
  append(a: Analysis, end: (q: number) => number): void {
    const k = a.windows;
    if (this.size + k > this.cap) {
      let cap = this.cap;
      while (cap < this.size + k) cap *= 2;
      this.resize(cap);
    }
    const j = this.size;
    for (let q = 0; q < k; q++) this.t[j + q] = end(q);
    for (const name of OBSERVABLE_NAMES) this.observables[name].set(a[name], j);
    this.eigenvalues.set(a.eigenvalues, j * this.m);
    if (this.vec > 0 && a.eigenvectors) this.eigenvectors.set(a.eigenvectors, j * this.vec);
    this.degenerate.set(a.degenerate, j);
    this.size += k;
  }

  /** The whole Analysis (arrays trimmed to the windows appended). */
  finish(rows: number, probes: number, options: ResolvedAnalyzeOptions): Analysis {
    if (this.cap !== this.size) this.resize(this.size);
    const out: Analysis = {
      t: this.t,
      ...this.observables,
      eigenvalues: this.eigenvalues,
      degenerate: this.degenerate,
      windows: this.size,
      eigenCount: this.m,
      rows,
      probes,
      options,
    };
    if (options.topK > 0) out.eigenvectors = this.eigenvectors;
    return out;
  }
}
